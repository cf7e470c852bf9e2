"""Intervals of proportions and the logit scale they are read on: the exact Clopper-Pearson
interval of one proportion, Wilson's score interval, Newcombe's interval of a difference of two,
and the empirical logit, finite at 0 and 1."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from advgen.claims.statistics.levels import CONFIDENCE


def empirical_logit(p: Any, n: Any) -> Any:
    """The empirical logit ``log((x + 1/2) / (n - x + 1/2))`` of a rate ``p`` of ``n`` examples,
    ``x = p * n`` successes (Cox 1970, *The Analysis of Binary Data*; Haldane 1956, Anscombe
    1956): finite at ``p = 0`` and ``p = 1``, the logit of ``(x + 1/2) / (n + 1)``; inside (0, 1)
    it differs from the rate's logit by about ``(1 - 2 p) / (2 n p (1 - p))``."""
    return np.log((p * n + 0.5) / (n - p * n + 0.5))  # element-wise: arrays, Series, numbers


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def expit(x: np.ndarray | float) -> np.ndarray | float:
    """The inverse of :func:`logit` (0 and 1 at the infinities)."""
    with np.errstate(over="ignore"):
        out = 1 / (1 + np.exp(-np.asarray(x, dtype=float)))
    return out if np.ndim(out) else float(out)


def clopper_pearson(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact binomial interval for ``k`` successes in ``n`` trials (Clopper & Pearson 1934)."""
    if n <= 0:
        return math.nan, math.nan
    lo, hi = clopper_pearson_array(np.asarray(float(k)), np.asarray(float(n)), confidence)
    return float(lo), float(hi)


def clopper_pearson_array(k: np.ndarray, n: np.ndarray, confidence: float = CONFIDENCE) -> tuple[Any, Any]:
    """:func:`clopper_pearson` element-wise (0 at ``k = 0``, 1 at ``k = n``; monotone in ``k``)."""
    from scipy.stats import beta

    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        lo = np.where(k <= 0, 0.0, beta.ppf(alpha / 2, np.maximum(k, 1), n - k + 1))
        hi = np.where(k >= n, 1.0, beta.ppf(1 - alpha / 2, k + 1, np.maximum(n - k, 1)))
    return lo, hi


def wilson(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson's score interval for a proportion (Wilson 1927)."""
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + confidence / 2))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def newcombe(k1: int, n1: int, k2: int, n2: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Interval of ``p1 - p2`` for two independent proportions: Newcombe's hybrid score method
    (Newcombe 1998, method 10), which keeps its coverage near 0 and 1 where Wald's does not."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1, confidence)
    l2, u2 = wilson(k2, n2, confidence)
    d = p1 - p2
    lo = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    hi = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return lo, hi
