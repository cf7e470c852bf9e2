"""Intervals, p-values and verdicts of the claims page.

A side of a claim is a list of *runs* (seeds, or the units a table varies: architectures,
source-target pairs); each run holds its *examples* (one value per test image, pair,
sample, ...) or, where the table only has an aggregate, one value.

The interval is two-level with a Student-t run level (the method whose coverage
``tests/unit/test_claims_coverage.py`` simulates at 3, 5 and 10 seeds):

* a side with ``k >= 2`` runs: each run is reduced to its mean; the side's mean is the mean of
  the run means and its standard error their standard deviation over ``sqrt(k)``, with
  ``k - 1`` degrees of freedom. The run means' spread already holds the examples' sampling
  error, so one t-interval covers both levels. Where the ``k`` means happen to agree more
  closely than their own examples allow, the standard error is floored at the examples'
  sampling error (a lower bound of the true one; it only widens the interval);
* a side with one run of examples: the t-interval over its examples (``n - 1`` degrees of
  freedom); one run's proportion alone gets the exact Clopper-Pearson interval, and a
  difference of two single-run proportions Newcombe's score interval;
* one run with one aggregate value: no interval.

Effects are linear combinations of the sides' means (a value, a difference, a trend's contrast
over a grid), with Welch-Satterthwaite degrees of freedom (Welch 1947). Ratios are taken on the
log scale (each run's log mean; the delta method at the examples' level) and exponentiated.
Sides whose runs are the same units (the same run names, e.g. the points of one seed's sweep)
are paired run by run: the contrast per run, then the t-interval over runs.

:func:`decide` turns an interval and the claim's margin into a verdict: a one-sided claim reads
the 95 % interval, an equivalence claim (TOST, Schuirmann 1987) the 90 % one against its band.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from advgen.claims.statistics.levels import CONFIDENCE
from advgen.claims.statistics.proportions import empirical_logit

HOLDS, FAILS, INCONCLUSIVE = "holds", "does not hold", "inconclusive"
#: the variance of a value rounded to a whole number, a uniform error over one step (Sheppard 1898)
RESOLUTION_VAR = 1 / 12


@dataclass(frozen=True)
class Side:
    """One side of a comparison: per run, the values of its examples."""

    runs: tuple[np.ndarray, ...]
    names: tuple[str, ...] = ()
    #: "examples" (rows are test examples), "proportion" (Bernoulli examples rebuilt from a
    #: rate and its count), "aggregate" (one number per run: the run level only) or "exact"
    #: (a number without sampling error: a parameter count, an identity's residual)
    level: str = "examples"
    #: per run, the resolution of its aggregate value where it is known (a share of the run's rows
    #: moves in steps of one row: 1 / rows), else empty; the run level's floor is its rounding
    #: variance, step^2 / 12 (Sheppard 1898), so runs at one share do not read a spread of 0
    steps: tuple[float, ...] = ()

    @property
    def n_runs(self) -> int:
        return len(self.runs)

    @property
    def n_examples(self) -> int:
        """Examples per run (the smallest run's), 1 for an aggregate."""
        if self.level in ("aggregate", "exact"):
            return 1
        return min((len(r) for r in self.runs), default=0)

    def mean(self) -> float:
        """Mean over runs of each run's mean over its examples."""
        return float(np.mean([r.mean() for r in self.runs]))

    def run_means(self) -> np.ndarray:
        return np.array([r.mean() for r in self.runs], dtype=float)

    def discrete(self) -> bool:
        """Every run's value is a whole number and one lies outside [0, 1]: a count (the modes a
        generator covers), not a share or a flag, whose runs at 0 or 1 read the same."""
        if not self.runs:
            return False
        values = np.concatenate([np.asarray(r, dtype=float).ravel() for r in self.runs])
        if not len(values) or not np.all(np.isfinite(values) & (values == np.round(values))):
            return False
        return bool(np.any((values < 0) | (values > 1)))

    def within(self, log: bool = False) -> np.ndarray:
        """Each run's squared standard error from its own examples (0 for an aggregate); on the
        log scale by the delta method (``var / (n * mean^2)``). A discrete aggregate (whole numbers
        per run) gets its resolution's variance, :data:`RESOLUTION_VAR`: runs that agree on a count
        have not shown a spread of 0, only one below the count's step, so the run level's floor
        keeps its interval from collapsing to a point (two seeds at 7 modes each are not 0 [0, 0]);
        a share of a run's rows (:attr:`steps`) gets its step's, ``(1 / rows)^2 / 12`` (since
        2026-11-29: three runs at 0 of 620 iterations are not 0 [0, 0])."""
        out = []
        discrete = self.level == "aggregate" and self.discrete()
        for i, r in enumerate(self.runs):
            step = self.steps[i] if i < len(self.steps) else 0.0
            if self.level == "aggregate" and (discrete or step > 0):
                var = RESOLUTION_VAR * (1.0 if discrete else step * step)  # the value's rounding to its step
                out.append(var / float(r.mean()) ** 2 if log and r.mean() > 0 else var)
                continue
            if self.level in ("aggregate", "exact") or len(r) < 2:
                out.append(0.0)
                continue
            v = float(r.var(ddof=1)) / len(r)
            out.append(v / float(r.mean()) ** 2 if log and r.mean() > 0 else v)
        return np.array(out)


def side_from_proportions(rates: Sequence[float], counts: Sequence[int], names: Sequence[str] = ()) -> Side:
    """Each run's rate ``k / n`` as ``n`` Bernoulli examples (``k`` ones): exact for a rate of
    independent examples, so the examples' level applies to a table of rates."""
    runs = []
    for rate, n in zip(rates, counts, strict=True):
        n = int(n)
        k = int(round(float(rate) * n))
        runs.append(np.concatenate([np.ones(k), np.zeros(n - k)]))
    return Side(tuple(runs), tuple(names), "proportion")


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its standard error and degrees of freedom (arrays allowed: the
    coverage simulation evaluates thousands at once)."""

    value: np.ndarray | float
    se: np.ndarray | float
    df: np.ndarray | float


def run_level(means: np.ndarray, within: np.ndarray | None = None) -> Estimate:
    """The t estimate over ``k`` run means (last axis): mean, ``sd / sqrt(k)`` floored at the
    examples' sampling error ``sqrt(mean(within) / k)``, ``k - 1`` degrees of freedom."""
    means = np.asarray(means, dtype=float)
    k = means.shape[-1]
    se = means.std(axis=-1, ddof=1) / math.sqrt(k)
    if within is not None:
        se = np.maximum(se, np.sqrt(np.mean(np.asarray(within, dtype=float), axis=-1) / k))
    return Estimate(means.mean(axis=-1), se, np.full(np.shape(se), float(k - 1)))


def examples_level(values: np.ndarray) -> Estimate:
    """The t estimate over one run's examples (last axis)."""
    values = np.asarray(values, dtype=float)
    n = values.shape[-1]
    se = values.std(axis=-1, ddof=1) / math.sqrt(n)
    return Estimate(values.mean(axis=-1), se, np.full(np.shape(se), float(n - 1)))


def side_estimate(side: Side, log: bool = False) -> Estimate:
    """A side's mean (of its run means; of their logs with ``log``) with its standard error."""
    means = side.run_means()
    if log:
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.log(means)
    if side.level == "exact" and side.n_runs == 1:
        return Estimate(float(means[0]), 0.0, math.inf)
    if side.n_runs >= 2:
        return run_level(means, side.within(log))
    if side.level in ("examples", "proportion") and side.n_examples >= 2:
        run = side.runs[0]
        if not log:
            return examples_level(run)
        se = math.sqrt(side.within(True)[0]) if run.mean() > 0 else math.nan
        return Estimate(float(means[0]), se, float(len(run) - 1))
    return Estimate(float(means[0]) if len(means) else math.nan, math.nan, math.nan)


def combine(parts: Sequence[tuple[float, Estimate]]) -> Estimate:
    """``sum(w * estimate)`` over independent estimates, Welch-Satterthwaite degrees of freedom."""
    value = sum(w * np.asarray(e.value, dtype=float) for w, e in parts)
    terms = [(w * w) * np.asarray(e.se, dtype=float) ** 2 for w, e in parts]
    var = sum(terms)
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = sum(t * t / np.asarray(e.df, dtype=float) for t, (_, e) in zip(terms, parts, strict=True))
        df = np.where(var > 0, var * var / denom, np.inf)
    return Estimate(value, np.sqrt(var), df)


def paired_runs(sides: Sequence[Side], weights: Sequence[float], log: bool = False) -> Estimate:
    """``sum(w * side)`` over sides that hold the same runs (same names, same order): the
    contrast per run, then the t estimate over runs (floored at the examples' error)."""
    means = np.stack([s.run_means() for s in sides])
    if log:
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.log(means)
    w = np.asarray(weights, dtype=float)[:, None]
    within = (w**2 * np.stack([s.within(log) for s in sides])).sum(axis=0)
    return run_level((w * means).sum(axis=0), within)


def pooled_halves(a: Side, b: Side, log: bool = False) -> Estimate:
    """``mean(a) - mean(b)`` (of log means with ``log``) for two halves of one condition's runs
    (a permuted null): the two-sample t with the run-level variance pooled over both halves
    (equal by construction), ``k - 2`` degrees of freedom, floored at the examples' error. A half
    of one run has no spread of its own: pooling keeps the seeds' spread on both sides, where
    its examples' error alone would understate it."""
    groups = [a.run_means(), b.run_means()]
    if log:
        with np.errstate(divide="ignore", invalid="ignore"):
            groups = [np.log(g) for g in groups]
    na, nb = len(groups[0]), len(groups[1])
    df = na + nb - 2
    if df < 1:
        return Estimate(float(groups[0].mean() - groups[1].mean()), math.nan, math.nan)
    ss = sum(float(((g - g.mean()) ** 2).sum()) for g in groups)
    se = math.sqrt(ss / df * (1 / na + 1 / nb))
    within = np.concatenate([a.within(log), b.within(log)])
    floor = math.sqrt(float(within.mean()) * (1 / na + 1 / nb))
    return Estimate(float(groups[0].mean() - groups[1].mean()), max(se, floor), float(df))


def paired_examples(a: Side, b: Side, ratio: bool = False) -> Estimate:
    """``a - b`` (or ``log(a / b)``) over sides paired run by run and example by example: per
    run the mean difference (log ratio, delta method), then the t estimate over runs, or over
    the examples of a single run."""
    diffs, within = [], []
    for ra, rb in zip(a.runs, b.runs, strict=True):
        if ratio:
            ma, mb = float(ra.mean()), float(rb.mean())
            with np.errstate(divide="ignore", invalid="ignore"):
                d = ra / ma - rb / mb  # the delta method's per-example terms of log(ma / mb)
                diffs.append(math.log(ma / mb) if ma > 0 and mb > 0 else math.nan)
        else:
            d = ra - rb
            diffs.append(float(d.mean()))
        within.append(float(d.var(ddof=1)) / len(d) if len(d) > 1 else 0.0)
        last = d
    if len(diffs) >= 2:
        return run_level(np.array(diffs), np.array(within))
    n = len(last)
    if n < 2:
        return Estimate(diffs[0], math.nan, math.nan)
    return Estimate(diffs[0], math.sqrt(within[0]), float(n - 1))


def rate_level(side: Side) -> tuple[float, Estimate]:
    """The mean of ``k >= 2`` runs' rates and its t estimate on the logit scale
    (:func:`rate_estimate` of the runs' counts)."""
    k, n = side_counts(side)
    mean, est = rate_estimate(k, n)
    return float(mean), Estimate(float(est.value), float(est.se), float(est.df))


def side_counts(side: Side) -> tuple[np.ndarray, np.ndarray]:
    """Each run's successes and examples (a side of rates: a proportion, or 0/1 examples)."""
    n = np.array([len(r) for r in side.runs], dtype=float)
    return np.round(side.run_means() * n), n


def _run_logits(k: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mean rate, the empirical logit of the pooled rate and the runs' own spread on the
    empirical-logit scale (its standard error, 0 where every run has the same count)."""
    runs = k.shape[-1]
    mean = (k / n).mean(axis=-1)
    centre = empirical_logit(mean, n.sum(axis=-1))
    spread = empirical_logit(k / n, n).std(axis=-1, ddof=1) / math.sqrt(runs)
    return mean, centre, spread


def rate_estimate(k: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, Estimate]:
    """The mean rate of runs with ``k`` of ``n`` examples (last axis: the runs) and its t
    estimate on the logit scale, for the sample size that would settle a claim and for the power
    plan: the empirical logit of the mean rate over all ``N`` examples (:func:`empirical_logit`,
    finite at 0 and 1), the standard error of the runs' own empirical logits over ``sqrt(runs)``
    floored at the pooled count's binomial error on that scale, ``1 / sqrt(N p (1 - p))`` with
    ``p = (x + 1/2) / (N + 1)``, and ``runs - 1`` degrees of freedom. The page's interval is
    :func:`advgen.claims.statistics.rates.rate_interval`'s."""
    k, n = np.asarray(k, dtype=float), np.broadcast_to(np.asarray(n, dtype=float), np.shape(k))
    mean, centre, spread = _run_logits(k, n)
    total = n.sum(axis=-1)
    smoothed = (mean * total + 0.5) / (total + 1)
    floor = 1 / np.sqrt(total * smoothed * (1 - smoothed))
    se = np.maximum(spread, floor)
    return mean, Estimate(centre, se, np.full(np.shape(centre), float(k.shape[-1] - 1)))


def interval(est: Estimate, confidence: float = CONFIDENCE) -> tuple[np.ndarray | float, np.ndarray | float]:
    """The t interval ``value +- t(df) * se`` (NaN where the standard error is unknown)."""
    from scipy.stats import t

    q = t.ppf(0.5 + confidence / 2, np.asarray(est.df, dtype=float))
    half = q * np.asarray(est.se, dtype=float)
    lo, hi = np.asarray(est.value) - half, np.asarray(est.value) + half
    if np.ndim(lo) == 0:
        return float(lo), float(hi)
    return lo, hi


def decide(lo: float, hi: float, margin: float, direction: str, tolerance: float = 0.0) -> str:
    """holds / does not hold / inconclusive for the claim ``effect <direction> margin``; for
    ``equivalent``, the claim ``|effect - margin| <= tolerance`` read on the TOST interval."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return INCONCLUSIVE
    if direction == "equivalent":
        if margin - tolerance <= lo and hi <= margin + tolerance:
            return HOLDS
        if lo > margin + tolerance or hi < margin - tolerance:
            return FAILS
        return INCONCLUSIVE
    if direction == "greater":
        return HOLDS if lo > margin else FAILS if hi < margin else INCONCLUSIVE
    return HOLDS if hi < margin else FAILS if lo > margin else INCONCLUSIVE


def _sup(holds: Callable[[float], bool], steps: int = 60) -> float | None:
    """The largest confidence in (0, 1) at which ``holds`` is true (monotone: true below it), or
    None where it is false everywhere."""
    lo, hi = 1e-9, 1 - 1e-12
    if not holds(lo):
        return None
    if holds(hi):
        return 1.0
    for _ in range(steps):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if holds(mid) else (lo, mid)
    return lo


def p_one_sided(
    bounds: Callable[[float], tuple[float, float]], margin: float, direction: str, strict: bool = True
) -> float:
    """The one-sided p-value of ``effect > margin`` (``greater``) or ``< margin`` (``less``) that
    agrees with the interval the verdict reads: the claim holds on the two-sided ``c`` interval
    ``bounds(c)`` exactly when ``p < (1 - c) / 2``. Found by bisection over ``c``, so it serves
    every interval of the page (t, exact binomial, score, Bonferroni). ``strict=False``: the
    bound may touch the margin (an equivalence band's edge, as :func:`decide` reads it)."""

    def beyond(c: float) -> bool:
        lo, hi = bounds(c)
        if strict:
            return lo > margin if direction == "greater" else hi < margin
        return lo >= margin if direction == "greater" else hi <= margin

    def short(c: float) -> bool:
        lo, hi = bounds(c)
        return hi < margin if direction == "greater" else lo > margin

    first = bounds(0.5)
    if not all(math.isfinite(v) for v in first):
        return math.nan
    c = _sup(beyond)
    if c is not None:
        return (1 - c) / 2
    c = _sup(short)
    return 0.5 if c is None else (1 + c) / 2


def p_value(
    bounds: Callable[[float], tuple[float, float]], margin: float, direction: str, tolerance: float = 0.0
) -> float:
    """The p-value of a claim's test: one-sided against the margin, or for ``equivalent`` the
    larger of the two one-sided p-values at the band's edges (TOST). It holds at
    :data:`ALPHA_ONE_SIDED` (one-sided) or :data:`ALPHA_TOST` (TOST) exactly where :func:`decide`
    says "holds" on the interval."""
    if direction == "equivalent":
        return max(
            p_one_sided(bounds, margin - tolerance, "greater", strict=False),
            p_one_sided(bounds, margin + tolerance, "less", strict=False),
        )
    return p_one_sided(bounds, margin, direction)


def p_against(
    bounds: Callable[[float], tuple[float, float]], margin: float, direction: str, tolerance: float = 0.0
) -> float:
    """The p-value of the other verdict, "does not hold": one-sided against the margin on the
    other side, or for ``equivalent`` the smaller of the one-sided p-values beyond the band's two
    edges. It is below :data:`ALPHA_ONE_SIDED` (:data:`ALPHA_TOST`) exactly where :func:`decide`
    says "does not hold": a rejection too, so Holm's adjustment reads it as well."""
    if direction == "equivalent":
        return min(
            p_one_sided(bounds, margin + tolerance, "greater"),
            p_one_sided(bounds, margin - tolerance, "less"),
        )
    return p_one_sided(bounds, margin, "less" if direction == "greater" else "greater")


def settle(est: Estimate, distance: float, confidence: float, *, runs: int, unit: str) -> str:
    """For an inconclusive verdict: the sample size at which the interval's half-width would fall
    below ``distance`` (from the estimate to the margin, or to the nearer edge of an
    equivalence band), the standard error shrinking as one over the square root of the size of
    the level that sets it (``runs`` of ``unit``: "seeds per side", "examples per run", ...)."""
    from scipy.stats import t

    se = float(est.se)
    if not math.isfinite(se):
        return f"no level to estimate the spread from: at least 2 {unit} (now {runs})"
    if distance <= 0:
        return "the estimate lies on the margin or outside the tolerance: more data alone may not settle it"
    if se == 0:
        return "the estimate sits on the margin: more data alone may not settle it"
    for size in range(runs + 1, 100 * runs + 2):
        if t.ppf(0.5 + confidence / 2, size - 1) * se * math.sqrt(runs / size) < distance:
            return f"about {size} {unit} (now {runs})"
    return f"more than {100 * runs} {unit} (now {runs})"
