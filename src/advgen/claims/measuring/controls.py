"""A claim's control and calibration: its test on the control's sides (a negative control that
holds, or is significant on either side of no effect, withholds the verdict; a positive control
that does not hold withholds it too), and on permuted halves of one condition (a calibration
that is significant is noted, and withholds nothing)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from advgen.claims.deciding.verdict_words import NOT_MEASURED, SIGNIFICANT
from advgen.claims.measuring.effects import Result
from advgen.claims.measuring.effects import evaluate as evaluate_effect
from advgen.claims.measuring.measure import Context, NotMeasured, measure
from advgen.claims.measuring.term_effect import MeasuredTerms, interval_text, measure_terms, term_effect
from advgen.claims.reading.model import NO_EFFECT, Claim, Test
from advgen.claims.statistics import stats


def split_halves(side: stats.Side, seed: int) -> tuple[stats.Side, stats.Side]:
    """A side's units in two halves, at random (seeded): its runs where it has several, else
    its one run's examples."""
    rng = np.random.default_rng(seed)
    if side.n_runs >= 2:
        order = rng.permutation(side.n_runs)
        half = (side.n_runs + 1) // 2
        pick = [order[:half], order[half:]]
        return tuple(  # type: ignore[return-value]
            stats.Side(
                tuple(side.runs[i] for i in sorted(p)), tuple(side.names[i] for i in sorted(p)), side.level
            )
            for p in pick
        )
    run = side.runs[0]
    order = rng.permutation(len(run))
    half = (len(run) + 1) // 2
    return (
        stats.Side((run[np.sort(order[:half])],), ("half 1",), side.level),
        stats.Side((run[np.sort(order[half:])],), ("half 2",), side.level),
    )


def permuted_grid(m: MeasuredTerms, seed: int) -> list[stats.Side]:
    """A trend's sides with the grid values permuted within each run (seeded): each run's values
    reassigned to the grid points at random, so no trend is left by construction."""
    rng = np.random.default_rng(seed)
    sides = m.sides
    points = len(sides) // 2 if m.trend_b else len(sides)
    groups = [sides[:points], sides[points:]] if m.trend_b else [sides]
    names = sorted({n for s in sides for n in s.names})
    out_groups = []
    perms = {name: rng.permutation(points) for name in names}
    for group in groups:
        runs: list[list[np.ndarray]] = [[] for _ in range(points)]
        labels: list[list[str]] = [[] for _ in range(points)]
        for name in names:
            cells = [s.runs[s.names.index(name)] if name in s.names else None for s in group]
            if any(c is None for c in cells):
                continue
            for i, j in enumerate(perms[name]):
                runs[i].append(cells[j])
                labels[i].append(name)
        out_groups += [
            stats.Side(tuple(r), tuple(n), group[0].level) for r, n in zip(runs, labels, strict=True)
        ]
    return out_groups


def seed_of(claim: Claim) -> int:
    """The permuted controls' seed: fixed by the claim's id (the page is deterministic)."""
    import zlib

    return zlib.crc32(claim.id.encode("utf-8"))


def control_result(claim: Claim, ctx: Context) -> Result:
    """The claim's test on its control's sides."""
    control, test = claim.control, claim.test
    assert control is not None and test is not None
    return term_effect(test, control.terms, ctx, claim.id)[1]


def _calibration_result(claim: Claim, ctx: Context) -> Result:
    """The claim's test on its permuted halves (the calibration): a side's units split at random
    in two halves of one condition, or a trend's grid values permuted within each run."""
    calibration, test = claim.calibration, claim.test
    assert calibration is not None and test is not None
    unit = claim.terms[0].runs
    if test.effect == "trend":
        m = measure_terms(test, claim.terms, ctx, claim.id)
        return evaluate_effect(test, permuted_grid(m, seed_of(claim)), unit=unit, trend_b=m.trend_b)
    side = measure(ctx, claim.terms[0 if calibration.permute == "a" else 1], claim.id).side
    if side.n_runs == 1 and side.n_examples < 2:
        raise NotMeasured("one value: nothing to split")
    unpaired = dataclasses.replace(test, paired=False)
    halves = list(split_halves(side, seed_of(claim)))
    return evaluate_effect(unpaired, halves, unit=unit, pooled=side.n_runs >= 2)


def significant_side(test: Test, result: Result, *, both: bool = False) -> str:
    """Where a null's interval lies clear of the effect's no-effect value
    (:data:`~advgen.claims.reading.model.NO_EFFECT`: 0 for a difference or trend, 1 for a ratio):
    ``"claimed"`` (on the side the claim points to), ``"other"`` (on the other side) or ``""``.

    A directional test only (a value, range or equivalence has no no-effect value). The other
    side counts where the test's margin is the no-effect value (a "does not hold" there is an
    effect the other way), or where ``both``; a margin away from it (``ratio > 0.95``) leaves
    room on the other side by design."""
    null = NO_EFFECT.get(test.effect)
    if null is None or test.direction not in ("greater", "less"):
        return ""
    if not (math.isfinite(result.lo) and math.isfinite(result.hi)):
        return ""
    above, below = result.lo > null, result.hi < null
    claimed, other = (above, below) if test.direction == "greater" else (below, above)
    if claimed:
        return "claimed"
    if other and (both or test.margin == null):
        return "other"
    return ""


def control_outcome(claim: Claim, ctx: Context) -> tuple[str, str]:
    """The control's outcome on the page, and why it withholds the claim's verdict ("" if not).

    A negative control withholds the verdict when its test holds, or when its interval lies clear
    of the no-effect value on either side (:func:`significant_side`): the null it was built to
    realise shows an effect, so the measurement (or chance, at the test's level) is at fault. A
    positive control withholds it when its test does not hold."""
    control, test = claim.control, claim.test
    if control is None or test is None:
        return "", ""
    if control.kind == "none":
        return f"none: {control.reason}", ""
    positive = control.expect == "holds"
    try:
        result = control_result(claim, ctx)
    except NotMeasured as exc:
        text = f"{NOT_MEASURED} ({exc})"
        return text, (f"its positive control ({control.what}) is not measured" if positive else "")
    text = f"{result.verdict}: {interval_text(result)}"
    if positive:
        if result.verdict != stats.HOLDS:
            return text, (
                f"its positive control does not hold ({control.what}: {interval_text(result)}): the "
                "measurement does not show the effect where it is present by construction"
            )
        return text, ""
    side = "" if result.verdict == stats.HOLDS else significant_side(test, result)
    if result.verdict == stats.HOLDS or side:
        where = f" on the {side} side of no effect" if side else ""
        if side:
            text = f"{SIGNIFICANT}{where}: {interval_text(result)}"
        what = "holds" if not side else f"is significant{where}"
        return text, (
            f"its negative control {what} ({control.what}: {interval_text(result)}): a broken "
            f"measurement makes it so, or chance (at the test's level, {100 * result.alpha:g} %)"
        )
    return text, ""


def calibration_outcome(claim: Claim, ctx: Context) -> tuple[str, str]:
    """The permuted-halves calibration's outcome on the page, and a note where its interval lies
    clear of no effect on either side (the interval may understate the spread between runs of one
    condition). It is not the control and withholds nothing."""
    if claim.calibration is None or claim.test is None:
        return "", ""
    try:
        result = _calibration_result(claim, ctx)
    except NotMeasured as exc:
        return f"{NOT_MEASURED} ({exc})", ""
    text = f"{result.verdict}: {interval_text(result)}"
    side = significant_side(claim.test, result, both=True)
    if result.verdict == stats.HOLDS or side:
        text = f"{SIGNIFICANT}: {interval_text(result)}"
        return text, (
            f"calibration: two halves of one condition differ ({claim.calibration.what}: "
            f"{interval_text(result)}), so the interval may understate the spread between runs"
        )
    return text, ""
