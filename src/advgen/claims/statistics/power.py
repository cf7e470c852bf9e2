"""The power plan of a confirmatory run: the sample size each claim needs, from an exploratory run.

A claim's test reads an interval at one level, the one that sets its standard error (seeds,
or the examples of a single run; :mod:`advgen.claims.statistics.stats`). Taking a conservative
effect as the true one (since 2026-11-29: the bound of the exploratory effect's 80 % interval
nearest the margin, :data:`CONSERVATIVE`, "safeguard power analysis", Perugini, Gallucci &
Costantini 2014; the exploratory estimate itself before) as ``delta`` (its distance to the
margin, on the test's scale) and its standard error as ``sd / sqrt(n)`` (one sample, or paired
runs / examples) or ``sd * sqrt(2 / n)`` (two independent sides of ``n`` each, Welch), the plan
is the smallest ``n`` at which the test reaches the target power (:data:`POWER`, 97 % since
2026-11-29; 90 % before) at the level Holm's adjustment leaves it (below). An exploratory effect
whose 80 % interval reaches the margin has no conservative effect, and no plan:

* a one-sided test at level ``alpha`` (the claim's interval at ``1 - 2 alpha``: 2.5 % for a
  95 % interval): the power of Student's t test, ``P(T' > t(1 - alpha, df))`` with ``T'``
  non-central t with ``ncp = delta / se(n)`` and ``df = n - 1`` (one sample) or ``2n - 2``
  (two sides; the equal-variance limit of Welch's degrees of freedom); a proportion read by a
  score or exact interval uses the normal limit ``Phi(delta / se(n) - z(1 - alpha))``;
* an equivalence claim (TOST, Schuirmann 1987): both one-sided tests against the band
  ``[margin - tolerance, margin + tolerance]``, power ``P(T1 > t) + P(T2 < -t) - 1`` (the
  standard lower bound, tight where the power is high; Phillips 1990).

The side the plan is for is the one the estimate lies on: where the exploratory estimate is
beyond the margin on the claimed side, the n that makes "holds" likely; where it is on the
other side, the n that makes "does not hold" likely (a confirmatory run must be able to fail).
Where the exploratory interval holds the margin (the claim can go either way), the plan also
covers the other verdict: the ``n`` at which it would reach the target power were the effect as
far on the other side of the margin (for an equivalence claim inside the band, as far outside
its nearer edge), and the plan is the larger of the two. An estimate on the margin, or an exact
value (no sampling error), has no plan.

**The adjusted level.** A claim's verdict counts only where its p-value survives Holm's
step-down within its family (:func:`advgen.claims.deciding.verdict.adjust`, both directions). The plan
reads each test at ``alpha / m``, ``m`` the tests of its family (Holm's first step, and
Bonferroni's level): a family whose every p-value falls below ``alpha / m`` keeps every
verdict, so the power planned is a lower bound of the power after the adjustment.

Pure functions (numpy, scipy): the claims page and ``advgen power-plan`` call them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: the power a plan aims at (90 % before 2026-11-29)
POWER = 0.97
#: the level of the exploratory effect's interval whose bound nearest the margin is the effect a
#: plan takes as true (0: the estimate itself, as before 2026-11-29)
CONSERVATIVE = 0.8
#: the largest sample size searched
MAX_N = 1_000_000


@dataclass(frozen=True)
class Design:
    """How a claim's standard error shrinks with ``n``, the size of its level.

    ``two_sample``: two independent sides of ``n`` each (``se = sd * sqrt(2 / n)``), else one
    sample of ``n`` (``se = sd / sqrt(n)``: one side, paired runs, paired examples);
    ``normal``: proportions read by a score or exact interval (normal quantiles, no df)."""

    two_sample: bool = False
    normal: bool = False

    def df(self, n: int) -> float:
        return math.inf if self.normal else float(2 * n - 2 if self.two_sample else n - 1)

    def se(self, sd: float, n: int) -> float:
        return sd * math.sqrt((2.0 if self.two_sample else 1.0) / n)

    def sd(self, se: float, n: int) -> float:
        """The spread of one unit, from a standard error ``se`` at size ``n``."""
        return se / math.sqrt((2.0 if self.two_sample else 1.0) / n)


def _quantile(p: float, df: float) -> float:
    from scipy.stats import norm, t

    return float(norm.ppf(p)) if math.isinf(df) else float(t.ppf(p, df))


def _upper(x: float, df: float, ncp: float) -> float:
    """``P(T > x)``, T non-central t (normal when ``df`` is infinite) with non-centrality ``ncp``."""
    from scipy.stats import nct, norm

    return float(norm.sf(x - ncp)) if math.isinf(df) else float(nct.sf(x, df, ncp))


def one_sided_power(delta: float, sd: float, n: int, alpha: float, design: Design) -> float:
    """Power of the one-sided test at level ``alpha`` when the effect lies ``delta`` >= 0 beyond
    the margin, with unit spread ``sd`` and size ``n``."""
    df = design.df(n)
    if df <= 0 or sd <= 0:
        return math.nan
    return _upper(_quantile(1 - alpha, df), df, delta / design.se(sd, n))


def tost_power(
    distance_low: float, distance_high: float, sd: float, n: int, alpha: float, design: Design
) -> float:
    """Power of two one-sided tests at level ``alpha`` each, the effect lying ``distance_low`` above
    the band's lower bound and ``distance_high`` below its upper bound (both >= 0 inside)."""
    df = design.df(n)
    if df <= 0 or sd <= 0:
        return math.nan
    se, q = design.se(sd, n), _quantile(1 - alpha, df)
    return max(0.0, _upper(q, df, distance_low / se) + _upper(q, df, distance_high / se) - 1.0)


def required_n(power_at: object, target: float = POWER, start: int = 2, limit: int = MAX_N) -> int | None:
    """The smallest ``n`` in ``[start, limit]`` with ``power_at(n) >= target`` (None: none). The
    power rises with ``n``: doubling brackets it, bisection finds it."""

    def ok(n: int) -> bool:
        p = power_at(n)  # type: ignore[operator]
        return math.isfinite(p) and p >= target

    if ok(start):
        return start
    lo, hi = start, start
    while not ok(hi):
        if hi >= limit:
            return None
        lo, hi = hi, min(limit, 2 * hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi


@dataclass(frozen=True)
class Plan:
    """A claim's plan: ``n`` for the target power (None with ``reason``), the verdict it is for,
    the power now, and what it was computed from."""

    n: int | None
    verdict: str  # "holds" / "does not hold" (the side the estimate lies on), "" without a plan
    power_now: float
    delta: float  # distance of the estimate to the margin (to the band's nearer edge), test scale
    sd: float  # spread of one unit at the level, test scale
    reason: str = ""


def mirrored(estimate: float, direction: str, margin: float, tolerance: float = 0.0) -> float:
    """The estimate reflected to the other verdict's side at the same distance: across the margin,
    or for an equivalence claim across the band's nearer edge (inside <-> outside)."""
    if direction != "equivalent":
        return 2 * margin - estimate
    low, high = margin - tolerance, margin + tolerance
    edge = low if abs(estimate - low) <= abs(estimate - high) else high
    return 2 * edge - estimate


def plan(
    estimate: float,
    se: float,
    n_now: int,
    *,
    direction: str,
    margin: float,
    tolerance: float = 0.0,
    alpha: float = 0.025,
    design: Design = Design(),
    target: float = POWER,
    straddles: bool = False,
    conservative: float = 0.0,
) -> Plan:
    """The plan of one claim on its test's scale (take logs of a ratio, its margin and its
    standard error's interval before calling). ``direction``: greater / less / equivalent. The
    plan is for the verdict ``estimate`` points to and, where the exploratory interval
    ``straddles`` the margin, also for the other one (:func:`mirrored`): the larger ``n``.
    ``conservative``: the level of the interval whose bound nearest the margin is the effect taken
    as true (each of a TOST's distances shrinks by its half-width); 0 for the estimate itself."""
    if not (math.isfinite(estimate) and math.isfinite(se)) or n_now < 1:
        return Plan(None, "", math.nan, math.nan, math.nan, "no interval to plan from")
    if se == 0:
        reason = (
            f"no spread among the {n_now} units of the exploratory run (all equal): nothing to plan from"
            if n_now >= 2
            else "exact: no sampling error, nothing to plan"
        )
        return Plan(None, "", math.nan, 0.0, 0.0, reason)
    sd = design.sd(se, n_now)
    shrink = _quantile(0.5 + conservative / 2, design.df(max(n_now, 2))) * se if conservative > 0 else 0.0

    def one_verdict(estimate: float) -> Plan:
        """The plan for the verdict ``estimate`` points to."""
        if direction == "equivalent":
            low, high = estimate - (margin - tolerance), (margin + tolerance) - estimate
            if low > 0 and high > 0:
                raw = min(low, high)
                low, high = low - shrink, high - shrink

                def power(n: int) -> float:
                    return tost_power(low, high, sd, n, alpha, design)

                verdict, delta = "holds", min(low, high)
            else:  # outside the band: the one-sided test against its nearer edge
                raw = -low if low <= 0 else -high
                delta, verdict = raw - shrink, "does not hold"

                def power(n: int) -> float:
                    return one_sided_power(delta, sd, n, alpha, design)
        else:
            signed = (1.0 if direction == "greater" else -1.0) * (estimate - margin)
            raw = abs(signed)
            delta, verdict = raw - shrink, ("holds" if signed > 0 else "does not hold")

            def power(n: int) -> float:
                return one_sided_power(delta, sd, n, alpha, design)

        if raw == 0:
            return Plan(None, "", math.nan, 0.0, sd, "the estimate lies on the margin: no n decides it")
        if delta <= 0:
            return Plan(None, "", math.nan, delta, sd, (
                f"the exploratory effect's {conservative:.0%} interval reaches the margin: no conservative "
                "effect to plan from"
            ))  # fmt: skip
        n = required_n(power, target)
        reason = "" if n is not None else f"more than {MAX_N:,}"
        return Plan(n, verdict, power(n_now) if n_now >= 2 else math.nan, delta, sd, reason)

    first = one_verdict(estimate)
    if not straddles or first.n is None:
        return first
    other = one_verdict(mirrored(estimate, direction, margin, tolerance))
    if other.n is None:
        return Plan(None, "either", first.power_now, first.delta, first.sd, other.reason)
    if other.n <= first.n:
        return Plan(first.n, f"{first.verdict} (either way)", first.power_now, first.delta, first.sd)
    return Plan(other.n, f"{other.verdict} (either way)", first.power_now, first.delta, first.sd)


# --- a claims page row (results/tables/claims.parquet) -> its plan ---------------------------

#: the statuses a plan is made for (the others are declared paper-only or not testable)
PLANNED_STATUS = "measured"


@dataclass(frozen=True)
class RowPlan:
    """One row of ``docs/power_plan.md``: the claim, the level and size its interval has now, and
    the plan (``n`` for the target power in ``unit``, or ``None`` with ``plan.reason``)."""

    id: str
    scale: str  # "log" (a ratio: logs of the estimate, margin and interval) or "linear"
    design: Design
    unit: str
    n_now: int
    alpha: float
    se: float
    plan: Plan

    @property
    def status(self) -> str:
        """``planned``, ``underpowered`` (with a cap: see :func:`budget_status`) or ``not planned``."""
        return "planned" if self.plan.n is not None else "not planned"


def _unit(sample_size: str, runs: int, two_sample: bool) -> str:
    """The level's unit from the page's sample-size text ("3 seeds (aggregate per seed)",
    "1 seed × 32 digits", "9 source models × 3000 examples")."""
    head, _, tail = sample_size.partition("×")
    if runs >= 2:
        words = head.split("(")[0].split()[1:]
        unit = " ".join(words) or "runs"
        return f"{unit} per side" if two_sample else unit
    words = tail.split()[1:] if tail.strip() else ["examples"]
    return " ".join(words) + " per run"


def row_plan(
    row: Mapping[str, Any], *, alpha: float | None = None, target: float = POWER, family_size: int = 1,
    conservative: float = CONSERVATIVE,
) -> RowPlan:  # fmt: skip
    """The plan of one claims-page row (the columns of ``results/tables/claims.parquet``).

    The row's own ``se`` and ``df`` columns are used where the page writes them; else the
    standard error is recovered from the interval ``[lo, hi]`` at ``confidence``, the method
    text telling the scale (``log values`` / ``log ratio``), the design (``Welch``: two sides,
    ``Newcombe``: two proportions, ``Clopper-Pearson``: one proportion) and the level (``seeds``
    >= 2: the runs, else one run's ``examples``). For Welch the recovery assumes the largest
    degrees of freedom, ``2n - 2`` (the smallest t quantile, so the largest standard error: a
    conservative plan). ``alpha``: the one-sided level (default: the row's, ``(1 - confidence) / 2``),
    divided by ``family_size``, the tests of the claim's family (Holm's adjusted level: the module's
    docstring). Where the row's interval holds the margin, the plan covers either verdict
    (:func:`plan`'s ``straddles``). ``conservative``: the level of the exploratory interval whose
    bound nearest the margin is the effect planned for (:data:`CONSERVATIVE`).
    """
    from scipy.stats import norm

    method = str(row.get("method") or "")
    rid = str(row.get("id"))
    confidence = float(row.get("confidence") or 0.95)
    level = ((1 - confidence) / 2 if alpha is None else alpha) / max(1, int(family_size))
    seeds, examples = int(row.get("seeds") or 0), int(row.get("examples") or 0)
    two = "Welch" in method or "Newcombe" in method
    design = Design(two_sample=two, normal="Newcombe" in method or "Clopper-Pearson" in method)
    runs = seeds if seeds >= 2 else 1
    n_now = seeds if seeds >= 2 else examples
    unit = _unit(str(row.get("sample_size") or ""), runs, two)
    log = "log values" in method or "log ratio" in method
    est, lo, hi = (float(row.get(k, math.nan)) for k in ("estimate", "lo", "hi"))
    margin, tolerance = float(row.get("margin", math.nan)), float(row.get("tolerance") or 0.0)
    direction = str(row.get("direction") or "")

    def none(reason: str) -> RowPlan:
        return RowPlan(rid, "log" if log else "linear", design, unit, n_now, level, math.nan,
                       Plan(None, "", math.nan, math.nan, math.nan, reason))  # fmt: skip

    if row.get("status") != PLANNED_STATUS:
        return none(f"status {row.get('status')}: no test to plan")
    if "Bonferroni" in method:
        return none("a range over units with simultaneous intervals: plan each unit's claim")
    if direction not in ("greater", "less", "equivalent") or not math.isfinite(est):
        return none("no estimate")
    if log:
        if min(est, lo, hi, margin) <= 0 or (direction == "equivalent" and margin - tolerance <= 0):
            return none("a ratio with a non-positive value: no log scale")
        band = (
            (math.log(margin - tolerance), math.log(margin + tolerance))
            if direction == "equivalent"
            else None
        )
        est, lo, hi, margin = math.log(est), math.log(lo), math.log(hi), math.log(margin)
        if band is not None:
            margin, tolerance = (band[0] + band[1]) / 2, (band[1] - band[0]) / 2
    if "se" in row and row.get("se") is not None and math.isfinite(float(row["se"])):
        se = float(row["se"])
    elif not (math.isfinite(lo) and math.isfinite(hi)):
        return none("no interval to plan from")
    elif hi == lo:
        se = 0.0
    elif design.normal and not two and 0 < est < 1 and n_now >= 1:
        se = math.sqrt(est * (1 - est) / n_now)  # the binomial's, not the exact interval's asymmetric width
    else:
        q = (
            float(norm.ppf(0.5 + confidence / 2))
            if design.normal
            else _quantile(0.5 + confidence / 2, design.df(n_now))
        )
        se = (hi - lo) / (2 * q)
    if direction == "equivalent":
        straddles = lo <= margin - tolerance <= hi or lo <= margin + tolerance <= hi
    else:
        straddles = lo <= margin <= hi
    result = plan(est, se, n_now, straddles=straddles, direction=direction, margin=margin, tolerance=tolerance,
                  alpha=level, design=design, target=target, conservative=conservative)  # fmt: skip
    return RowPlan(rid, "log" if log else "linear", design, unit, n_now, level, se, result)


def budget_size(unit: str, now: int, max_runs: int, max_examples: int) -> int:
    """The most units the budget gives a claim planned in ``unit``: ``max_examples`` at the
    examples' level (a unit "per run"), else ``max_runs``; never below ``now``, what the
    exploratory run already had."""
    return max(max_examples if unit.endswith("per run") else max_runs, now)


def budget_status(row: RowPlan, max_runs: int, max_examples: int) -> str:
    """``planned`` where the plan's ``n`` fits the budget (``max_runs`` at a run level: seeds,
    source models, ...; ``max_examples`` per run at the examples' level; never below what the
    exploratory run already had), ``underpowered at this budget`` beyond it, ``not planned``
    without a plan."""
    if row.plan.n is None:
        return "not planned"
    cap = budget_size(row.unit, row.n_now, max_runs, max_examples)
    return "planned" if row.plan.n <= cap else "underpowered at this budget"
