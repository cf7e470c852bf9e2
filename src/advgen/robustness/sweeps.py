"""Capacity and data-size sweeps: clean and robust accuracy per sweep point.

* Capacity (Madry et al. 2018, Sec. 4: robustness to strong adversaries needs capacity):
  the width multiplier of a CNN, standard vs PGD training.
* Data size (Schmidt et al. 2018, "Adversarially Robust Generalization Requires More
  Data"): the training fraction; the gap between robust accuracy on the training
  examples and on the test set is the robust generalisation gap.

Rows: ``sweep, classifier, seed, mode, width, train_fraction, n_train, parameters, eps,
n_test, clean_acc, robust_acc, train_clean_acc, train_robust_acc`` (``seed``: the point's training
seed, one per run of a replicated base classifier; accuracies on the ``n_test`` (at most
``max_examples``) examples of the test split and, for the data-size sweeps (``data_size``
and ``data_size_<name>``), of the model's own training subset; the capacity sweep leaves
the train columns NaN to save the attack).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
import torch
from torch import nn

from advgen.classifiers.spec import ClassifierSpec
from advgen.classifiers.subsets import eval_subset, select_subset
from advgen.classifiers.zoo import count_parameters
from advgen.columns import SWEEP_JOB_COLUMNS
from advgen.robustness.evaluate import make_attack
from advgen.robustness.plan import sweep_kind
from advgen.robustness.spec import AttackSpec

COLUMNS = list(SWEEP_JOB_COLUMNS)


def clean_and_robust(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    attack: AttackSpec | Mapping[str, Any],
    eps: float,
    batch_size: int | None,
) -> tuple[float, float]:
    """Clean and robust accuracy of ``model`` under ``attack`` at ``eps`` (``attack``: see
    :func:`advgen.robustness.evaluate.make_attack`)."""
    atk = make_attack(attack, model, batch_size=batch_size, evaluation=True)
    atk.eps = float(eps)
    result = atk(x, y)
    return float(result.clean_correct.float().mean()), float(result.adv_correct.float().mean())


def sweep_row(
    sweep: str,
    name: str,
    point: ClassifierSpec,
    model: nn.Module,
    test: tuple[torch.Tensor, torch.Tensor],
    train: tuple[torch.Tensor, torch.Tensor],
    attack: AttackSpec,
    eps: float,
    *,
    max_examples: int | None,
    batch_size: int | None,
    train_max_examples: int | None = None,
) -> dict[str, Any]:
    """One sweep point's row (see the module docstring): ``point`` is the classifier ``name``'s
    spec, which places it in the sweep (mode, width, training subset) and seeds it.

    ``train_max_examples`` caps the training-set evaluation of the data-size sweeps (a
    seeded class-stratified subset of the model's training subset, :func:`eval_subset`;
    the test-side ``max_examples`` caps it too); None: the whole training subset.
    """
    seen = select_subset(train[1], point.train_subset, point.train_fraction, point.subset_seed)
    train_x, train_y = train[0][seen], train[1][seen]
    caps = [c for c in (max_examples, train_max_examples) if c is not None]
    keep = eval_subset(train_y, min(caps) if caps else None)
    clean, robust = clean_and_robust(model, test[0], test[1], attack, eps, batch_size)
    train_clean = train_robust = math.nan
    if sweep_kind(sweep) == "data_size":
        train_clean, train_robust = clean_and_robust(
            model, train_x[keep], train_y[keep], attack, eps, batch_size
        )
    return {
        "sweep": sweep,
        "classifier": name,
        "seed": int(point.seed),
        "mode": point.mode,
        "width": float(point.width),
        "train_fraction": float(point.train_fraction),
        "n_train": len(seen),
        "parameters": count_parameters(model),
        "eps": float(eps),
        "n_test": len(test[1]),
        "clean_acc": clean,
        "robust_acc": robust,
        "train_clean_acc": train_clean,
        "train_robust_acc": train_robust,
    }


def point_table(row: dict[str, Any]) -> pd.DataFrame:
    """One point's row (:func:`sweep_row`) as the table its job writes."""
    return pd.DataFrame([row], columns=COLUMNS).astype({"seed": "int64"})


def sweep_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The sweep's rows as a table sorted by mode, grid value and seed, with ``robust_gap``:
    train robust minus test robust accuracy (Schmidt et al. 2018's robust generalisation gap;
    NaN where the sweep does not measure train accuracy)."""
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["robust_gap"] = table["train_robust_acc"] - table["robust_acc"]
    table = table.astype({"seed": "int64"})
    order = ["mode", "width", "train_fraction", "seed"]
    return table.sort_values(order, kind="stable").reset_index(drop=True)
