"""The quality gate: a generator run against the bars declared for its role.

``sample_quality.bars`` (generative.schema.yaml, docs/generators.md) maps a role of the config's
``roles`` to its bars: a metric of the sample-quality row and its bound. The direction is the
metric's own: the FID, the KL to uniform and the autoencoder's test MSE are bounded above
(:data:`AT_MOST`), the classes covered (``modes``), the smallest class share, the mean
max-probability, the Inception Score, precision and recall below (:data:`AT_LEAST`); ``no_collapse: true`` fails a
run whose status is ``mode_collapse``. A run fails when any bar of any of its roles fails.

:func:`gate` gives the two columns of the summary table: ``gate`` ("pass", "fail", or "" when no
bar is declared for the run's roles) and ``gate_failures`` ("fid 75.1 > 40; classes 8 < 9").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

AT_MOST = ("fid", "kl_uniform", "test_mse")
AT_LEAST = ("modes", "min_class_fraction", "mean_max_prob", "is_mean", "precision", "recall")
FLAGS = ("no_collapse",)
#: every key a bar may name (the schema's ``bar`` properties; a test checks they agree)
METRICS = AT_MOST + AT_LEAST + FLAGS
#: how a failure names a metric
LABELS = {"modes": "classes"}


def _fmt(value: float) -> str:
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3g}"


def failures(row: Mapping[str, Any], bar: Mapping[str, Any]) -> list[str]:
    """The bars of ``bar`` that ``row`` misses, each as ``"<metric> <value> <op> <bound>"``."""
    out = []
    for metric, bound in bar.items():
        if metric not in METRICS:
            raise KeyError(f"unknown metric {metric!r} of a quality bar (known: {', '.join(METRICS)})")
        if metric == "no_collapse":
            if bound and row.get("status") == "mode_collapse":
                out.append("mode_collapse")
            continue
        value = float(row.get(metric, math.nan))
        label = LABELS.get(metric, metric)
        if metric in AT_MOST and not value <= bound:  # NaN fails
            out.append(f"{label} {_fmt(value)} > {bound:g}")
        elif metric in AT_LEAST and not value >= bound:
            out.append(f"{label} {_fmt(value)} < {bound:g}")
    return out


def gate(row: Mapping[str, Any], bars: Mapping[str, Mapping[str, Any]] | None) -> dict[str, str]:
    """``{"gate", "gate_failures"}`` of ``row`` under the bars of its roles (role -> bar)."""
    if not bars:
        return {"gate": "", "gate_failures": ""}
    missed = [f for role in sorted(bars) for f in failures(row, bars[role])]
    missed = list(dict.fromkeys(missed))
    return {"gate": "fail" if missed else "pass", "gate_failures": "; ".join(missed)}
