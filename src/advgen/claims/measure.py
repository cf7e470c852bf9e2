"""Reduce a claim's term to numbers: rows of one Parquet table -> mean ± spread over replicates.

A *replicate* is one value of the term's ``over`` column (``seed`` by default when the
table has it); each replicate's rows are reduced with the term's ``agg``. The spread is
the sample standard deviation over replicates (0 with one replicate). Anything that keeps a
term from being measured (a missing table, a missing column, no matching rows) becomes a
:class:`Measurement` with ``ok = False`` and a note, never an exception.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from advgen.claims.spec import Term
from advgen.errors import CheckpointError
from advgen.io import read_parquet


@dataclass
class Measurement:
    """A term's value: mean and spread over ``n`` replicates (or why it is missing)."""

    mean: float = math.nan
    spread: float = math.nan
    n: int = 0
    rows: int = 0
    values: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.n > 0 and math.isfinite(self.mean)

    def text(self, digits: int = 4) -> str:
        """``0.812 ± 0.013 (3 seeds)`` or ``0.812 (1 run)`` or ``not measured (why)``."""
        if not self.ok:
            return f"not measured ({self.note})" if self.note else "not measured"
        mean = f"{self.mean:.{digits}g}"
        if self.n == 1:
            return f"{mean} (1 run)"
        return f"{mean} ± {self.spread:.2g} ({self.n} replicates)"


class Tables:
    """Cache of the Parquet tables under one results folder (missing ones remembered as None)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._cache: dict[str, pd.DataFrame | None] = {}

    def get(self, rel: str) -> pd.DataFrame | None:
        if rel not in self._cache:
            path = self.root / rel
            try:
                self._cache[rel] = read_parquet(path) if path.is_file() else None
            except CheckpointError:
                self._cache[rel] = None
        return self._cache[rel]


def _values(frame: pd.DataFrame, expr: str) -> pd.Series:
    if expr in frame.columns:
        return frame[expr]
    return pd.Series(frame.eval(expr, engine="python"), index=frame.index)


def _reduce(frame: pd.DataFrame, term: Term) -> float:
    values = pd.to_numeric(_values(frame, term.value), errors="coerce").astype("float64")
    if term.agg == "last":
        order = frame[term.order_by].to_numpy()
        return float(values.to_numpy()[np.argsort(order, kind="stable")][-1])
    return float(getattr(values.replace([np.inf, -np.inf], np.nan).dropna(), term.agg)())


def _select(tables: Tables, term: Term) -> tuple[pd.DataFrame | None, str]:
    frame = tables.get(term.table)
    if frame is None:
        return None, f"{term.table} missing"
    if term.query:
        try:
            frame = frame.query(term.query, engine="python")
        except Exception as exc:  # pandas raises UndefinedVariableError, KeyError, TypeError...
            return None, f"{term.table}: query failed ({type(exc).__name__}: {exc})"
    if frame.empty:
        return None, f"{term.table}: no rows match"
    return frame, ""


def summarise(values: list[float], rows: int) -> Measurement:
    """Mean and sample standard deviation of replicate values (NaNs dropped)."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return Measurement(rows=rows, note="no finite values")
    arr = np.asarray(finite, dtype=float)
    spread = float(arr.std(ddof=1)) if len(arr) > 1 else 0.0
    return Measurement(float(arr.mean()), spread, len(arr), rows, finite)


def _replicates(frame: pd.DataFrame, term: Term) -> tuple[list[float] | None, str]:
    over = term.over or ("seed" if "seed" in frame.columns else None)
    if over is not None and over not in frame.columns:
        return None, f"{term.table}: no column {over!r}"
    try:
        if over is None:
            return [_reduce(frame, term)], ""
        return [_reduce(group, term) for _, group in frame.groupby(over, sort=True)], ""
    except Exception as exc:  # a missing column or a bad expression: not measured, explained
        return None, f"{term.table}: cannot compute {term.value!r} ({type(exc).__name__}: {exc})"


def measure(tables: Tables, term: Term) -> Measurement:
    """The term's mean ± spread over replicates."""
    frame, note = _select(tables, term)
    if frame is None:
        return Measurement(note=note)
    values, note = _replicates(frame, term)
    if values is None:
        return Measurement(note=note)
    return summarise(values, len(frame))


def measure_by(tables: Tables, term: Term, by: str) -> tuple[dict[float | str, Measurement], str]:
    """One measurement per value of the grid column ``by`` (sorted), or ({}, why)."""
    frame, note = _select(tables, term)
    if frame is None:
        return {}, note
    if by not in frame.columns:
        return {}, f"{term.table}: no column {by!r}"
    out: dict[float | str, Measurement] = {}
    for key, group in frame.groupby(by, sort=True):
        values, note = _replicates(group, term)
        if values is None:
            return {}, note
        out[key] = summarise(values, len(group))
    return out, ""
