"""Adjusting a family's p-values for testing several claims on the same data (Holm 1979)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def holm(p: Sequence[float], alpha: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment (Holm 1979) of one family's p-values, each against its own
    level: the tests are ordered by ``p / alpha`` and the ``j``-th smallest ratio is multiplied
    by ``m - j + 1`` (``m`` the tests with a p-value), the running maximum kept; the adjusted p
    is that ratio times the test's ``alpha`` (at most 1). With one level for all, this is Holm's
    adjusted p-value. NaN stays NaN and does not count in ``m``."""
    ratios = [(pi / ai, i) for i, (pi, ai) in enumerate(zip(p, alpha, strict=True)) if math.isfinite(pi)]
    out = [math.nan] * len(p)
    m, running = len(ratios), 0.0
    for j, (ratio, i) in enumerate(sorted(ratios)):
        running = max(running, (m - j) * ratio)
        out[i] = min(1.0, running * alpha[i])
    return out
