"""Intervals and verdicts of the claims page, fixed before the data are seen.

A side of a claim is a list of *runs* (one per training seed of the model its role names);
each run holds its *examples* (one value per test image, pair, sample, ...) or, where the
table only has an aggregate, one value. :func:`bootstrap` resamples both levels (runs, then
the examples inside each drawn run: Davison & Hinkley 1997, Sec. 3.8, the two-stage
bootstrap), seeded from the claim's id so the page is deterministic; a proportion measured
on one run gets the exact Clopper-Pearson interval instead (:func:`clopper_pearson`).

:func:`decide` turns an interval and the claim's margin into a verdict:

* *holds*: the interval lies beyond the margin on the claimed side;
* *does not hold*: it lies entirely on the other side of the margin;
* *inconclusive*: it straddles the margin; :func:`settle` estimates how many seeds or
  examples would make it clear the margin, from the interval's half-width (which shrinks as
  one over the square root of the sample size).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

HOLDS, FAILS, INCONCLUSIVE = "holds", "does not hold", "inconclusive"

#: bootstrap resamples (percentile interval; 2,000 keep the 2.5 % quantile's Monte Carlo error
#: well under the interval's width: Efron & Tibshirani 1993, Sec. 19.3)
RESAMPLES = 2000
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Side:
    """One side of a comparison: per run (seed), the values of its examples."""

    runs: tuple[np.ndarray, ...]
    names: tuple[str, ...] = ()
    #: "examples" (rows are test examples), "proportion" (Bernoulli examples rebuilt from a
    #: rate and its count) or "aggregate" (one number per run: the seed level only)
    level: str = "examples"

    @property
    def n_runs(self) -> int:
        return len(self.runs)

    @property
    def n_examples(self) -> int:
        """Examples per run (the smallest run's), 1 for an aggregate."""
        return min((len(r) for r in self.runs), default=0)

    def mean(self) -> float:
        """Mean over runs of each run's mean over its examples."""
        return float(np.mean([r.mean() for r in self.runs]))


def side_from_proportions(rates: Sequence[float], counts: Sequence[int], names: Sequence[str] = ()) -> Side:
    """Each run's rate ``k / n`` as ``n`` Bernoulli examples (``k`` ones): exact for a rate of
    independent examples, so the bootstrap over examples applies to a table of rates."""
    runs = []
    for rate, n in zip(rates, counts, strict=True):
        n = int(n)
        k = int(round(float(rate) * n))
        runs.append(np.concatenate([np.ones(k), np.zeros(n - k)]))
    return Side(tuple(runs), tuple(names), "proportion")


def seed_for(key: str) -> int:
    """A stable seed from a text key (the claim's id): the same interval on every run and host."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "little")


def _resample_side(side: Side, rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` bootstrap means of a side: runs drawn with replacement, then examples in each."""
    runs = side.runs
    r = len(runs)
    pick = rng.integers(0, r, size=(size, r)) if r > 1 else np.zeros((size, 1), dtype=int)
    out = np.zeros(size)
    for j, run in enumerate(runs):
        chosen = pick == j  # (size, r): where run j was drawn
        draws = int(chosen.sum())
        if not draws:
            continue
        if len(run) > 1 and side.level != "aggregate":
            idx = rng.integers(0, len(run), size=(draws, len(run)))
            means = run[idx].mean(axis=1)
        else:
            means = np.full(draws, run.mean())
        rows = np.nonzero(chosen)[0]
        np.add.at(out, rows, means)
    return out / r


def _resample_paired(a: Side, b: Side, rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap means of two sides paired run by run and example by example (same indices)."""
    r = a.n_runs
    pick = rng.integers(0, r, size=(size, r)) if r > 1 else np.zeros((size, 1), dtype=int)
    out_a, out_b = np.zeros(size), np.zeros(size)
    for j in range(r):
        chosen = pick == j
        draws = int(chosen.sum())
        if not draws:
            continue
        idx = rng.integers(0, len(a.runs[j]), size=(draws, len(a.runs[j])))
        rows = np.nonzero(chosen)[0]
        np.add.at(out_a, rows, a.runs[j][idx].mean(axis=1))
        np.add.at(out_b, rows, b.runs[j][idx].mean(axis=1))
    return out_a / r, out_b / r


def resamplable(side: Side) -> bool:
    """Whether a side has a sampling level to resample (two runs, or examples in a run)."""
    return side.n_runs > 1 or (side.level != "aggregate" and side.n_examples > 1)


def bootstrap(
    sides: Sequence[Side],
    statistic: Callable[..., np.ndarray],
    *,
    key: str,
    paired: bool = False,
    resamples: int = RESAMPLES,
    confidence: float = CONFIDENCE,
) -> tuple[float, float]:
    """Percentile interval of ``statistic(*side_means)`` over two-level bootstrap resamples.

    ``statistic`` takes one array of bootstrap means per side (vectorised). ``paired``: the
    two sides hold the same runs and examples in the same order (e.g. the same images
    inverted two ways) and are resampled together. Sides without a sampling level (one run,
    aggregate only) enter as constants; with none left to resample the interval is NaN.
    """
    if not any(resamplable(s) for s in sides):
        return math.nan, math.nan
    rng = np.random.default_rng(seed_for(key))
    if paired:
        means = list(_resample_paired(sides[0], sides[1], rng, resamples))
    else:
        means = [_resample_side(s, rng, resamples) for s in sides]
    values = np.asarray(statistic(*means), dtype=float)
    values = values[np.isfinite(values)]
    if not len(values):
        return math.nan, math.nan
    tail = (1 - confidence) / 2 * 100
    lo, hi = np.percentile(values, [tail, 100 - tail])
    return float(lo), float(hi)


def bootstrap_runs(
    side: Side,
    statistic: Callable[[np.ndarray], np.ndarray],
    *,
    key: str,
    resamples: int = RESAMPLES,
    confidence: float = CONFIDENCE,
) -> tuple[float, float]:
    """Percentile interval of ``statistic`` over the runs' means, each run's examples resampled.

    For effects across the runs themselves (the range of a side's runs): the runs are the units
    compared, so only the examples inside each run are resampled. ``statistic`` maps a
    ``(resamples, runs)`` array to ``(resamples,)``.
    """
    if side.level == "aggregate" or side.n_examples < 2:
        return math.nan, math.nan
    rng = np.random.default_rng(seed_for(key))
    means = np.stack(
        [run[rng.integers(0, len(run), size=(resamples, len(run)))].mean(axis=1) for run in side.runs], axis=1
    )
    tail = (1 - confidence) / 2 * 100
    lo, hi = np.percentile(statistic(means), [tail, 100 - tail])
    return float(lo), float(hi)


def clopper_pearson(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact binomial interval for ``k`` successes in ``n`` trials (Clopper & Pearson 1934)."""
    from scipy.stats import beta

    if n <= 0:
        return math.nan, math.nan
    alpha = 1 - confidence
    lo = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return lo, hi


def decide(lo: float, hi: float, margin: float, direction: str) -> str:
    """holds / does not hold / inconclusive for the claim ``effect <direction> margin``."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return INCONCLUSIVE
    if direction == "greater":
        return HOLDS if lo > margin else FAILS if hi < margin else INCONCLUSIVE
    return HOLDS if hi < margin else FAILS if lo > margin else INCONCLUSIVE


def settle(estimate: float, lo: float, hi: float, margin: float, sides: Sequence[Side]) -> str:
    """For an inconclusive verdict: the sample size that would clear the margin.

    The half-width must shrink below the distance from the estimate to the margin; it scales
    as 1/sqrt(n) in the level that dominates the variance (runs, where a side has several and
    their spread exceeds the examples' sampling error, else examples).
    """
    dist = abs(estimate - margin)
    if not math.isfinite(lo) or not math.isfinite(hi):
        runs = min(s.n_runs for s in sides)
        return f"no sampling level to resample ({runs} run(s), aggregate only): at least 3 seeds per side"
    if dist == 0:
        return "the estimate sits on the margin: more data alone may not settle it"
    half = (hi - lo) / 2
    factor = (half / dist) ** 2
    runs_dominate = any(s.n_runs > 1 and _between_runs_dominates(s) for s in sides)
    if runs_dominate or all(s.level == "aggregate" for s in sides):
        now = min(s.n_runs for s in sides)
        return f"about {max(now + 1, math.ceil(now * factor))} seeds per side (now {now})"
    now = min(s.n_examples for s in sides)
    return f"about {max(now + 1, math.ceil(now * factor))} examples per run (now {now})"


def _between_runs_dominates(side: Side) -> bool:
    means = np.array([r.mean() for r in side.runs])
    between = means.var(ddof=1) if len(means) > 1 else 0.0
    within = float(np.mean([r.var(ddof=1) / len(r) if len(r) > 1 else 0.0 for r in side.runs]))
    return side.level == "aggregate" or between > within
