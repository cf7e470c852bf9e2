"""The interval of a rate over runs, monotone in every run's count, and the interval of a
difference of two such rates in the rate's own units.

A side of rates (a proportion with its count, or examples that are all 0 or 1) over ``k >= 2``
runs estimates the mean rate over runs (seeds, source models). Its interval
(:func:`rate_interval`, since 2026-11-29) is the hull of

* the examples' floor: the exact Clopper-Pearson interval of the pooled count (all runs'
  successes of all their examples), exact where the runs share one rate;
* the runs' spread, read from their order statistics so that one more success in any run never
  lowers either bound. On the empirical-logit scale ``z_i`` of each run's count (finite at 0 and
  at ``n``) the lower bound is ``(1 - w) z_(1) + w max(c, z_(1))``, the upper one
  ``(1 - w) z_(k) + w min(c, z_(k))``, with ``c`` the empirical logit of the mean rate; the same
  on the rates' own scale (the lowest and highest run's rate, the mean rate), which keeps the
  mean rate covered where the runs' rates are skewed near 0 or 1. The weight ``w``
  makes a bound miss with probability ``alpha = (1 - confidence) / 2`` for runs drawn from one
  normal law on that scale, whatever its spread (:func:`weight`: a bound of order statistics
  and the mean is location and scale equivariant, so its miss rate does not depend on the
  spread). Where even the lowest run alone misses more often (``2^-k > alpha``: fewer than 6 runs
  at 95 %, 5 at 90 %), no bound that is monotone in every count can learn the spread from the
  runs (it lies at or above ``z_(1)``, which misses ``2^-k`` of the time for any spread), so the
  bounds widen by an allowance for a spread up to :data:`SPREAD` on the logit scale,
  ``q * SPREAD`` with ``(1 - Phi(q))^k = alpha``.

A difference of two independent sides of rates (:func:`difference_interval`) combines their
intervals by the method of variance estimates recovery (MOVER: Newcombe 1998, method 10, with
each side's own interval; Zou & Donner 2008), so it keeps the sides' coverage near 0 and 1 and
reads the difference in the rate's units (accuracy points), as the sources state it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from advgen.claims.statistics.levels import CONFIDENCE
from advgen.claims.statistics.proportions import clopper_pearson_array, expit

#: the largest spread between runs (standard deviation of their rates' logits) the interval of
#: fewer than 6 runs allows for: above the largest seed spread of a rate side of round 2's page
#: (0.74, the standard CNN's FGSM error over 8 seeds), rounded up (2026-11-29)
SPREAD = 1.0
#: normal samples of k runs per calibration of :func:`weight` (seeded: the page is deterministic)
SAMPLES = 100_000

Bounds = Callable[[float], tuple[float, float]]


@cache
def _ratios(k: int) -> np.ndarray:
    """For ``SAMPLES`` draws of ``k`` standard normal runs, the weight above which the lower bound
    ``z_(1) + w (mean - z_(1))`` lies above the truth 0 (``-inf`` where ``z_(1) >= 0``: always;
    ``inf`` where the mean lies at or below ``z_(1)``), sorted."""
    z = np.random.default_rng(20261129 + k).standard_normal((SAMPLES, k))
    low, mean = z.min(axis=1), z.mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(mean > low, -low / (mean - low), np.inf)
    return np.sort(np.where(low >= 0, -np.inf, r))


def weight(k: int, alpha: float) -> float | None:
    """The weight ``w`` in [0, 1] of the mean in a one-sided bound of ``k`` runs that misses with
    probability ``alpha`` under a normal law of any spread; None where the lowest run alone misses
    more often (``2^-k > alpha``)."""
    if k < 2 or 2.0**-k > alpha:
        return None
    r = _ratios(k)
    return float(min(1.0, max(0.0, r[max(0, math.ceil(alpha * len(r)) - 1)])))


def allowance(k: int, alpha: float) -> float:
    """The widening, on the logit scale, of the bounds of ``k`` runs where :func:`weight` has none:
    ``q * SPREAD`` with ``(1 - Phi(q))^k = alpha`` (the lowest run misses ``alpha`` of the time
    for runs spread up to :data:`SPREAD`)."""
    from scipy.stats import norm

    return max(0.0, float(norm.ppf(1 - alpha ** (1 / k)))) * SPREAD


def _empirical_logit(x: Any, n: Any) -> Any:
    return np.log((x + 0.5) / (n - x + 0.5))


def rate_interval(k: Any, n: Any, confidence: float = CONFIDENCE) -> tuple[Any, Any]:
    """The interval of the mean rate of runs with ``k`` of ``n`` examples (last axis: the runs;
    the module's docstring): inside [0, 1], holding the mean rate, never of zero width, and
    monotone in every run's count. One run: Clopper-Pearson alone.
    ``tests/unit/test_claims_rate_interval.py`` checks monotonicity on random count vectors and
    the coverage at rates 0.001 to 0.999."""
    k, n = np.asarray(k, dtype=float), np.broadcast_to(np.asarray(n, dtype=float), np.shape(k))
    runs = k.shape[-1]
    rates = k / n
    mean = rates.mean(axis=-1)
    lo, hi = clopper_pearson_array(k.sum(axis=-1), n.sum(axis=-1), confidence)
    if runs >= 2:
        alpha = (1 - confidence) / 2
        z = _empirical_logit(k, n)
        z_low, z_high = z.min(axis=-1), z.max(axis=-1)
        p_low, p_high = rates.min(axis=-1), rates.max(axis=-1)
        w = weight(runs, alpha)
        if w is None:
            extra = allowance(runs, alpha)
            logit_lo, logit_hi = z_low - extra, z_high + extra
            scale_lo, scale_hi = lo, hi  # the allowance covers the spread: no bound on the rates' scale
        else:
            centre = _empirical_logit(mean * n.sum(axis=-1), n.sum(axis=-1))
            logit_lo = (1 - w) * z_low + w * np.maximum(centre, z_low)
            logit_hi = (1 - w) * z_high + w * np.minimum(centre, z_high)
            scale_lo, scale_hi = (1 - w) * p_low + w * mean, (1 - w) * p_high + w * mean
        lo = np.minimum(np.minimum(lo, expit(logit_lo)), scale_lo)
        hi = np.maximum(np.maximum(hi, expit(logit_hi)), scale_hi)
    lo, hi = np.clip(np.minimum(lo, mean), 0.0, 1.0), np.clip(np.maximum(hi, mean), 0.0, 1.0)
    if np.ndim(lo) == 0:
        return float(lo), float(hi)
    return lo, hi


def mover(va: Any, la: Any, ua: Any, vb: Any, lb: Any, ub: Any) -> tuple[Any, Any]:
    """The interval of ``a - b`` from two independent estimates ``va``, ``vb`` and their
    intervals ``[la, ua]``, ``[lb, ub]`` (element-wise): the method of variance estimates recovery
    (MOVER: Zou & Donner 2008; Newcombe 1998, method 10, where each side is one proportion and
    its interval Wilson's): the distances from each estimate to its own bounds, in quadrature."""
    d = np.asarray(va, dtype=float) - np.asarray(vb, dtype=float)
    return d - np.hypot(va - np.asarray(la), np.asarray(ub) - vb), d + np.hypot(
        np.asarray(ua) - va, vb - np.asarray(lb)
    )


def difference_interval(
    a: tuple[float, Bounds], b: tuple[float, Bounds], *, ratio: bool = False
) -> tuple[float, Bounds]:
    """The estimate and interval (at any confidence) of ``a - b``, or ``a / b`` with ``ratio``
    (:func:`mover` on the log scale), from two independent estimates and their intervals
    ``bounds(confidence)``."""

    def log(x: float) -> float:
        return math.log(x) if x > 0 else -math.inf

    (va, ba), (vb, bb) = a, b
    if ratio:
        va, vb = log(va), log(vb)
    estimate = va - vb

    def bounds(c: float) -> tuple[float, float]:
        (la, ua), (lb, ub) = ba(c), bb(c)
        if ratio:
            la, ua, lb, ub = log(la), log(ua), log(lb), log(ub)
        with np.errstate(invalid="ignore"):
            lo, hi = (float(x) for x in mover(va, la, ua, vb, lb, ub))
        if ratio:
            with np.errstate(over="ignore"):
                return float(np.exp(lo)), float(np.exp(hi))
        return lo, hi

    return (math.exp(estimate) if ratio and math.isfinite(estimate) else estimate), bounds
