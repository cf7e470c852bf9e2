"""A claim's verdict: its declared effect, a 95 % interval over seeds and examples, the margin.

Effects (``test.effect``): ``value`` (side a), ``difference`` (a - b), ``ratio`` (a / b) and
``trend`` (the least-squares change of a across the grid column ``by``, from its first to its
last value, on the grid's ranks). The interval is the two-level bootstrap of
:mod:`advgen.claims.stats` (seeds, then examples; paired when the test says so), or the exact
Clopper-Pearson interval for a ``value`` that is one run's proportion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from advgen.claims import stats
from advgen.claims.measure import Context, Measured, NotMeasured, measure, measure_by, paired
from advgen.claims.spec import Claim

NOT_MEASURED = "not measured"
PAPER_ONLY = "paper scale only"
NOT_TESTABLE = "not testable at this scale"
VERDICTS = (stats.HOLDS, stats.FAILS, stats.INCONCLUSIVE, NOT_MEASURED, PAPER_ONLY, NOT_TESTABLE)


@dataclass
class Verdict:
    """A claim's verdict with its effect, interval and sample sizes."""

    claim: Claim
    verdict: str
    estimate: float = math.nan
    lo: float = math.nan
    hi: float = math.nan
    method: str = ""
    seeds: int = 0  # runs on the side with fewest
    examples: int = 0  # examples per run on the side with fewest (1: aggregate)
    sides: list[tuple[str, Measured]] = field(default_factory=list)
    note: str = ""
    settle: str = ""

    @property
    def n_text(self) -> str:
        if not self.seeds:
            return ""
        runs = f"{self.seeds} seed{'s' if self.seeds != 1 else ''}"
        if self.examples <= 1:
            return f"{runs} (aggregate per seed)"
        return f"{runs} × {self.examples} examples"

    def effect_text(self, digits: int = 3) -> str:
        """``0.894 [0.86, 0.92]`` (the estimate and its interval)."""
        if not math.isfinite(self.estimate):
            return "–"
        text = f"{self.estimate:.{digits}g}"
        if math.isfinite(self.lo):
            text += f" [{self.lo:.{digits}g}, {self.hi:.{digits}g}]"
        return text

    def sides_text(self, digits: int = 3) -> str:
        return "; ".join(f"{name} = {m.side.mean():.{digits}g}" for name, m in self.sides)


def _label(claim: Claim, i: int, default: str) -> str:
    return claim.terms[i].label or default


def _trend_statistic(k: int, with_b: bool = False):
    """Least-squares change across ``k`` grid points (on ranks), from the first to the last; with
    ``with_b`` the statistic takes 2k means (a's then b's) and trends a - b."""
    ranks = np.arange(k, dtype=float)
    centred = ranks - ranks.mean()
    scale = (k - 1) / float((centred**2).sum())

    def statistic(*means: np.ndarray) -> np.ndarray:
        values = [a - b for a, b in zip(means[:k], means[k:], strict=True)] if with_b else means
        return sum(c * m for c, m in zip(centred, values, strict=True)) * scale

    return statistic


def _binary(side: stats.Side) -> bool:
    return all(np.isin(r, (0.0, 1.0)).all() for r in side.runs)


def _interval(claim: Claim, sides: list[stats.Side], statistic, *, paired_: bool) -> tuple[float, float, str]:
    test = claim.test
    assert test is not None
    one = sides[0]
    if test.effect == "value" and one.n_runs == 1 and (one.level == "proportion" or _binary(one)):
        k = int(round(one.runs[0].sum()))
        lo, hi = stats.clopper_pearson(k, len(one.runs[0]))
        return lo, hi, "Clopper-Pearson (exact binomial)"
    if test.effect == "range":
        lo, hi = stats.bootstrap_runs(one, statistic, key=claim.id)
        return lo, hi, "bootstrap over each unit's examples"
    lo, hi = stats.bootstrap(sides, statistic, key=claim.id, paired=paired_)
    levels = "seeds, then examples" if any(s.n_runs > 1 for s in sides) else "examples"
    if all(s.level == "aggregate" for s in sides):
        levels = "seeds (aggregate table)"
    return lo, hi, f"bootstrap over {levels}{', paired' if paired_ else ''}"


def _grid_name(by: str, v: object) -> str:
    return f"{by}={v:g}" if isinstance(v, int | float) else f"{by}={v}"


def _trend(claim: Claim, ctx: Context):
    test = claim.test
    assert test is not None and test.by is not None
    grid_a = dict(measure_by(ctx, claim.terms[0], test.by, claim.id))
    if len(claim.terms) == 1:
        keys = list(grid_a)
        named = [(_grid_name(test.by, v), grid_a[v]) for v in keys]
        sides = [grid_a[v].side for v in keys]
        return named, sides, _trend_statistic(len(keys))
    grid_b = dict(measure_by(ctx, claim.terms[1], test.by, claim.id))
    keys = [v for v in grid_a if v in grid_b]
    if len(keys) < 2:
        raise NotMeasured(f"fewer than 2 values of {test.by!r} on both sides")
    named = [
        (f"{_label(claim, i, k)} at {_grid_name(test.by, v)}", g[v])
        for i, (k, g) in enumerate((("a", grid_a), ("b", grid_b)))
        for v in keys
    ]
    sides = [grid_a[v].side for v in keys] + [grid_b[v].side for v in keys]
    return named, sides, _trend_statistic(len(keys), with_b=True)


def _evaluate(claim: Claim, ctx: Context) -> Verdict:
    test = claim.test
    assert test is not None
    paired_ = False
    if test.effect == "trend":
        named, sides, statistic = _trend(claim, ctx)
        estimate = float(statistic(*[np.array([s.mean()]) for s in sides])[0])
    else:
        named = [
            (_label(claim, i, key), measure(ctx, t, claim.id))
            for i, (key, t) in enumerate(zip(("a", "b"), claim.terms, strict=False))
        ]
        sides = [m.side for _, m in named]
        paired_ = test.paired
        if paired_:
            sides = list(paired(named[0][1], named[1][1]))
        if test.effect == "range":
            if sides[0].n_runs < 2:
                raise NotMeasured("a range needs at least 2 units")

            def statistic(means):
                return means.max(axis=1) - means.min(axis=1)

            estimate = float(statistic(np.array([[r.mean() for r in sides[0].runs]]))[0])
        else:
            if test.effect == "value":

                def statistic(a):
                    return a
            elif test.effect == "difference":

                def statistic(a, b):
                    return a - b
            else:

                def statistic(a, b):
                    with np.errstate(divide="ignore", invalid="ignore"):
                        return a / b

            estimate = float(statistic(*[np.array([s.mean()]) for s in sides])[0])
    lo, hi, method = _interval(claim, sides, statistic, paired_=paired_)
    verdict = stats.decide(lo, hi, test.margin, test.direction)
    # the sides' notes, each "; "-separated part once (two sides of one table share its wording)
    notes = list(dict.fromkeys(part for _, m in named if m.note for part in m.note.split("; ")))
    units = sides if test.effect != "range" else [stats.Side(sides[0].runs[:1], level=sides[0].level)]
    out = Verdict(
        claim,
        verdict,
        estimate,
        lo,
        hi,
        method,
        seeds=min(s.n_runs for s in sides) if test.effect != "range" else sides[0].n_runs,
        examples=min(s.n_examples if s.level != "aggregate" else 1 for s in units),
        sides=named,
        note="; ".join(notes),
    )
    if verdict == stats.INCONCLUSIVE:
        out.settle = stats.settle(estimate, lo, hi, test.margin, sides)
    return out


def evaluate(claim: Claim, ctx: Context) -> Verdict:
    """The verdict of one claim on one run (errors in the run's tables propagate)."""
    if claim.status == "not_testable" or claim.test is None:
        return Verdict(
            claim, NOT_TESTABLE if claim.status == "not_testable" else PAPER_ONLY, note=claim.reason
        )
    try:
        return _evaluate(claim, ctx)
    except NotMeasured as exc:
        if claim.status == "paper_only":  # measured where the config produces it (config/paper.yaml)
            return Verdict(claim, PAPER_ONLY, note=claim.reason)
        return Verdict(claim, NOT_MEASURED, note=str(exc))


def claim_text(claim: Claim) -> str:
    """The declared test in words: ``a - b > 0.1 (ours: ...)``."""
    test = claim.test
    if test is None:
        return ""
    names = [t.label or k for t, k in zip(claim.terms, ("a", "b"), strict=False)]
    effect = {
        "value": names[0],
        "difference": f"{names[0]} − {names[-1]}",
        "ratio": f"{names[0]} / {names[-1]}",
        "trend": f"change of {' − '.join(names)} across {test.by}",
        "range": f"max − min of {names[0]}",
    }[test.effect]
    op = ">" if test.direction == "greater" else "<"
    return f"{effect} {op} {test.margin:g}"
