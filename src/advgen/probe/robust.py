"""Clean and PGD accuracy of ``probe(features(x))`` over an eps grid: one probe job's rows.

The attack is the robustness stage's PGD curve (:func:`advgen.robustness.evaluate.attack_curve`,
Madry et al. 2018) on the composed model: the adversary differentiates through the frozen
feature extractor and the probe (white-box). Columns: :data:`COLUMNS` -- the source
(``family``: gan / control / classifier; ``loss`` and ``unroll_k`` for discriminators,
``mode`` for classifiers), ``feature_dim``, the probe's ``train_acc``, then per eps
``clean_acc`` and ``robust_acc`` (eps 0 is the clean row) and the curve's statistics.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import torch
from torch import nn

from advgen.attacks.pgd import PGD
from advgen.defense.spec import ProbeSourceSpec
from advgen.probe.columns import COLUMNS, SOURCE_COLUMNS
from advgen.robustness.evaluate import attack_curve
from advgen.robustness.spec import CurveAttackSpec

__all__ = ["pgd_spec", "probe_rows"]


def pgd_spec(spec: ProbeSourceSpec) -> CurveAttackSpec:
    """The robustness-stage attack of a probe spec (eps 0 first: the clean row)."""
    return CurveAttackSpec(
        attack=PGD.name,
        eps=(0.0, *(float(e) for e in spec.eps)),
        params={"steps": int(spec.pgd_steps), "restarts": int(spec.restarts), "norm": "linf"},
        seed=int(spec.seed),
    )


def probe_rows(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, spec: ProbeSourceSpec, source: dict[str, Any]
) -> pd.DataFrame:
    """Rows of one feature source: ``source`` holds the :data:`SOURCE_COLUMNS` values."""
    curve = attack_curve(model, x, y, pgd_spec(spec), classifier=spec.source, attack="pgd")
    for key in SOURCE_COLUMNS:
        curve[key] = source.get(key)
    return curve[COLUMNS]
