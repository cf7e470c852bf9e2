"""The config check's account of the splits (advgen.data.sizes) agrees with the loaded data."""

from __future__ import annotations

import numpy as np
import pytest

from advgen.config import dataset_spec
from advgen.data.mnist_sample import stratified_split
from advgen.data.registry import load_source
from advgen.data.sizes import MNIST_SAMPLE_PER_CLASS, NUM_CLASSES, split_problem
from advgen.data.spec import DatasetSpec


def _class_counts(source: str, spec: DatasetSpec) -> list[int]:
    """Classes in the (train, test) splits of ``spec``; the MNIST sample's split from its labels alone."""
    if source == "mnist_sample":
        labels = np.repeat(np.arange(10), MNIST_SAMPLE_PER_CLASS)
        return [len(set(labels[i])) for i in stratified_split(labels, spec.test_fraction, 0)]
    return [len(set(s.labels.tolist())) for s in load_source(spec, download=False)]


@pytest.mark.parametrize(
    ("source", "fraction"),
    [
        ("digits", 0.2),
        ("digits", 10 / 1797),  # 10 test images: one per class
        ("digits", 0.005),  # 9 test images
        ("digits", 1 - 10 / 1797),  # 10 training images
        ("digits", 0.995),  # 8 training images
        ("mnist_sample", 0.2),
        ("mnist_sample", 0.001),  # round(0.5) = 0 per class
        ("mnist_sample", 0.002),  # 1 per class
        ("mnist_sample", 0.999),  # 1 training image per class
    ],
)
def test_split_problem_says_whether_every_split_holds_every_class(source: str, fraction: float) -> None:
    spec = dataset_spec({"source": source, "image_size": 8, "test_fraction": fraction, "split_seed": 0})
    problem = split_problem(spec)
    try:
        counts = _class_counts(source, spec)
    except ValueError:  # scikit-learn refuses a split smaller than the classes
        assert problem is not None and problem[0] == "test_fraction"
        return
    assert (problem is None) == (counts == [NUM_CLASSES[source]] * 2), problem


@pytest.mark.parametrize(("key", "n"), [("max_train", 9), ("max_test", 1), ("max_test", 10)])
def test_max_subsets_need_one_image_per_class(key: str, n: int) -> None:
    spec = dataset_spec({"source": "digits", "image_size": 8, "test_fraction": 0.2, "split_seed": 0, key: n})
    problem = split_problem(spec)
    train, test = load_source(spec, download=False)
    split = train if key == "max_train" else test
    assert (problem is None) == (len(set(split.labels.tolist())) == 10)
