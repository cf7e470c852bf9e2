"""Verdicts: the generic comparison kinds of :mod:`advgen.claims.spec`, applied to measurements.

A comparison is a signed difference ``d`` (positive in the claimed direction) and a spread
``s``: the replicates' standard deviations combined (``sqrt(sa² + sb²)``), floored at the
claim's ``tolerance`` and ``rel_tolerance × max(|a|, |b|)`` (cross-machine drift: numbers
that close are not told apart). ``d > s``: holds; ``d < -s``: does not hold; otherwise
inconclusive. A ``noisy`` claim needs ``min_seeds`` replicates on every side before it can
hold or fail (the same commit drifts between CPUs; issue 15).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from advgen.claims.measure import Measurement, Tables, measure, measure_by
from advgen.claims.spec import Claim

HOLDS, FAILS, INCONCLUSIVE, NOT_MEASURED = "holds", "does not hold", "inconclusive", "not measured"
VERDICTS = (HOLDS, FAILS, INCONCLUSIVE, NOT_MEASURED)


@dataclass
class Verdict:
    """A claim's verdict with the numbers on both sides."""

    claim: Claim
    verdict: str
    measured: str
    difference: float = math.nan
    spread: float = math.nan
    sides: list[tuple[str, Measurement]] = field(default_factory=list)
    note: str = ""


def _spread(claim: Claim, *sides: Measurement, scale: float) -> float:
    stat = math.sqrt(sum(m.spread**2 for m in sides))
    return max(stat, claim.tolerance, claim.rel_tolerance * abs(scale))


def _decide(d: float, s: float) -> str:
    if d > s:
        return HOLDS
    if d < -s:
        return FAILS
    return INCONCLUSIVE


def _too_few(claim: Claim, sides: list[Measurement]) -> str:
    if not claim.noisy:
        return ""
    n = min(m.n for m in sides)
    return f"{n} replicate(s), a noisy claim needs {claim.min_seeds}" if n < claim.min_seeds else ""


def _label(claim: Claim, i: int, default: str) -> str:
    return claim.terms[i].label or default


def _pairwise(claim: Claim, a: Measurement, b: Measurement, sign: int) -> tuple[str, float, float]:
    target = claim.factor * b.mean
    d = sign * (a.mean - target) - claim.margin
    s = _spread(claim, a, Measurement(spread=claim.factor * b.spread), scale=max(abs(a.mean), abs(target)))
    return _decide(d, s), d, s


def _finish(claim: Claim, verdict: str, measured: str, d: float, s: float, sides, note: str = "") -> Verdict:
    few = _too_few(claim, [m for _, m in sides])
    if few and verdict in (HOLDS, FAILS):
        verdict, note = INCONCLUSIVE, "; ".join(x for x in (note, few) if x)
    return Verdict(claim, verdict, measured, d, s, list(sides), note)


def _missing(claim: Claim, sides: list[tuple[str, Measurement]]) -> Verdict | None:
    gone = list(dict.fromkeys(m.note or "no value" for _, m in sides if not m.ok))
    if not gone:
        return None
    measured = "; ".join(f"{name} = {m.text()}" for name, m in sides if m.ok) or "–"
    return Verdict(claim, NOT_MEASURED, measured, sides=sides, note="; ".join(gone))


def _compare(claim: Claim, tables: Tables) -> Verdict:
    a = measure(tables, claim.terms[0])
    b = measure(tables, claim.terms[1])
    sides = [(_label(claim, 0, "a"), a), (_label(claim, 1, "b"), b)]
    if (gone := _missing(claim, sides)) is not None:
        return gone
    sign = 1 if claim.kind == "greater" else -1
    verdict, d, s = _pairwise(claim, a, b, sign)
    rel = ">" if sign > 0 else "<"
    rhs = f"{claim.factor:g} × {sides[1][0]}" if claim.factor != 1 else sides[1][0]
    rhs += f" {'+' if sign > 0 else '-'} {claim.margin:g}" if claim.margin else ""
    measured = f"{sides[0][0]} = {a.text()} {rel}? {rhs}, {sides[1][0]} = {b.text()}"
    return _finish(claim, verdict, measured, d, s, sides)


def _threshold(claim: Claim, tables: Tables) -> Verdict:
    a = measure(tables, claim.terms[0])
    sides = [(_label(claim, 0, "a"), a)]
    if (gone := _missing(claim, sides)) is not None:
        return gone
    assert claim.value is not None and claim.op is not None
    sign = 1 if claim.op.startswith(">") else -1
    d = sign * (a.mean - claim.value)
    s = _spread(claim, a, scale=max(abs(a.mean), abs(claim.value)))
    verdict = _decide(d, s)
    measured = f"{sides[0][0]} = {a.text()} {claim.op}? {claim.value:g}"
    return _finish(claim, verdict, measured, d, s, sides)


def _chain(claim: Claim, sides: list[tuple[str, Measurement]], sign: int) -> tuple[str, float, float, str]:
    """Adjacent pairs of an ordered chain: all hold -> holds, any fails -> fails.

    Returns the verdict, the difference and spread of the weakest pair (smallest d - s) and
    a per-step summary.
    """
    steps = []
    for (_, lo), (_, hi) in zip(sides, sides[1:], strict=False):
        d = sign * (hi.mean - lo.mean)
        s = _spread(claim, lo, hi, scale=max(abs(lo.mean), abs(hi.mean)))
        steps.append((_decide(d, s), d, s))
    verdicts = [v for v, _, _ in steps]
    if FAILS in verdicts:
        verdict = FAILS
    elif all(v == HOLDS for v in verdicts):
        verdict = HOLDS
    else:
        verdict = INCONCLUSIVE
    _, worst_d, worst_s = min(steps, key=lambda t: t[1] - t[2])
    text = ", ".join(f"{a}→{b}: {v}" for (a, _), (b, _), v in zip(sides, sides[1:], verdicts, strict=False))
    return verdict, worst_d, worst_s, text


def _order(claim: Claim, tables: Tables) -> Verdict:
    sides = [(_label(claim, i, f"t{i}"), measure(tables, t)) for i, t in enumerate(claim.terms)]
    if (gone := _missing(claim, sides)) is not None:
        return gone
    sign = 1 if claim.direction == "increasing" else -1
    verdict, d, s, steps = _chain(claim, sides, sign)
    rel = " < " if sign > 0 else " > "
    measured = rel.join(f"{name} = {m.text()}" for name, m in sides)
    return _finish(claim, verdict, measured, d, s, sides, note=steps)


def _trend(claim: Claim, tables: Tables) -> Verdict:
    assert claim.by is not None
    groups, note = measure_by(tables, claim.terms[0], claim.by)
    label = _label(claim, 0, "a")
    if len(groups) < 2:
        why = note or f"{claim.terms[0].table}: fewer than 2 values of {claim.by!r}"
        return Verdict(claim, NOT_MEASURED, f"{label}: not measured", note=why)
    sides = [
        (f"{claim.by}={key:g}" if isinstance(key, int | float) else f"{claim.by}={key}", m)
        for key, m in groups.items()
    ]
    sign = 1 if claim.direction == "increasing" else -1
    (_, first), (_, last) = sides[0], sides[-1]
    d = sign * (last.mean - first.mean)
    s = _spread(claim, first, last, scale=max(abs(first.mean), abs(last.mean)))
    ends = _decide(d, s)
    chain, _, _, steps = _chain(claim, sides, sign)
    verdict = ends if ends != HOLDS or chain != FAILS else INCONCLUSIVE
    measured = f"{label} ({claim.direction} in {claim.by}?): " + ", ".join(
        f"{n}: {m.text()}" for n, m in sides
    )
    return _finish(claim, verdict, measured, d, s, sides, note=steps)


KIND_FUNCTIONS = {
    "greater": _compare,
    "less": _compare,
    "threshold": _threshold,
    "order": _order,
    "trend": _trend,
}


def evaluate(claim: Claim, tables: Tables) -> Verdict:
    """The verdict of one claim on the tables of one run."""
    return KIND_FUNCTIONS[claim.kind](claim, tables)
