"""A claim's declared test on a pair of terms: the terms measured into the test's sides (one per
grid point for a trend), the effect with its interval (:mod:`advgen.claims.measuring.effects`), the
interval as the page writes it, and the margin checks (the sides swapped or made equal), whose
test must not hold."""

from __future__ import annotations

import math
from dataclasses import dataclass

from advgen.claims.deciding.verdict_words import NOT_MEASURED
from advgen.claims.measuring.effects import Result
from advgen.claims.measuring.effects import evaluate as evaluate_effect
from advgen.claims.measuring.measure import Context, Measured, NotMeasured, measure, measure_by, paired
from advgen.claims.reading.model import Claim, MarginCheck, Term, Test
from advgen.claims.statistics import stats


def _label(term: Term, default: str) -> str:
    return term.label or default


def _grid_name(by: str, v: object) -> str:
    return f"{by}={v:g}" if isinstance(v, int | float) else f"{by}={v}"


@dataclass
class MeasuredTerms:
    named: list[tuple[str, Measured]]
    sides: list[stats.Side]
    trend_b: bool = False


def measure_terms(test: Test, terms: tuple[Term, ...], ctx: Context, key: str) -> MeasuredTerms:
    """The sides of ``test`` on ``terms`` (for a trend, one per grid point)."""
    if test.effect == "trend":
        assert test.by is not None
        grid_a = dict(measure_by(ctx, terms[0], test.by, key))
        if len(terms) == 1:
            named = [(_grid_name(test.by, v), grid_a[v]) for v in grid_a]
            return MeasuredTerms(named, [m.side for _, m in named])
        grid_b = dict(measure_by(ctx, terms[1], test.by, key))
        keys = [v for v in grid_a if v in grid_b]
        if len(keys) < 2:
            raise NotMeasured(f"fewer than 2 values of {test.by!r} on both sides")
        named = [
            (f"{_label(terms[i], k)} at {_grid_name(test.by, v)}", g[v])
            for i, (k, g) in enumerate((("a", grid_a), ("b", grid_b)))
            for v in keys
        ]
        return MeasuredTerms(named, [m.side for _, m in named], trend_b=True)
    named = [(_label(t, k), measure(ctx, t, key)) for k, t in zip(("a", "b"), terms, strict=False)]
    sides = [m.side for _, m in named]
    if test.paired:
        sides = list(paired(named[0][1], named[1][1]))
    if test.effect == "range" and sides[0].n_runs < 2:
        raise NotMeasured("a range needs at least 2 units")
    return MeasuredTerms(named, sides)


def term_effect(test: Test, terms: tuple[Term, ...], ctx: Context, key: str) -> tuple[MeasuredTerms, Result]:
    m = measure_terms(test, terms, ctx, key)
    return m, evaluate_effect(test, m.sides, unit=terms[0].runs, trend_b=m.trend_b)


def check_terms(claim: Claim, check: MarginCheck) -> tuple[Term, ...]:
    if check.swap:
        return (claim.terms[1], claim.terms[0])
    side = claim.terms[0 if check.same == "a" else 1]
    return (side, side)


def margin_checks(claim: Claim, ctx: Context) -> tuple[str, str]:
    """The margin checks' outcomes on the page, and the error message where one holds."""
    assert claim.test is not None
    texts, error = [], ""
    for check in claim.checks:
        try:
            _, result = term_effect(claim.test, check_terms(claim, check), ctx, claim.id)
        except NotMeasured as exc:
            texts.append(f"{check.what}: {NOT_MEASURED} ({exc})")
            continue
        texts.append(f"{check.what}: {result.verdict}: {interval_text(result)}")
        if result.verdict == stats.HOLDS and not error:
            error = (
                f"the test holds on its margin check ({check.what}: {interval_text(result)}), "
                "so it could not have failed; fix the test before its verdict is read"
            )
    return "; ".join(texts), error


def interval_text(result: Result) -> str:
    if not math.isfinite(result.estimate):
        return "–"
    lo, hi = result.lo, result.hi
    return f"{result.estimate:.3g}" + (f" [{lo:.3g}, {hi:.3g}]" if math.isfinite(lo) else "")
