"""Per-point tables and the aggregate: one Parquet per sweep.

Every per-point table starts with the point's identity (:data:`ID_COLUMNS`) and its
hyperparameters (one column per key of the sweep block), followed by the sweep's metric
columns (its point spec's ``METRICS``, :mod:`advgen.sweeps.spec`). :func:`aggregate` checks each
table against that schema, casts the metric columns to their declared dtypes and concatenates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from advgen.errors import AdvgenError
from advgen.io import read_parquet
from advgen.specs import spec_dict
from advgen.sweeps.spec import PointSpec

ID_COLUMNS: dict[str, str] = {
    "sweep": "string",
    "point": "string",
    "generator": "string",
    "generator_kind": "string",
    "dataset": "string",
    "classifier": "string",
    "seed": "int64",
}


def point_frame(spec: PointSpec, rows: Mapping[str, Any] | pd.DataFrame) -> pd.DataFrame:
    """A per-point table: identity and hyperparameter columns of ``spec``, then ``rows``.

    Hyperparameters are every field of the spec that is not an identity column, a metric
    column (the spec's ``METRICS``) or ``device``, valued as in the spec's JSON.
    """
    metrics = pd.DataFrame(rows)
    front = {k: getattr(spec, k) for k in ID_COLUMNS}
    params = {
        k: v
        for k, v in sorted(spec_dict(spec).items())
        if k not in ID_COLUMNS and k not in spec.METRICS and k != "device"
    }
    n = len(metrics)
    head = pd.DataFrame({k: [v] * n for k, v in {**front, **params}.items()})
    frame = pd.concat([head, metrics.reset_index(drop=True)], axis=1)
    return cast(frame, spec.sweep, spec.METRICS)


def cast(frame: pd.DataFrame, sweep: str, metrics: Mapping[str, str], where: str = "table") -> pd.DataFrame:
    """Check the identity and metric columns of ``frame`` and cast them to their dtypes."""
    schema = {**ID_COLUMNS, **metrics}
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise AdvgenError(
            f"{where}: not a table of the {sweep} sweep, missing column(s) {', '.join(missing)}"
        )
    try:
        return frame.astype(schema)
    except (TypeError, ValueError) as exc:
        raise AdvgenError(f"{where}: a column of the {sweep} sweep has the wrong type ({exc})") from exc


def aggregate(sweep: str, metrics: Mapping[str, str], paths: Sequence[str | Path]) -> pd.DataFrame:
    """Concatenate the per-point tables of ``sweep`` (its ``metrics`` checked, in the order given)."""
    if not paths:
        raise AdvgenError(f"{sweep}: no per-point tables to aggregate")
    frames = []
    for path in paths:
        frame = cast(read_parquet(path), sweep, metrics, str(path))
        if set(frame["sweep"]) != {sweep}:
            raise AdvgenError(f"{path}: holds sweep(s) {sorted(set(frame['sweep']))}, expected {sweep!r}")
        frames.append(frame)
    columns = list(dict.fromkeys(c for f in frames for c in f.columns))
    nonempty = [f.reindex(columns=columns) for f in frames if len(f)] or [frames[0].reindex(columns=columns)]
    return cast(pd.concat(nonempty, ignore_index=True), sweep, metrics, "aggregate")
