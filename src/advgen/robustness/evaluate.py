"""Robustness curves: one attack over an epsilon grid on one classifier -> Parquet rows.

Row columns (one row per eps; minimal-perturbation attacks add an ``eps = inf`` row, the
unbounded search that the minimal-perturbation table reads):

``classifier, attack, attack_type, eps, norm, n, clean_acc, robust_acc, success_rate,
mean_l2, median_l2, mean_linf, median_linf, mean_norm, rho_adv, mean_adv_confidence, seconds, params``

* ``success_rate``: share of the correctly classified inputs the attack fools.
* ``mean_/median_l2|linf``, ``mean_norm`` (the attack's own measure) and ``rho_adv``
  (mean ``||r||_2 / ||x||_2``, DeepFool's rho_adv) are over the fooled examples (NaN if none).
* ``mean_adv_confidence``: mean softmax probability of the (wrong) predicted class on the
  fooled examples (Goodfellow et al. 2015, Sec. 6: "an average confidence of 81.4%" on the
  misclassified adversarial examples of an adversarially trained maxout net; NaN if none).
* ``seconds``: wall-clock time of the whole sweep (shared by its rows).

:func:`attack_sweep` also returns the per-example outcomes (``advgen.columns.ATTACK_EXAMPLE_COLUMNS``:
one row per eps and example, ``example`` the index into the test split), which the worst-case
table (:mod:`advgen.robustness.worst_case`) combines across attacks.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import torch
from torch import nn

from advgen.attacks import ATTACKS
from advgen.attacks.base import Attack, AttackResult, MinimalAttack
from advgen.columns import ATTACK_EXAMPLE_COLUMNS
from advgen.robustness.spec import AttackSpec, CurveAttackSpec, attack_spec
from advgen.robustness.tables import CURVE_COLUMNS as COLUMNS

#: attack parameters honoured only where robust accuracy is measured (``evaluation=True``):
#: PGD's ``early_stop`` keeps the first fooling iterate, which would weaken examples crafted
#: to transfer to other models or to be shown
EVALUATION_ONLY = ("early_stop",)


def make_attack(
    spec: AttackSpec | Mapping[str, Any],
    model: nn.Module,
    *,
    batch_size: int | None = None,
    evaluation: bool = False,
) -> Attack:
    """Instantiate an attack: its class, ``params`` and ``seed`` (an :class:`AttackSpec`, or a
    ``robustness.attacks`` entry, typed by :func:`advgen.robustness.spec.attack_spec`).

    ``evaluation``: the caller only counts which inputs are fooled (robust accuracy), so the
    :data:`EVALUATION_ONLY` parameters apply; otherwise they are dropped.
    """
    spec = attack_spec(spec)
    params = dict(spec.params)
    if not evaluation:
        for key in EVALUATION_ONLY:
            params.pop(key, None)
    return ATTACKS[spec.attack](model, **params, seed=spec.seed, batch_size=batch_size)


def _masked_stats(values: torch.Tensor, mask: torch.Tensor) -> tuple[float, float]:
    if not bool(mask.any()):
        return math.nan, math.nan
    picked = values[mask].double()
    return float(picked.mean()), float(picked.median())


@torch.no_grad()
def adversarial_confidence(
    model: nn.Module, adv: torch.Tensor, batch_size: int | None = None
) -> torch.Tensor:
    """Max softmax probability of ``model`` on each input of ``adv`` (model in eval mode)."""
    was_training = model.training
    model.eval()
    step = batch_size or len(adv) or 1
    probs = [
        torch.softmax(model(adv[i : i + step]).double(), dim=1).amax(dim=1) for i in range(0, len(adv), step)
    ]
    model.train(was_training)
    return torch.cat(probs).cpu() if probs else torch.zeros(0, dtype=torch.float64)


def result_row(
    result: AttackResult, x: torch.Tensor, norm: str, confidence: torch.Tensor | None = None
) -> dict[str, Any]:
    """Summary statistics of one attack result (see the module docstring).

    ``confidence``: the model's max softmax probability on ``result.adv`` (see
    :func:`adversarial_confidence`); without it ``mean_adv_confidence`` is NaN.
    """
    fooled = ~result.adv_correct & (result.linf > 0)
    n = len(result.adv_correct)
    correct = int(result.clean_correct.sum())
    mean_l2, median_l2 = _masked_stats(result.l2, fooled)
    mean_linf, median_linf = _masked_stats(result.linf, fooled)
    rel = result.l2 / x.flatten(1).norm(dim=1).clamp_min(1e-12)
    return {
        "eps": float(result.eps),
        "norm": norm,
        "n": n,
        "clean_acc": correct / n,
        "robust_acc": int(result.adv_correct.sum()) / n,
        "success_rate": float(result.success.sum()) / correct if correct else math.nan,
        "mean_l2": mean_l2,
        "median_l2": median_l2,
        "mean_linf": mean_linf,
        "median_linf": median_linf,
        "mean_norm": _masked_stats(result.norm, fooled)[0],
        "rho_adv": _masked_stats(rel, fooled)[0],
        "mean_adv_confidence": math.nan if confidence is None else _masked_stats(confidence, fooled.cpu())[0],
    }


def attack_curve(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    spec: CurveAttackSpec | Mapping[str, Any],
    **options: Any,
) -> pd.DataFrame:
    """Run ``spec``'s attack over its ``eps`` grid on (x, y); one row per eps (see module doc).
    ``options``: :func:`attack_sweep`'s (``classifier`` and ``attack`` required, ``batch_size``)."""
    return attack_sweep(model, x, y, spec, **options)[0]


def attack_sweep(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    spec: CurveAttackSpec | Mapping[str, Any],
    *,
    classifier: str,
    attack: str,
    batch_size: int | None = None,
    examples: torch.Tensor | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`attack_curve`'s rows and the per-example outcomes of the same sweep.

    ``examples``: the test-split index of each row of ``x`` (default ``0..N-1``); the
    per-example table has one row per eps and example (``ATTACK_EXAMPLE_COLUMNS``). ``spec``: a
    :class:`CurveAttackSpec`, or a ``robustness.attacks`` entry (typed by
    :func:`advgen.robustness.spec.attack_spec`).
    """
    spec = attack_spec(spec, CurveAttackSpec)
    _example_ids(x, examples)  # before the attack runs
    sweep = run_sweep(model, x, y, spec, batch_size=batch_size)
    return sweep_tables(
        model, x, sweep, spec, classifier=classifier, attack=attack, batch_size=batch_size, examples=examples
    )


@dataclass
class Sweep:
    """One attack over its eps grid: the attack, one result per eps (a minimal-perturbation
    attack adds ``eps = inf``, its unbounded search) and the sweep's wall seconds."""

    attack: Attack
    results: list[AttackResult]
    seconds: float


def run_sweep(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    spec: CurveAttackSpec | Mapping[str, Any],
    *,
    batch_size: int | None = None,
    attack: Attack | None = None,
) -> Sweep:
    """Run ``spec``'s attack over its eps grid on (x, y) (:func:`attack_sweep` without the
    tables); ``attack``: the attack :func:`make_attack` made of ``spec`` already (else made here)."""
    spec = attack_spec(spec, CurveAttackSpec)
    atk = attack or make_attack(spec, model, batch_size=batch_size, evaluation=True)
    grid = [float(e) for e in spec.eps]
    if isinstance(atk, MinimalAttack):
        grid.append(math.inf)
    t0 = time.perf_counter()
    results = atk.sweep(x, y, grid)
    return Sweep(atk, results, time.perf_counter() - t0)


def sweep_tables(
    model: nn.Module,
    x: torch.Tensor,
    sweep: Sweep,
    spec: CurveAttackSpec,
    *,
    classifier: str,
    attack: str,
    batch_size: int | None = None,
    examples: torch.Tensor | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows (:data:`COLUMNS`) and per-example outcomes of a :func:`run_sweep` (see :func:`attack_sweep`)."""
    ids = _example_ids(x, examples)
    rows, outcomes = [], []
    for res in sweep.results:
        row = {"classifier": classifier, "attack": attack, "attack_type": spec.attack}
        row.update(result_row(res, x, sweep.attack.norm, adversarial_confidence(model, res.adv, batch_size)))
        row.update(seconds=sweep.seconds, params=json.dumps(spec.params, sort_keys=True))
        rows.append(row)
        outcomes.append(
            pd.DataFrame(
                {
                    "classifier": classifier,
                    "attack": attack,
                    "eps": float(res.eps),
                    "example": ids,
                    "clean_correct": res.clean_correct.cpu().numpy().astype(bool),
                    "adv_correct": res.adv_correct.cpu().numpy().astype(bool),
                },
                columns=ATTACK_EXAMPLE_COLUMNS,
            )
        )
    per_example = (
        pd.concat(outcomes, ignore_index=True)
        if outcomes
        else pd.DataFrame({c: [] for c in ATTACK_EXAMPLE_COLUMNS}, columns=ATTACK_EXAMPLE_COLUMNS)
    )
    return pd.DataFrame(rows, columns=COLUMNS), per_example


def _example_ids(x: torch.Tensor, examples: torch.Tensor | None) -> Any:
    """The test-split index of each row of ``x`` (default ``0..N-1``) as int64 NumPy."""
    ids = (torch.arange(len(x)) if examples is None else examples).cpu().numpy().astype("int64")
    if len(ids) != len(x):
        raise ValueError(f"attack_sweep: {len(ids)} example ids for {len(x)} inputs")
    return ids
