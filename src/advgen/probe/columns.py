"""The columns of the probe table (:mod:`advgen.probe.robust`), without torch."""

from __future__ import annotations

from advgen.robustness.tables import CURVE_COLUMNS

SOURCE_COLUMNS = [
    "source",
    "family",
    "dataset",
    "loss",
    "unroll_k",
    "mode",
    "feature_dim",
    "train_acc",
    "fit_seconds",
]
COLUMNS = SOURCE_COLUMNS + [c for c in CURVE_COLUMNS if c not in ("classifier", "params")]
