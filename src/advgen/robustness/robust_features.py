"""Robust and non-robust datasets (Ilyas et al. 2019, "Adversarial Examples Are Not Bugs,
They Are Features", Sec. 3).

* ``D_R`` (their Sec. 3.1, "robust dataset"): for each training pair (x, y), an input x_r
  optimised from a random other training image so that a *robust* (PGD-trained) model's
  penultimate features match those of x, ``min ||g(x_r) - g(x)||_2`` by normalised L2
  gradient descent; the label stays y. A standard model trained on D_R is expected to be
  somewhat robust on the real test set.
* ``D_NR`` (their Sec. 3.1, ``method: features``, the default): the same construction on a
  *standard* model: each x rebuilt from a random other training image so that the standard
  model's penultimate features match, label y kept. A standard model trained on it learns the
  standard model's (non-robust) features: good clean accuracy, no robustness.
* ``D_NR`` as Sec. 3.2's ``D_rand`` / ``D_det`` (``method: targeted``): each x moved by a
  targeted L2 PGD attack (:class:`advgen.attacks.PGD`, ``targeted=True``, no random start)
  on the standard model towards a target t (random, or y + 1 mod C), and relabelled t.
* ``D_det`` beside them (``deterministic``: the review's Fig. 4b, "a dataset which appears
  mislabeled to humans ... but results in good accuracy on the original test set"): the same
  targeted construction towards y + 1, a standard CNN trained on it, and its control, the
  same CNN trained on the unperturbed images relabelled y + 1 (no feature of the new label:
  its accuracy on the real test digits is near 0).

Each built set records ``label_hit``: the share of its images that the model it was built
from assigns to the set's label (the construction's success: a set whose images its own
model does not label as they are labelled is not that model's feature set; the claims read a
set only at >= 90 %). The ``clean`` row is the same classifier trained on the same clean
training images, the reference for "a slight drop in generalisation" of D_R.

Ilyas et al. use CIFAR-10 and ResNet-50 models (D_R and D_NR: 1000 normalised-gradient steps
of size 0.1; D_rand/D_det: L2 PGD with eps 0.5, step 0.1, 100 steps). Here the data are the
offline digits and the models the zoo's small CNNs; step counts and budgets are parameters
(the schema's defaults, ``robustness.robust_features``, are the paper's).

:func:`robust_features_job` does the work of the ``advgen robust-features`` job (its spec a
:class:`~advgen.robustness.robust_features_spec.RobustFeaturesSpec`; the job function that
writes its outputs is :func:`advgen.robustness.robust_features_jobs.robust_features`): both
datasets, a standard classifier trained on each, and the table's rows (with the two reference
classifiers').
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pandas as pd
import torch
from torch import nn

from advgen.attacks.pgd import PGD
from advgen.columns import ROBUST_FEATURES_COLUMNS
from advgen.data.prepared import PreparedSplit
from advgen.robustness.robust_features_spec import (
    DeterministicParams,
    NonRobustParams,
    RobustFeaturesSpec,
    RobustParams,
    features_config,
)

log = logging.getLogger(__name__)

COLUMNS = list(ROBUST_FEATURES_COLUMNS)


def _features(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    return model.forward_features(x).flatten(1)


def _normalised(g: torch.Tensor) -> torch.Tensor:
    return g / g.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, *([1] * (g.ndim - 1)))


def robust_inputs(
    model: nn.Module,
    x: torch.Tensor,
    start: torch.Tensor,
    *,
    steps: int = 1000,
    step_size: float = 0.1,
    batch_size: int = 500,
) -> torch.Tensor:
    """Inputs from ``start`` whose penultimate features under ``model`` match those of ``x``
    (Ilyas et al. Sec. 3.1; normalised L2 gradient descent, clipped to [0, 1])."""
    was = model.training
    model.eval()
    out = []
    for i in range(0, len(x), batch_size):
        xb = x[i : i + batch_size]
        with torch.no_grad():
            goal = _features(model, xb)
        xr = start[i : i + batch_size].clone()
        for _ in range(int(steps)):
            xr.requires_grad_(True)
            loss = (_features(model, xr) - goal).norm(dim=1).sum()
            (grad,) = torch.autograd.grad(loss, xr)
            xr = (xr.detach() - step_size * _normalised(grad)).clamp(0.0, 1.0)
        out.append(xr.detach())
    model.train(was)
    return torch.cat(out)


def targets_for(y: torch.Tensor, num_classes: int, rule: str, seed: int) -> torch.Tensor:
    """Target labels: ``random`` (D_rand, never the true class) or ``next`` (D_det, y + 1 mod C)."""
    if rule == "next":
        return (y + 1) % num_classes
    if rule != "random":
        raise ValueError(f"target rule must be 'random' or 'next', got {rule!r}")
    gen = torch.Generator().manual_seed(int(seed))
    shift = torch.randint(1, num_classes, y.shape, generator=gen).to(y.device)
    return (y + shift) % num_classes


def _split(images: torch.Tensor, labels: torch.Tensor, like: PreparedSplit, name: str) -> PreparedSplit:
    return PreparedSplit(
        images.detach().cpu(),
        labels.detach().cpu().long(),
        like.num_classes,
        like.dataset,
        name,
        dict(like.spec),
    )


def label_hit(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch_size: int = 1000) -> float:
    """Share of ``images`` that ``model`` assigns to ``labels`` (a built set's success)."""
    device = next(model.parameters()).device
    model.eval()
    hits = 0
    with torch.no_grad():
        for i in range(0, len(labels), batch_size):
            xb = images[i : i + batch_size].to(device)
            hits += int((model(xb).argmax(1).cpu() == labels[i : i + batch_size].cpu()).sum())
    return hits / max(1, len(labels))


def feature_split(
    model: nn.Module, train: PreparedSplit, name: str, *, seed: int, steps: int, step_size: float
) -> PreparedSplit:
    """Each training image rebuilt from a random other training image so that ``model``'s
    penultimate features match it, label kept (Ilyas et al. Sec. 3.1)."""
    gen = torch.Generator().manual_seed(int(seed))
    start = train.images[torch.randperm(len(train), generator=gen)]
    device = next(model.parameters()).device
    xr = robust_inputs(model, train.images.to(device), start.to(device), steps=steps, step_size=step_size)
    return _split(xr, train.labels, train, name)


def robust_split(
    model: nn.Module, train: PreparedSplit, params: RobustParams, *, seed: int = 0
) -> PreparedSplit:
    """D_R: each training image rebuilt from a random other training image (same label) to
    match a robust model's features."""
    return feature_split(model, train, "robust", seed=seed, steps=params.steps, step_size=params.step_size)


def non_robust_split(
    model: nn.Module, train: PreparedSplit, params: NonRobustParams, *, seed: int = 0
) -> tuple[PreparedSplit, float]:
    """D_NR from a standard model: Sec. 3.1's feature matching (``method: features``, labels
    kept; another random start than D_R's) or Sec. 3.2's targeted examples relabelled as their
    target (``method: targeted``).

    Returns the split and :func:`label_hit`: the share of it the standard model assigns to
    its labels.
    """
    if params.method == "features":
        split = feature_split(
            model, train, "non_robust", seed=int(seed) + 1, steps=params.steps, step_size=params.step_size
        )
        return split, label_hit(model, split.images, split.labels)
    if params.method != "targeted":
        raise ValueError(f"non_robust method must be 'features' or 'targeted', got {params.method!r}")
    device = next(model.parameters()).device
    x, y = train.images.to(device), train.labels.to(device)
    t = targets_for(y, train.num_classes, params.target, seed)
    attack = PGD(
        model,
        params.eps,
        alpha=params.step_size,
        steps=params.steps,
        norm="l2",
        random_start=False,
        targeted=True,
        batch_size=500,
    )
    adv = attack.generate(x, t)
    return _split(adv, t, train, "non_robust"), label_hit(model, adv, t)


def deterministic_split(
    model: nn.Module, train: PreparedSplit, params: DeterministicParams
) -> tuple[PreparedSplit, PreparedSplit, float]:
    """Sec. 3.2's D_det: each training image moved by targeted L2 PGD on ``model`` towards
    t = y + 1 mod C and relabelled t (to a human it looks mislabelled); and its control, the
    *unperturbed* images relabelled t, which hold no feature of t. Returns (D_det, the control,
    :func:`label_hit` of D_det under ``model``)."""
    nr = NonRobustParams(
        method="targeted", eps=params.eps, step_size=params.step_size, steps=params.steps, target="next"
    )
    d_det, hit = non_robust_split(model, train, nr)
    relabelled = _split(train.images, d_det.labels, train, "relabelled")
    return _split(d_det.images, d_det.labels, train, "deterministic"), relabelled, hit


def feature_distance(model: nn.Module, a: torch.Tensor, b: torch.Tensor) -> float:
    """Mean relative L2 distance between penultimate features of ``a`` and ``b`` (D_R's fit)."""
    model.eval()
    with torch.no_grad():
        fa, fb = _features(model, a), _features(model, b)
    return float(((fa - fb).norm(dim=1) / fb.norm(dim=1).clamp_min(1e-12)).mean())


def row(
    dataset: str,
    model: str,
    n_train: int,
    build_metric: float,
    clean: float,
    robust: float,
    attack: str,
    eps: float,
    seed: int = 0,
    hit: float = float("nan"),
) -> dict[str, Any]:
    """One row of the robust-features table (:data:`COLUMNS`)."""
    return dict(
        zip(
            COLUMNS,
            [
                dataset,
                model,
                int(n_train),
                float(build_metric),
                float(hit),
                float(clean),
                float(robust),
                attack,
                float(eps),
                int(seed),
            ],
            strict=True,
        )
    )


def _classifier(ckpt: dict[str, Any], device: str) -> nn.Module:
    from advgen.classifiers.zoo import build_classifier

    kw = ckpt["arch_kwargs"]
    model = build_classifier(ckpt["arch"], kw["in_shape"], kw["num_classes"], kw.get("width", 1.0))
    model.load_state_dict(ckpt["state_dict"])
    return model.to(device).eval()


def capped(split: PreparedSplit, max_train: int | None, seed: int) -> PreparedSplit:
    """The training split, or at most ``max_train`` of its images (a seeded subset,
    :func:`advgen.classifiers.subsets.select_subset`)."""
    from advgen.classifiers.subsets import select_subset

    if not max_train:
        return split
    keep = select_subset(split.labels, "all", min(1.0, max_train / len(split)), seed)
    return PreparedSplit(
        split.images[keep], split.labels[keep], split.num_classes, split.dataset, "train", split.spec
    )


def robust_features_job(
    spec: RobustFeaturesSpec, *, robust_model: str, standard_model: str, train: str, test: str
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The ``advgen robust-features`` job: (the table, the two built datasets as a payload).

    Builds D_R from ``robust_model`` and D_NR from ``standard_model`` on the training split,
    trains ``spec.classifier`` (standard mode) on each and measures clean and robust test
    accuracy under ``spec.attack`` (a ``robustness.attacks`` entry) at ``spec.eps``, the
    two source classifiers' as references.

    Arguments:
        spec: the job's :class:`RobustFeaturesSpec`.
        robust_model, standard_model, train, test: paths of the two classifier checkpoints and
            the prepared splits.
    """
    from advgen.classifiers.checkpoint import load_classifier
    from advgen.classifiers.subsets import eval_subset
    from advgen.classifiers.training import train_classifier
    from advgen.data.prepared import load_prepared
    from advgen.jobs import start_job
    from advgen.robustness.sweeps import clean_and_robust

    seed = int(spec.seed)
    eps, batch = float(spec.eps), spec.batch_size
    attack_name = spec.attack.attack
    rows = []
    config = features_config(spec)  # the JSON passed: the job's provenance and the datasets' record
    with start_job(config) as device:
        train_split, test_split = capped(load_prepared(train), spec.max_train, seed), load_prepared(test)
        idx = eval_subset(test_split.labels, spec.max_examples)
        robust = load_classifier(robust_model, device, data=[train_split, test_split])
        standard = load_classifier(standard_model, device, data=[train_split, test_split])
        xt, yt = test_split.images[idx].to(device), test_split.labels[idx].to(device)
        d_r = robust_split(robust, train_split, spec.robust, seed=seed)
        fit = feature_distance(robust, d_r.images.to(device), train_split.images.to(device))
        r_hit = label_hit(robust, d_r.images, d_r.labels)
        d_nr, nr_hit = non_robust_split(standard, train_split, spec.non_robust, seed=seed)
        nr_fit = feature_distance(standard, d_nr.images.to(device), train_split.images.to(device))
        log.info("D_R: feature distance %.3f, label hit %.3f; D_NR: label hit %.3f", fit, r_hit, nr_hit)
        built = [
            ("robust", d_r, fit, r_hit, "standard CNN on D_R"),
            ("non_robust", d_nr, nr_fit, nr_hit, "standard CNN on D_NR"),
            ("clean", train_split, float("nan"), float("nan"), "standard CNN on the same clean images"),
        ]
        if spec.deterministic is not None:
            d_det, relabelled, det_hit = deterministic_split(standard, train_split, spec.deterministic)
            log.info("D_det: label hit %.3f", det_hit)
            built += [
                ("deterministic", d_det, float("nan"), det_hit, "standard CNN on D_det (targets y + 1)"),
                ("relabelled", relabelled, float("nan"), label_hit(standard, relabelled.images, relabelled.labels),
                 "standard CNN on the clean images relabelled y + 1 (control)"),
            ]  # fmt: skip
        for name, split, metric, hit, label in built:
            cspec = dataclasses.replace(
                spec.classifier, mode="standard", train_subset="all", train_fraction=1.0
            )
            ckpt, _ = train_classifier(cspec, split, test_split, name=f"ilyas_{name}", device=device)
            clean, rob = clean_and_robust(_classifier(ckpt, device), xt, yt, spec.attack, eps, batch)
            rows.append(row(name, label, len(split), metric, clean, rob, attack_name, eps, seed, hit))
        for name, model in (("adversarial_training", robust), ("standard", standard)):
            clean, rob = clean_and_robust(model, xt, yt, spec.attack, eps, batch)
            label = name.replace("_", " ") + " (reference)"
            rows.append(row(name, label, len(train_split), float("nan"), clean, rob, attack_name, eps, seed))
    datasets = {
        "kind": "robust_features_datasets",
        "robust": d_r.images,
        "robust_labels": d_r.labels,
        "non_robust": d_nr.images,
        "non_robust_labels": d_nr.labels,
        "spec": config,
    }
    return table(rows), datasets


def table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The table ``results/robustness/robust_features.parquet``."""
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype({"n_train": "int64", "seed": "int64"}) if len(frame) else frame


__all__ = [
    "COLUMNS",
    "deterministic_split",
    "feature_distance",
    "feature_split",
    "label_hit",
    "non_robust_split",
    "robust_inputs",
    "robust_features_job",
    "robust_split",
    "row",
    "table",
    "targets_for",
]
