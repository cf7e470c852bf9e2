"""A declared test on measured sides: the effect, its interval, and the verdict against the margin.

Effects (``test.effect``): ``value`` (side a), ``difference`` (a - b), ``ratio`` (a / b, on the
log scale), ``trend`` (the least-squares change of a, or of a - b, across the grid column
``by``, from its first to its last value, on the grid's ranks) and ``range`` (max - min over
the units of a). The intervals are :mod:`advgen.claims.statistics.stats`' (t at the run level; a rate
over runs on the logit scale; exact binomial and score intervals for single-run proportions;
Bonferroni-simultaneous unit intervals for a range), and each test's p-value is the one that
agrees with its interval (:func:`advgen.claims.statistics.stats.p_value`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from advgen.claims.reading.model import Test
from advgen.claims.statistics import levels, proportions, stats
from advgen.claims.statistics.rates import difference_interval, rate_interval


@dataclass
class Result:
    """An effect's estimate and interval, how it was computed, the test's p-value (one-sided, or
    TOST's) and its level, and what would settle it."""

    estimate: float
    lo: float
    hi: float
    method: str
    verdict: str
    confidence: float
    settle: str = ""
    p_value: float = math.nan
    alpha: float = levels.ALPHA_ONE_SIDED
    p_against: float = math.nan  # the p-value of "does not hold" (:func:`stats.p_against`)
    #: the interval at any confidence (the p-values' bisection reads it; a control's correction too)
    bounds: Callable[[float], tuple[float, float]] | None = field(default=None, repr=False, compare=False)


def _binary(side: stats.Side) -> bool:
    """Rates of independent examples: a proportion, or examples that are all 0 or 1."""
    if side.level == "proportion":
        return True
    return side.level == "examples" and all(np.isin(r, (0.0, 1.0)).all() for r in side.runs)


def _same_runs(sides: Sequence[stats.Side]) -> bool:
    """The sides hold the same units (run names, in order), at least 2: pair them by run."""
    first = sides[0].names
    return (
        len(sides) >= 2
        and len(first) >= 2
        and all(s.names == first for s in sides)
        and all(s.n_runs == len(first) for s in sides)
    )


def trend_weights(k: int) -> np.ndarray:
    """Least-squares change across ``k`` grid points on their ranks, first to last."""
    centred = np.arange(k, dtype=float) - (k - 1) / 2
    return centred * (k - 1) / float((centred**2).sum())


def _level(sides: Sequence[stats.Side], unit: str) -> tuple[int, str]:
    """The level that sets the standard error: runs (where a side has several) or examples."""
    if any(s.n_runs >= 2 for s in sides):
        return min(s.n_runs for s in sides), f"{unit} per side"
    return min(s.n_examples for s in sides), "examples per run"


def _linear(
    sides: Sequence[stats.Side], weights: Sequence[float], *, log: bool, unit: str
) -> tuple[stats.Estimate, str]:
    if _same_runs(sides):
        return stats.paired_runs(sides, weights, log=log), f"t over {sides[0].n_runs} {unit}, paired by run"
    parts = [(w, stats.side_estimate(s, log=log)) for w, s in zip(weights, sides, strict=True)]
    if len(parts) > 1 and any(math.isfinite(float(e.se)) for _, e in parts):
        # a reference measured once (the real digits' FID) enters as a constant
        parts = [
            (w, stats.Estimate(e.value, 0.0, math.inf) if not math.isfinite(float(e.se)) else e)
            for w, e in parts
        ]
    if len(parts) == 1:
        one = sides[0]
        what = f"{one.n_runs} {unit}" if one.n_runs >= 2 else f"{one.n_examples} examples"
        return parts[0][1], f"t over {what}"
    return stats.combine(parts), "Welch t (Welch-Satterthwaite df) over " + (
        f"{unit}" if any(s.n_runs >= 2 for s in sides) else "examples"
    )


Bounds = Callable[[float], tuple[float, float]]

#: the method's words of a rate over runs (:func:`advgen.claims.statistics.rates.rate_interval`)
RATE_METHOD = (
    "the {runs} {unit}' lowest and highest rates and their mean (monotone in every count), "
    "floored at the pooled count's exact binomial interval"
)


def rate_side(side: stats.Side) -> tuple[float, Bounds, str]:
    """A side of rates as its mean rate, its interval at any confidence (one run's exact
    Clopper-Pearson, several runs' :func:`~advgen.claims.statistics.rates.rate_interval`) and the
    method's words."""
    k, n = stats.side_counts(side)
    mean = float((k / n).mean())
    if side.n_runs == 1:
        return (
            mean,
            (lambda c: proportions.clopper_pearson(int(k[0]), int(n[0]), c)),
            "Clopper-Pearson (exact)",
        )
    return mean, (lambda c: rate_interval(k, n, c)), RATE_METHOD.format(runs=side.n_runs, unit="runs")


def _value(sides: Sequence[stats.Side], unit: str) -> tuple[stats.Estimate, float | None, Bounds | None, str]:
    """A value's estimate, the value itself and its interval's bounds where they are not the t
    interval's (a proportion's: exact for one run, the empirical-logit t floored at the exact
    interval for several), and the method's words."""
    one = sides[0]
    bounds: Bounds | None = None
    value: float | None = None
    if one.n_runs == 1 and _binary(one):
        k, n = int(round(one.runs[0].sum())), len(one.runs[0])
        bounds, method = (lambda c: proportions.clopper_pearson(k, n, c)), "Clopper-Pearson (exact binomial)"
        est, value = stats.examples_level(one.runs[0]), float(one.runs[0].mean())
    elif one.n_runs >= 2 and _binary(one):
        value, est = stats.rate_level(one)
        counts = stats.side_counts(one)

        def bounds(c: float, kn: tuple[np.ndarray, np.ndarray] = counts) -> tuple[float, float]:
            return rate_interval(kn[0], kn[1], c)

        method = RATE_METHOD.format(runs=one.n_runs, unit=unit)
    else:
        est, method = _linear(sides, [1.0], log=False, unit=unit)
    return est, value, bounds, method


def _comparison(
    test: Test, sides: Sequence[stats.Side], *, log: bool, pooled: bool, unit: str
) -> tuple[stats.Estimate, Bounds | None, str]:
    """A difference's or ratio's estimate (pooled halves, paired, two single-run proportions, or
    Welch's t), its bounds where they are not the t interval's, and the method's words."""
    bounds: Bounds | None = None
    if pooled:
        est = stats.pooled_halves(sides[0], sides[1], log=log)
        method = f"pooled t over {sides[0].n_runs + sides[1].n_runs} {unit} split in two halves" + (
            " (log values)" if log else ""
        )
    elif test.paired:
        est = stats.paired_examples(sides[0], sides[1], ratio=log)
        a = sides[0]
        method = (
            f"t over {a.n_runs} {unit} of per-run paired means"
            if a.n_runs >= 2
            else f"t over {a.n_examples} paired examples"
        ) + (" (log ratio, delta method)" if log else "")
    elif (
        test.effect == "difference"
        and all(s.n_runs == 1 and _binary(s) for s in sides)
        and not _same_runs(sides)
    ):
        (ra,), (rb,) = sides[0].runs, sides[1].runs
        ka, na, kb, nb = int(ra.sum()), len(ra), int(rb.sum()), len(rb)
        bounds = lambda c: proportions.newcombe(ka, na, kb, nb, c)  # noqa: E731
        method = "Newcombe score interval (two proportions)"
        est = stats.combine([(1.0, stats.examples_level(ra)), (-1.0, stats.examples_level(rb))])
    elif test.effect == "difference" and all(_binary(s) for s in sides) and not _same_runs(sides):
        (va, ba, _), (vb, bb, _) = rate_side(sides[0]), rate_side(sides[1])
        _, bounds = difference_interval((va, ba), (vb, bb))
        est, _ = _linear(sides, [1.0, -1.0], log=False, unit=unit)
        method = (
            f"MOVER (Newcombe's square-and-add) of the two sides' rate intervals over {unit} "
            "(lowest and highest rates and their mean, floored at the pooled count's exact interval)"
        )
    else:
        est, method = _linear(sides, [1.0, -1.0], log=log, unit=unit)
        if log:
            method += " of log values"
    return est, bounds, method


def evaluate(
    test: Test,
    sides: Sequence[stats.Side],
    *,
    unit: str = "seeds",
    trend_b: bool = False,
    pooled: bool = False,
) -> Result:
    """The effect of ``test`` on ``sides`` (a, then b; for a trend one side per grid point of a,
    then with ``trend_b`` as many of b), its interval, p-value and the verdict. ``pooled``: the
    two sides are halves of one condition's runs (a permuted null: :func:`stats.pooled_halves`)."""
    tost = test.direction == "equivalent"
    conf = levels.TOST_CONFIDENCE if tost else levels.CONFIDENCE
    effect = test.effect
    log = effect == "ratio"
    est: stats.Estimate | None = None
    if effect == "range":
        return _range(test, sides[0], conf, unit)
    bounds: Bounds | None = None
    value: float | None = None
    if effect == "value":
        est, value, bounds, method = _value(sides, unit)
    elif effect in ("difference", "ratio"):
        est, bounds, method = _comparison(test, sides, log=log, pooled=pooled, unit=unit)
    else:  # trend
        w = trend_weights(len(sides) // 2 if trend_b else len(sides))
        weights = [*w, *(-w)] if trend_b else list(w)
        est, method = _linear(sides, weights, log=False, unit=unit)
    if bounds is None:
        assert est is not None

        def bounds(c: float, e: stats.Estimate = est) -> tuple[float, float]:
            lo, hi = stats.interval(e, c)
            if not log:
                return float(lo), float(hi)
            with np.errstate(over="ignore"):
                return float(np.exp(lo)), float(np.exp(hi))

    lo, hi = bounds(conf)
    if value is None:
        value = float(np.exp(float(est.value))) if log else float(est.value)
    verdict = stats.decide(lo, hi, test.margin, test.direction, test.tolerance)
    if tost:
        method = f"{method}; 90 % interval (TOST, ±{test.tolerance:g})"
    p = stats.p_value(bounds, test.margin, test.direction, test.tolerance)
    alpha = levels.ALPHA_TOST if tost else levels.ALPHA_ONE_SIDED
    against = stats.p_against(bounds, test.margin, test.direction, test.tolerance)
    out = Result(
        value,
        float(lo),
        float(hi),
        method,
        verdict,
        conf,
        p_value=p,
        alpha=alpha,
        p_against=against,
        bounds=bounds,
    )
    if verdict == stats.INCONCLUSIVE:
        out.settle = _settle(test, est, value, sides, unit, conf)
    return out


def _settle(
    test: Test, est: stats.Estimate, value: float, sides: Sequence[stats.Side], unit: str, conf: float
) -> str:
    if test.effect == "ratio":
        centre, target = math.log(value) if value > 0 else math.nan, math.log(test.margin)
    else:
        centre, target = value, test.margin
    if test.direction == "equivalent":
        distance = test.tolerance - abs(centre - target)
    else:
        distance = abs(centre - target)
    runs, what = _level(sides, unit)
    if not math.isfinite(distance):
        return ""
    return stats.settle(est, distance, conf, runs=runs, unit=what)


def _range(test: Test, side: stats.Side, conf: float, unit: str) -> Result:
    """max - min over the side's units: each unit's interval at the Bonferroni level
    ``1 - (1 - conf) / K``, so all K hold together and the range lies in
    ``[max lo - min hi, max hi - min lo]`` (floored at 0)."""
    k = side.n_runs

    def bounds(c: float) -> tuple[float, float]:
        each = 1 - (1 - c) / k
        out = []
        for run in side.runs:
            if _binary(stats.Side((run,), level=side.level)):
                out.append(proportions.clopper_pearson(int(round(run.sum())), len(run), each))
            elif len(run) >= 2:
                lo, hi = stats.interval(stats.examples_level(run), each)
                out.append((float(lo), float(hi)))
            else:
                out.append((math.nan, math.nan))
        los, his = np.array([b[0] for b in out]), np.array([b[1] for b in out])
        return max(0.0, float(los.max() - his.min())), float(his.max() - los.min())

    means = side.run_means()
    value = float(means.max() - means.min())
    lo, hi = bounds(conf)
    verdict = stats.decide(lo, hi, test.margin, test.direction)
    method = f"Bonferroni-simultaneous intervals of the {k} {unit}"
    p = stats.p_value(bounds, test.margin, test.direction)
    against = stats.p_against(bounds, test.margin, test.direction)
    return Result(value, lo, hi, method, verdict, conf, p_value=p, p_against=against, bounds=bounds)
