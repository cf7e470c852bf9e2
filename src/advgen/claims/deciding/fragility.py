"""Fragile verdicts: a rule, fixed with the analysis, that names the rows a rerun may flip.

A verdict is **fragile** where the p-value that decides it, adjusted within its family (Holm in
both directions, :func:`advgen.claims.deciding.verdict.adjust`), lies within ``[alpha / 4, 4 alpha]`` of
the test's level: a "holds" or "does not hold" kept by less than a factor of 4, or an
"inconclusive" that misses a verdict by less than that. Such a row is one float rounding, one
seed or one kernel away from another verdict. The rule reads only the verdict table's columns,
so it applies to a table written before it (round 1's: the deciding p is rebuilt from
``p_value``, the "does not hold" direction's as ``1 - p_value`` where the table has no
``p_against``; for the page's intervals the two directions' p-values sum to 1).

The band's factor is :data:`FACTOR`; rows without a p-value (not measured, not testable, an
exact value) are never fragile.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from advgen.claims.deciding.verdict_words import WITHHELD

#: a deciding adjusted p within [alpha / FACTOR, FACTOR * alpha] makes a verdict fragile
FACTOR = 4.0
HOLDS, FAILS, AT_SCALE = "holds", "does not hold", "does not hold at this scale"


def _number(x: Any) -> float:
    try:
        out = float(x)
    except (TypeError, ValueError):
        return math.nan
    return out


def _decided(row: Any) -> str:
    """The verdict the row's p decides: before Holm's adjustment, a "not valid" or "not reproduced"
    one's would-be."""
    raw = str(getattr(row, "raw_verdict", "") or "")
    if raw:
        return raw
    if row.verdict in WITHHELD:
        return str(getattr(row, "would_be", "") or "")
    return str(row.verdict)


def deciding_p(row: Any) -> float:
    """The unadjusted p of the direction the row decides (:func:`advgen.claims.deciding.verdict.deciding_p`
    on a table row)."""
    p = _number(getattr(row, "p_value", math.nan))
    if not math.isfinite(p):
        return math.nan
    against = _number(getattr(row, "p_against", math.nan))
    if not math.isfinite(against):
        against = 1.0 - p
    decided = _decided(row)
    if decided == HOLDS:
        return p
    if decided in (FAILS, AT_SCALE):
        return against
    return min(p, against)


def deciding_adjusted(table: pd.DataFrame) -> pd.Series:
    """Each row's deciding p, Holm-adjusted within its family (a row without a family alone):
    the table's ``p_adjusted`` where it has ``p_against`` (written by the two-direction
    adjustment), else rebuilt from its p-values."""
    from advgen.claims.statistics.multiple_testing import holm

    if "p_against" in table.columns and "p_adjusted" in table.columns:
        adjusted = pd.to_numeric(table["p_adjusted"], errors="coerce")
        raw = pd.Series([deciding_p(r) for r in table.itertuples()], index=table.index)
        return adjusted.where(adjusted.notna(), raw)
    raw = pd.Series([deciding_p(r) for r in table.itertuples()], index=table.index)
    alpha = pd.to_numeric(table["alpha"], errors="coerce").fillna(0.025)
    out = raw.copy()
    families = table["family"].fillna("").astype(str) if "family" in table.columns else None
    if families is None:
        return out
    for family, index in table.groupby(families).groups.items():
        if not family:
            continue
        members = [i for i in index if math.isfinite(raw[i])]
        adjusted = holm([float(raw[i]) for i in members], [float(alpha[i]) for i in members])
        for i, p in zip(members, adjusted, strict=True):
            out[i] = p
    return out


def fragile(table: pd.DataFrame) -> pd.Series:
    """Per row, why its verdict is fragile ("" where it is not): ``adjusted p 0.011 within
    [0.00625, 0.1]``."""
    if "p_value" not in table.columns or "alpha" not in table.columns:
        return pd.Series([""] * len(table), index=table.index, dtype=object)
    adjusted = deciding_adjusted(table)
    alpha = pd.to_numeric(table["alpha"], errors="coerce")
    out = []
    for row in table.itertuples():
        i = row.Index
        p, a = float(adjusted[i]), float(alpha[i])
        if not (math.isfinite(p) and math.isfinite(a) and a / FACTOR <= p <= FACTOR * a):
            out.append("")
            continue
        text = f"deciding adjusted p {p:.2g} within [{a / FACTOR:.3g}, {FACTOR * a:.3g}]"
        shown = row.would_be if row.verdict in WITHHELD and hasattr(row, "would_be") else row.verdict
        if p >= a and shown in (HOLDS, FAILS, AT_SCALE):  # a table adjusted in one direction only
            text += "; Holm's adjustment in both directions would not keep it"
        out.append(text)
    return pd.Series(out, index=table.index, dtype=object)
