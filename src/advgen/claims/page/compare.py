"""Two claims pages of one study compared row by row (``advgen claims compare MINE PUBLISHED``).

For every claim on both verdict tables (``claims.parquet``): whether the verdicts agree, and
whether the estimates differ by more than the two rows' own standard errors allow. Each row's
standard error is read off its interval (the half-width that faces the other estimate, over the
normal quantile of the row's confidence: 95 %, or 90 % for an equivalence test), so asymmetric
intervals (a rate near 1, a ratio) count on the side the difference lies; two estimates are
*outside their joint interval* where ``|a - b| > z(0.975) sqrt(se_a^2 + se_b^2)``; two estimates
that differ where both rows' intervals have zero width (no joint error at all) lie outside it too,
and are counted apart in the summary (since 2026-11-29: they were left out before). Reading a
t-interval's half-width with a normal quantile overstates its standard error, so the test errs
towards "within". A verdict that differs is named fragile where the published page's rule
marks it (:mod:`advgen.claims.deciding.fragility`; a table without the column gets it from its p-values).
A table with a claim id twice, or an estimate or bound that is infinite (or an estimate missing
where the row has an interval), is refused (:func:`check`): one line naming the file and the claim.

The summary line: ``66 of 68 agree; 2 differ, both fragile; 0 estimates outside their joint
interval``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

#: the columns a verdict table needs here (the rest are read where present)
COLUMNS = ("id", "verdict", "estimate", "lo", "hi")
#: the joint interval's level
JOINT = 0.95


@dataclass(frozen=True)
class Row:
    """One claim on both pages."""

    id: str
    verdicts: tuple[str, str]
    effects: tuple[str, str]
    fragile: tuple[str, str]
    z: float  # |a - b| over its joint standard error (NaN where either has no interval)

    @property
    def agree(self) -> bool:
        return self.verdicts[0] == self.verdicts[1]

    @property
    def outside(self) -> bool:
        """The estimates differ by more than their joint interval allows (an infinite ``z``: they
        differ where neither row has any error)."""
        from scipy.stats import norm

        return not math.isnan(self.z) and self.z > float(norm.ppf(0.5 + JOINT / 2))

    @property
    def zero_error(self) -> bool:
        """The estimates differ and neither row's interval has any width."""
        return math.isinf(self.z)


def _number(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def _se(row: Any, towards: float) -> float:
    """The row's standard error on the side of its interval that faces ``towards``."""
    from scipy.stats import norm

    est, lo, hi = (_number(getattr(row, k, math.nan)) for k in ("estimate", "lo", "hi"))
    confidence = _number(getattr(row, "confidence", math.nan))
    if not math.isfinite(confidence):
        confidence = 0.90 if getattr(row, "direction", "") == "equivalent" else 0.95
    half = (hi - est) if towards >= est else (est - lo)
    return half / float(norm.ppf(0.5 + confidence / 2)) if math.isfinite(half) else math.nan


def _effect(row: Any) -> str:
    est, lo, hi = (_number(getattr(row, k, math.nan)) for k in ("estimate", "lo", "hi"))
    if not math.isfinite(est):
        return "–"
    return f"{est:.4g}" + (f" [{lo:.4g}, {hi:.4g}]" if math.isfinite(lo) and math.isfinite(hi) else "")


def _z(a: Any, b: Any) -> float:
    ea, eb = _number(a.estimate), _number(b.estimate)
    if not (math.isfinite(ea) and math.isfinite(eb)):
        return math.nan
    if ea == eb:
        return 0.0
    joint = math.hypot(_se(a, eb), _se(b, ea))
    if not math.isfinite(joint):
        return math.nan
    return math.inf if joint == 0 else abs(ea - eb) / joint


def check(table: pd.DataFrame, path: str) -> None:
    """Refuse a verdict table that cannot be compared row by row: a claim id twice, an infinite
    estimate or bound, or an estimate missing where the row has an interval (one
    :class:`~advgen.errors.AdvgenError` line naming ``path`` and the claim)."""
    from advgen.errors import AdvgenError

    ids = table["id"].astype(str)
    twice = ids[ids.duplicated()]
    if len(twice):
        raise AdvgenError(f"{path}: claim {twice.iloc[0]} appears {int((ids == twice.iloc[0]).sum())} times")
    for row in table.itertuples():
        values = {k: _number(getattr(row, k)) for k in ("estimate", "lo", "hi")}
        bad = [k for k, v in values.items() if math.isinf(v)]
        if bad:
            raise AdvgenError(f"{path}: claim {row.id}: {bad[0]} {values[bad[0]]} is not a finite number")
        if math.isnan(values["estimate"]) and any(math.isfinite(values[k]) for k in ("lo", "hi")):
            raise AdvgenError(f"{path}: claim {row.id}: no estimate beside its interval")


def _with_fragile(table: pd.DataFrame) -> pd.DataFrame:
    if "fragile" in table.columns:
        return table
    from advgen.claims.deciding.fragility import fragile

    out = table.copy()
    out["fragile"] = fragile(out)
    return out


def compare(mine: pd.DataFrame, published: pd.DataFrame) -> tuple[list[Row], list[str], list[str]]:
    """The rows on both pages (in the published page's order), and the ids on one page only."""
    mine, published = _with_fragile(mine), _with_fragile(published)
    left = {str(r.id): r for r in mine.itertuples()}
    right = {str(r.id): r for r in published.itertuples()}
    rows = []
    for rid, b in right.items():
        if rid not in left:
            continue
        a = left[rid]
        rows.append(
            Row(
                rid,
                (str(a.verdict), str(b.verdict)),
                (_effect(a), _effect(b)),
                (str(a.fragile or ""), str(b.fragile or "")),
                _z(a, b),
            )
        )
    return rows, sorted(set(left) - set(right)), sorted(set(right) - set(left))


def summary(rows: list[Row]) -> str:
    """``66 of 68 agree; 2 differ, both fragile; 0 estimates outside their joint interval``."""
    differ = [r for r in rows if not r.agree]
    fragile = sum(1 for r in differ if r.fragile[1])
    text = f"{len(rows) - len(differ)} of {len(rows)} agree"
    if differ:
        if fragile == len(differ):
            which = "fragile" if len(differ) == 1 else "both fragile" if len(differ) == 2 else "all fragile"
        else:
            which = f"{fragile} of them fragile"
        text += f"; {len(differ)} differ, {which}"
    else:
        text += "; 0 differ"
    outside = sum(1 for r in rows if r.outside)
    zero = sum(1 for r in rows if r.zero_error)
    text += f"; {outside} estimate{'s' if outside != 1 else ''} outside their joint interval"
    return text + (f" ({zero} of them with zero joint error)" if zero else "")


def markdown(rows: list[Row], only: tuple[list[str], list[str]], names: tuple[str, str]) -> str:
    """The summary line, then every row whose verdicts differ or whose estimates lie outside
    their joint interval, with both pages' values."""
    lines = [summary(rows) + f" ({names[0]} against {names[1]})."]
    for name, ids in zip(names, only, strict=True):
        if ids:
            lines.append(f"On {name} only: {', '.join(ids)}.")
    shown = [r for r in rows if not r.agree or r.outside]
    if shown:
        lines += [
            "",
            f"| claim | verdict {names[0]} | verdict {names[1]} | fragile ({names[1]}) | {names[0]} | "
            f"{names[1]} | difference / joint se |",
            "|---|---|---|---|---|---|---:|",
        ]
        for r in shown:
            mark = "" if r.agree else " **(verdict differs)**"
            z = f"{r.z:.2f}" if math.isfinite(r.z) else "–"
            lines.append(
                f"| `{r.id}`{mark} | {r.verdicts[0]} | {r.verdicts[1]} | {r.fragile[1] or 'no'} | "
                f"{r.effects[0]} | {r.effects[1]} | {z} |"
            )
    return "\n".join(lines) + "\n"
