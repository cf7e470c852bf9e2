"""A difference of two sides of rates in the rate's own units (accuracy points), as the sources
state accuracies: MOVER over the two sides' rate intervals
(:func:`advgen.claims.statistics.rates.mover`, :func:`~advgen.claims.statistics.rates.difference_interval`),
simulated as the rate interval's coverage is (``tests/unit/test_claims_rate_interval.py``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from advgen.claims.measuring import effects
from advgen.claims.reading.model import Test as ClaimTest
from advgen.claims.statistics import proportions, stats
from advgen.claims.statistics.rates import difference_interval, mover, rate_interval

#: (rate of side a, rate of side b): near 0, apart in the middle, near 1, and both the same
PAIRS = [(0.005, 0.001), (0.6, 0.4), (0.999, 0.99), (0.9, 0.9)]


def _side(rng: np.random.Generator, p: float, tau: float, runs: int, n: int, sims: int):
    k = rng.binomial(n, proportions.expit(rng.normal(proportions.logit(p), tau, (sims, runs)))).astype(float)
    truth = (
        p
        if tau == 0
        else float(
            np.mean(proportions.expit(np.random.default_rng(1).normal(proportions.logit(p), tau, 400_000)))
        )
    )
    return k, truth


@pytest.mark.parametrize(("pa", "pb"), PAIRS)
def test_coverage_of_a_difference_of_rates(pa: float, pb: float) -> None:
    """At least 93 % at 2, 3, 5 and 8 runs a side of 100 and 1000 examples, each run's rate drawn
    around its side's rate on the logit scale (sd 0 or 0.5); the truth is the difference of the
    two mean rates."""
    rng = np.random.default_rng(int(1000 * pa + 10 * pb))
    sims = 3000
    for tau in (0.0, 0.5):
        for runs in (2, 3, 5, 8):
            for n in (100, 1000):
                ka, ta = _side(rng, pa, tau, runs, n, sims)
                kb, tb = _side(rng, pb, tau, runs, n, sims)
                (la, ua), (lb, ub) = rate_interval(ka, n), rate_interval(kb, n)
                lo, hi = mover((ka / n).mean(axis=1), la, ua, (kb / n).mean(axis=1), lb, ub)
                covered = float(((lo <= ta - tb) & (ta - tb <= hi)).mean())
                assert covered >= 0.93, (tau, runs, n, covered)
                assert bool((hi > lo).all())


def test_the_page_reads_a_difference_of_rates_in_accuracy_points() -> None:
    """Two sides of proportions over seeds (robust accuracies of two CNNs): the effect is the
    difference of the mean rates, its interval MOVER's of the two rate intervals, its p-value the
    one that agrees with it."""
    a = stats.Side(
        tuple(np.r_[np.ones(c), np.zeros(500 - c)] for c in (350, 360, 340)), ("s0", "s1", "s2"), "proportion"
    )
    b = stats.Side(
        tuple(np.r_[np.ones(c), np.zeros(500 - c)] for c in (200, 220, 210)), ("t0", "t1", "t2"), "proportion"
    )
    result = effects.evaluate(ClaimTest("difference", "greater", 0.0, "ours", "any"), [a, b])
    expected = difference_interval(
        (0.7, lambda c: rate_interval(np.array([350.0, 360, 340]), 500, c)),
        (0.42, lambda c: rate_interval(np.array([200.0, 220, 210]), 500, c)),
    )
    assert result.estimate == pytest.approx(0.28)
    assert (result.lo, result.hi) == pytest.approx(expected[1](0.95))
    assert "MOVER" in result.method and result.verdict == stats.HOLDS
    assert result.p_value < 0.025


def test_a_ratio_by_mover_is_read_on_the_log_scale() -> None:
    est, bounds = difference_interval((0.5, lambda c: (0.4, 0.6)), (0.25, lambda c: (0.2, 0.3)), ratio=True)
    lo, hi = bounds(0.95)
    assert est == pytest.approx(2.0)
    assert math.log(lo) == pytest.approx(math.log(2) - math.hypot(math.log(0.5 / 0.4), math.log(0.3 / 0.25)))
    assert math.log(hi) == pytest.approx(math.log(2) + math.hypot(math.log(0.6 / 0.5), math.log(0.25 / 0.2)))
