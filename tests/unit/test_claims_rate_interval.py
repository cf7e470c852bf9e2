"""The interval of a rate over runs (:func:`advgen.claims.statistics.stats.rate_interval`): monotone in the
count, sensible at 0 and n, never of zero width, and covering at rates from 0.001 to 0.999.

The delta-method interval it replaced gave 128/128 on every run [0.036, 1], 127/128 [0.698,
1.000] and 124/128 [0.832, 0.994]: not monotone, and a perfect rate could not pass
a test against 100 %.
"""

from __future__ import annotations

import numpy as np
import pytest

from advgen.claims.measuring import effects
from advgen.claims.reading.model import Test as ClaimTest
from advgen.claims.statistics import stats

#: every n up to 40, then a spread up to 1000 (every n of 1..1000 is the same computation)
SIZES = (*range(1, 41), 50, 64, 99, 100, 127, 128, 200, 250, 333, 500, 512, 750, 999, 1000)


@pytest.mark.parametrize("runs", range(2, 11))
def test_monotone_in_the_count(runs: int) -> None:
    """Every run at k of n, k = 0..n: both bounds never fall as k rises, and lo < hi."""
    for n in SIZES:
        k = np.repeat(np.arange(n + 1, dtype=float)[:, None], runs, axis=1)
        lo, hi = stats.rate_interval(k, n)
        assert np.all(np.diff(lo) >= 0) and np.all(np.diff(hi) >= 0), n
        assert np.all(hi - lo > 0) and np.all((0 <= lo) & (hi <= 1)), n


def test_one_run_is_the_exact_interval_and_monotone() -> None:
    for n in SIZES:
        k = np.arange(n + 1, dtype=float)[:, None]
        lo, hi = stats.rate_interval(k, n)
        assert np.all(np.diff(lo) >= 0) and np.all(np.diff(hi) >= 0) and np.all(hi > lo)
        assert (lo[3 % (n + 1)], hi[3 % (n + 1)]) == pytest.approx(stats.clopper_pearson(3 % (n + 1), n))


def test_at_0_and_n_the_binomial_floor() -> None:
    """All runs at 128/128: the exact one-sided bound of 384/384, not [0.036, 1]; 127/128 on
    one run lies below it, and a perfect rate passes an equivalence test against 100 % +- 5."""
    full = stats.rate_interval(np.array([128.0, 128.0, 128.0]), 128)
    assert full == pytest.approx((0.025 ** (1 / 384), 1.0))
    one_less = stats.rate_interval(np.array([127.0, 128.0, 128.0]), 128)
    assert one_less[0] < full[0] and one_less[1] < 1
    none = stats.rate_interval(np.zeros(3), 128)
    assert none[0] == 0 and none[1] == pytest.approx(1 - 0.025 ** (1 / 384))
    side = stats.Side(tuple(np.ones(128) for _ in range(3)), level="proportion")
    result = effects.evaluate(
        ClaimTest("value", "equivalent", 1.0, "source", "100 %", tolerance=0.05), [side]
    )
    assert result.verdict == stats.HOLDS and result.hi == 1 and result.lo > 0.95


#: the run-to-run spread of the rate on the logit scale: none (pure binomial) and a seed effect
TAUS = (0.0, 0.5)


@pytest.mark.parametrize("rate", [0.001, 0.01, 0.5, 0.99, 0.999])
def test_coverage(rate: float) -> None:
    """At least 93 % at 2, 3, 5 and 10 runs of 100 and 1000 examples, each run's rate drawn around
    ``rate`` on the logit scale (sd 0 or 0.5); the truth is the mean rate the runs estimate."""
    rng = np.random.default_rng(int(rate * 10_000))
    sims = 4000
    for tau in TAUS:
        truth = rate if tau == 0 else float(np.mean(stats.expit(rng.normal(stats.logit(rate), tau, 400_000))))
        for runs in (2, 3, 5, 10):
            for n in (100, 1000):
                p = stats.expit(rng.normal(stats.logit(rate), tau, (sims, runs)))
                k = rng.binomial(n, p).astype(float)
                lo, hi = stats.rate_interval(k, n)
                covered = float(((lo <= truth) & (truth <= hi)).mean())
                assert covered >= 0.93, (tau, runs, n, covered)


def test_a_discrete_aggregate_is_never_a_point() -> None:
    """Two seeds that cover 7 modes each: the run level's floor is a count's resolution (1/12),
    so the difference of two such sides is not 0 [0, 0]."""
    seven = stats.Side((np.array([7.0]), np.array([7.0])), ("s0", "s1"), "aggregate")
    est = stats.combine([(1.0, stats.side_estimate(seven)), (-1.0, stats.side_estimate(seven))])
    lo, hi = stats.interval(est)
    assert float(est.value) == 0 and lo < 0 < hi
    assert float(stats.side_estimate(seven).se) == pytest.approx(np.sqrt(stats.RESOLUTION_VAR / 2))
    fid = stats.Side((np.array([7.25]), np.array([7.25])), ("s0", "s1"), "aggregate")
    assert float(stats.side_estimate(fid).se) == 0  # a continuous value keeps its own spread
    share = stats.Side((np.array([0.0]), np.array([0.0])), ("s0", "s1"), "aggregate")
    assert not share.discrete()  # a share of 0 on every run: no count to round
