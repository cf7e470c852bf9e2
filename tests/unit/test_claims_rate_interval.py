"""The interval of a rate over runs (:func:`advgen.claims.statistics.rate_interval`): monotone in the
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
from advgen.claims.statistics import levels, proportions, rates, stats
from advgen.claims.statistics.rates import rate_interval

#: every n up to 40, then a spread up to 1000 (every n of 1..1000 is the same computation)
SIZES = (*range(1, 41), 50, 64, 99, 100, 127, 128, 200, 250, 333, 500, 512, 750, 999, 1000)


@pytest.mark.parametrize("runs", range(2, 11))
def test_monotone_in_the_count(runs: int) -> None:
    """Every run at k of n, k = 0..n: both bounds never fall as k rises, and lo < hi."""
    for n in SIZES:
        k = np.repeat(np.arange(n + 1, dtype=float)[:, None], runs, axis=1)
        lo, hi = rate_interval(k, n)
        assert np.all(np.diff(lo) >= 0) and np.all(np.diff(hi) >= 0), n
        assert np.all(hi - lo > 0) and np.all((0 <= lo) & (hi <= 1)), n


def test_one_run_is_the_exact_interval_and_monotone() -> None:
    for n in SIZES:
        k = np.arange(n + 1, dtype=float)[:, None]
        lo, hi = rate_interval(k, n)
        assert np.all(np.diff(lo) >= 0) and np.all(np.diff(hi) >= 0) and np.all(hi > lo)
        assert (lo[3 % (n + 1)], hi[3 % (n + 1)]) == pytest.approx(
            proportions.clopper_pearson(3 % (n + 1), n)
        )


def test_at_0_and_n_the_binomial_floor() -> None:
    """All runs at 128/128: the exact one-sided bound of 384/384, not [0.036, 1]; 127/128 on
    one run lies below it, and a perfect rate passes an equivalence test against 100 % +- 5."""
    full = rate_interval(np.array([128.0, 128.0, 128.0]), 128)
    assert full == pytest.approx((0.025 ** (1 / 384), 1.0))
    one_less = rate_interval(np.array([127.0, 128.0, 128.0]), 128)
    assert one_less[0] < full[0] and one_less[1] < 1
    none = rate_interval(np.zeros(3), 128)
    assert none[0] == 0 and none[1] == pytest.approx(1 - 0.025 ** (1 / 384))
    side = stats.Side(tuple(np.ones(128) for _ in range(3)), level="proportion")
    result = effects.evaluate(
        ClaimTest("value", "equivalent", 1.0, "source", "100 %", tolerance=0.05), [side]
    )
    assert result.verdict == stats.HOLDS and result.hi == 1 and result.lo > 0.95


def _increments_never_lower(k: np.ndarray, n: np.ndarray, confidence: float) -> None:
    """One more success in any run (that has room for it) raises neither bound's fall."""
    lo, hi = rate_interval(k, n, confidence)
    assert 0 <= lo < hi <= 1, (k, n)
    for i in range(len(k)):
        if k[i] < n[i]:
            more = k.copy()
            more[i] += 1
            lo2, hi2 = rate_interval(more, n, confidence)
            assert lo2 >= lo and hi2 >= hi, (k, n, i, (lo, hi), (lo2, hi2))


@pytest.mark.parametrize("confidence", [levels.CONFIDENCE, levels.TOST_CONFIDENCE])
def test_monotone_in_each_run_on_random_unequal_counts(confidence: float) -> None:
    """2-10 runs of 1-1000 examples each (unequal), counts drawn anywhere in [0, n], a run at 0
    or at n in a quarter of the draws: every single increment of every run leaves both bounds
    where they were or higher, and no interval has zero width."""
    rng = np.random.default_rng(82 + int(100 * confidence))
    for _ in range(300):
        runs = int(rng.integers(2, 11))
        n = rng.integers(1, 1001, size=runs).astype(float)
        k = np.minimum(np.floor(rng.random(runs) * (n + 1)), n)
        edge = rng.random(runs) < 0.25
        k[edge] = np.where(rng.random(int(edge.sum())) < 0.5, 0.0, n[edge])
        _increments_never_lower(k, n, confidence)


@pytest.mark.parametrize("runs", range(2, 11))
def test_monotone_next_to_0_and_n(runs: int) -> None:
    """The counts where the old interval collapsed: one run moving to n (or off 0) beside runs
    at n - 2, n - 1, n, 0, 1 and 2."""
    for n in (1, 2, 5, 32, 128, 454, 500, 1000):
        for others in {0, 1, 2, n - 2, n - 1, n}:
            if not 0 <= others <= n:
                continue
            for first in range(max(0, n - 3), n + 1):
                _increments_never_lower(
                    np.array([float(first)] + [float(others)] * (runs - 1)), np.full(runs, float(n)), 0.95
                )
            _increments_never_lower(
                np.array([0.0] + [float(others)] * (runs - 1)), np.full(runs, float(n)), 0.95
            )


def test_the_collapses_of_round_2s_interval_are_gone() -> None:
    """(499, 498) and (500, 498) of 500; five nets at 444 of 454, then one of them fooled on all
    454: the lower bound does not fall, and the equivalence test against 100 % +- 5 that holds on
    the first still holds on the second."""
    assert (
        rate_interval(np.array([500.0, 498.0]), 500)[0]
        >= rate_interval(np.array([499.0, 498.0]), 500)[0]
        > 0.9
    )
    test = ClaimTest("value", "equivalent", 1.0, "source", "100 %", tolerance=0.05)
    before = np.full(5, 444.0)
    after = before.copy()
    after[0] = 454.0
    results = []
    for counts in (before, after):
        side = stats.Side(
            tuple(np.r_[np.ones(int(c)), np.zeros(454 - int(c))] for c in counts), level="proportion"
        )
        results.append(effects.evaluate(test, [side]))
    assert results[1].lo >= results[0].lo
    assert [r.verdict for r in results] == [stats.HOLDS, stats.HOLDS]


@pytest.mark.parametrize("alpha", [0.025, 0.05])
@pytest.mark.parametrize("runs", [5, 6, 8, 10, 22])
def test_the_weight_misses_alpha_for_normal_runs(runs: int, alpha: float) -> None:
    """The calibrated bound ``z_(1) + w (mean - z_(1))`` of fresh normal runs (another seed than
    the calibration's, a spread of 3) lies above the truth alpha of the time (4 Monte Carlo
    standard errors); where 2^-k > alpha there is no weight and the lowest run alone misses more."""
    w = rates.weight(runs, alpha)
    if 2.0**-runs > alpha:
        assert w is None
        return
    assert w is not None and 0 <= w <= 1
    z = np.random.default_rng(runs).normal(0.0, 3.0, (200_000, runs))
    low = z.min(axis=1)
    missed = float(((1 - w) * low + w * np.maximum(z.mean(axis=1), low) > 0).mean())
    assert abs(missed - alpha) < 4 * np.sqrt(alpha * (1 - alpha) / 200_000)


#: the run-to-run spread of the rate on the logit scale: none (pure binomial) and a seed effect
TAUS = (0.0, 0.5)


@pytest.mark.parametrize("rate", [0.001, 0.01, 0.5, 0.99, 0.999])
def test_coverage(rate: float) -> None:
    """At least 93 % at 2-6, 8 and 10 runs of 100 and 1000 examples, each run's rate drawn around
    ``rate`` on the logit scale (sd 0 or 0.5); the truth is the mean rate the runs estimate."""
    rng = np.random.default_rng(int(rate * 10_000))
    sims = 4000
    for tau in TAUS:
        truth = (
            rate
            if tau == 0
            else float(np.mean(proportions.expit(rng.normal(proportions.logit(rate), tau, 400_000))))
        )
        for runs in (2, 3, 4, 5, 6, 8, 10):
            for n in (100, 1000):
                p = proportions.expit(rng.normal(proportions.logit(rate), tau, (sims, runs)))
                k = rng.binomial(n, p).astype(float)
                lo, hi = rate_interval(k, n)
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


def test_a_share_of_a_runs_rows_is_never_a_point(tmp_path) -> None:
    """Three runs whose share of iterations below a threshold is 0 of 620 each (a value 0 or 1
    per row, one number per run): the run level's floor is one row's step, (1 / 620)^2 / 12
    (Sheppard), so the share over runs and a difference of two such shares are not 0 [0, 0]."""
    import pandas as pd

    from advgen.claims.measuring.measure import Context, measure
    from advgen.claims.reading.model import Term

    for run in ("g0", "g1", "g2"):
        folder = tmp_path / "gans" / run
        folder.mkdir(parents=True)
        pd.DataFrame({"epoch": np.repeat(np.arange(1, 11), 62), "g_grad_norm": np.full(620, 0.3)}).to_parquet(
            folder / "losses.parquet"
        )
    term = Term(table="gans/{g}/losses.parquet", value="g_grad_norm < 0.001", per="run")
    side = measure(Context(tmp_path, {"g": ["g0", "g1", "g2"]}), term, "c").side
    assert side.steps == (1 / 620,) * 3
    lo, hi = stats.interval(stats.side_estimate(side))
    assert lo < 0 < hi and hi == pytest.approx(4.302653 * np.sqrt((1 / 620) ** 2 / 12 / 3), rel=1e-5)
    test = ClaimTest("difference", "greater", 0.0, "ours", "any")
    result = effects.evaluate(test, [side, side])
    assert result.lo < 0 < result.hi
