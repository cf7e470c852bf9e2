"""Whether every split of a dataset holds every class, known from its spec alone (no torch, no
data: the config check runs it).

A test split without some class (``test_fraction: 1e-9``, ``max_test: 1``) makes accuracies,
attacks and claims meaningless, and an empty one crashes the jobs that read it, after the jobs
before them have run. :func:`split_problem` finds such a spec first:

* ``digits``: scikit-learn's stratified split puts ``ceil(test_fraction * 1,797)`` images in the
  test split and spreads them over every class when there are at least as many as classes;
* ``mnist_sample``: ``round(test_fraction * 500)`` test images per class
  (:func:`advgen.data.mnist_sample.stratified_split`);
* every source: ``max_train`` / ``max_test`` subsets take the classes in turn
  (:func:`advgen.data.registry.subsample`), so they need at least one image per class.
"""

from __future__ import annotations

import math

from advgen.data.spec import DatasetSpec

#: classes of each source (labels 0..n-1)
NUM_CLASSES = {"digits": 10, "mnist_sample": 10, "mnist": 10, "fashion_mnist": 10, "cifar10": 10, "celeba": 2}
#: images of scikit-learn's digits
DIGITS_IMAGES = 1797
#: images per class of the bundled MNIST sample
MNIST_SAMPLE_PER_CLASS = 500

_RULE = "every split needs every class"


def _fraction_problem(spec: DatasetSpec, classes: int) -> str | None:
    fraction = spec.test_fraction
    if spec.source == "digits":
        test = math.ceil(fraction * DIGITS_IMAGES)
        for split, n in (("test", test), ("train", DIGITS_IMAGES - test)):
            if n < classes:
                return (
                    f"{fraction!r} puts {n} of the {DIGITS_IMAGES:,} images in the {split} split, "
                    f"fewer than the {classes} classes; {_RULE}"
                )
    if spec.source == "mnist_sample":
        test = int(round(fraction * MNIST_SAMPLE_PER_CLASS))
        for split, n in (("test", test), ("train", MNIST_SAMPLE_PER_CLASS - test)):
            if n < 1:
                return (
                    f"{fraction!r} puts {n} of each class's {MNIST_SAMPLE_PER_CLASS} images in the "
                    f"{split} split; {_RULE}"
                )
    return None


def split_problem(spec: DatasetSpec) -> tuple[str, str] | None:
    """``(key, problem)`` when a split of the dataset ``spec`` would lack a class, else ``None``."""
    classes = NUM_CLASSES.get(spec.source)
    if classes is None:
        return None
    problem = _fraction_problem(spec, classes)
    if problem is not None:
        return "test_fraction", problem
    for split, cap in (("train", spec.max_train), ("test", spec.max_test)):
        if cap is not None and cap < classes:
            return f"max_{split}", f"{cap} {split} images, fewer than the {classes} classes; {_RULE}"
    return None
