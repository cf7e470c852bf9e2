"""A claim's control and calibration (since 2026-11-29: controls tested, not trusted).

A control enters the test; it withholds a verdict only where it shows the measurement broken:

* a negative control of a directional difference, ratio or trend realises the no-effect value
  (0; 1 for a ratio) up to a fault of the measurement: the verdict reads the effect minus the
  control (divided by it for a ratio; MOVER over the two intervals), so a control far smaller
  than the effect cannot withhold it, and one as large as the effect takes it away; a control
  whose interval lies clear of its null on either side flags the row;
* any other negative control (of a value, range or equivalence test, or one that builds in the
  opposite effect, kind ``opposite_effect``) must be shown to lack the claimed property under the
  claim's own test: one that holds shows the measurement broken (*not valid*, the row flagged);
  one whose test is inconclusive leaves a "holds" unconfirmed (*inconclusive*);
* a positive control (a run built to saturate, an effect built in) must hold: one that does not,
  or is not measured, shows the measurement blind (*not valid*).

The permuted halves of one condition are the calibration, shown apart: one that is significant
is noted, and withholds nothing."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from advgen.claims.deciding.verdict_words import NOT_MEASURED, SIGNIFICANT
from advgen.claims.measuring.effects import Result
from advgen.claims.measuring.effects import evaluate as evaluate_effect
from advgen.claims.measuring.measure import Context, NotMeasured, measure
from advgen.claims.measuring.term_effect import MeasuredTerms, interval_text, measure_terms, term_effect
from advgen.claims.reading.model import NO_EFFECT, Claim, Term, Test
from advgen.claims.statistics import stats
from advgen.claims.statistics.rates import difference_interval


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


def control_result(claim: Claim, ctx: Context, terms: tuple[Term, ...] | None = None) -> Result:
    """The claim's test on its control's sides (``terms``: those sides written on another scale)."""
    control, test = claim.control, claim.test
    assert control is not None and test is not None
    return term_effect(test, control.terms if terms is None else terms, ctx, claim.id)[1]


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


#: the negative kinds that realise the claim's effect the other way round (its property absent
#: because its opposite is built in: the error still falling, adversarial digits in place of clean
#: ones), not the no-effect value: tested with the claim's own test, never subtracted
OPPOSITE = frozenset({"opposite_effect"})


def rule(claim: Claim) -> str:
    """How the claim's control enters its verdict: ``positive`` (a positive control: the test
    must hold on it), ``subtract`` (a negative control of a directional difference, ratio or
    trend, which realises the no-effect value: the verdict reads the effect minus the control),
    ``own_test`` (any other negative control: the claim's own test on it must not hold) or
    ``none``."""
    control, test = claim.control, claim.test
    if control is None or test is None or control.kind == "none":
        return "none"
    if control.expect == "holds":
        return "positive"
    directional = test.direction in ("greater", "less") and test.effect in NO_EFFECT
    return "subtract" if directional and control.kind not in OPPOSITE else "own_test"


@dataclass
class ControlOutcome:
    """The control's outcome on the page (``text``) and how it enters the verdict.

    ``result``: the claim's test on the control (None where not measured); ``broken``: why the
    measurement is shown broken (a positive control that does not hold or is not measured, a
    negative control of :func:`rule` ``own_test`` that holds): the verdict is *not valid*;
    ``flag``: a control significant on either side of its null, shown beside the verdict;
    ``unshown``: an ``own_test`` control whose absence of the property is not shown (its test is
    inconclusive): a "holds" reads "inconclusive"."""

    text: str
    result: Result | None = None
    rule: str = "none"
    broken: str = ""
    flag: str = ""
    unshown: str = ""


def control_outcome(claim: Claim, ctx: Context, terms: tuple[Term, ...] | None = None) -> ControlOutcome:
    """The control measured and judged (:class:`ControlOutcome`, :func:`rule`): a negative control
    enters the test (subtracted, or its own test must not hold) and is flagged where it is
    significant on either side of its null; it withholds the verdict only where it shows the
    measurement broken."""
    control, test = claim.control, claim.test
    how = rule(claim)
    if control is None or test is None:
        return ControlOutcome("")
    if how == "none":
        return ControlOutcome(f"none: {control.reason}")
    try:
        result = control_result(claim, ctx, terms)
    except NotMeasured as exc:
        text = f"{NOT_MEASURED} ({exc})"
        broken = f"its positive control ({control.what}) is not measured" if how == "positive" else ""
        return ControlOutcome(text, rule=how, broken=broken)
    shown = interval_text(result)
    text = f"{result.verdict}: {shown}"
    if how == "positive":
        if result.verdict != stats.HOLDS:
            return ControlOutcome(text, result, how, broken=(
                f"its positive control does not hold ({control.what}: {shown}): the measurement does not "
                "show the effect where it is present by construction"
            ))  # fmt: skip
        return ControlOutcome(text, result, how)
    if how == "subtract":
        side = significant_side(test, result, both=True)
        if side:
            text = f"{SIGNIFICANT} on the {side} side of no effect: {shown}"
            flag = f"its control is significant on the {side} side of no effect ({control.what}: {shown})"
            return ControlOutcome(text, result, how, flag=flag)
        return ControlOutcome(text, result, how)
    if result.verdict == stats.HOLDS:
        return ControlOutcome(text, result, how, broken=(
            f"its negative control holds ({control.what}: {shown}): the measurement shows the property where "
            f"it is absent by construction (a broken measurement, or chance at {100 * result.alpha:g} %)"
        ), flag=f"its control holds ({control.what}: {shown})")  # fmt: skip
    if result.verdict == stats.INCONCLUSIVE:
        return ControlOutcome(text, result, how, unshown=(
            f"its negative control does not show the property absent ({control.what}: {shown}, inconclusive)"
        ))  # fmt: skip
    return ControlOutcome(text, result, how)


def corrected(test: Test, effect: Result, control: Result) -> Result:
    """The effect minus its control (a ratio: divided by it), the interval by MOVER over the two
    intervals (:func:`advgen.claims.statistics.rates.difference_interval`), and the test's verdict
    and p-values on it: a control that realises no effect up to a fault of the measurement
    takes that fault out of the effect."""
    assert effect.bounds is not None and control.bounds is not None
    ratio = test.effect == "ratio"
    estimate, bounds = difference_interval(
        (effect.estimate, effect.bounds), (control.estimate, control.bounds), ratio=ratio
    )
    lo, hi = bounds(effect.confidence)
    verdict = stats.decide(lo, hi, test.margin, test.direction, test.tolerance)
    minus = "divided by" if ratio else "minus"
    return Result(
        estimate,
        float(lo),
        float(hi),
        f"{effect.method}; {minus} its control (MOVER over the two intervals)",
        verdict,
        effect.confidence,
        settle=effect.settle if verdict == stats.INCONCLUSIVE else "",
        p_value=stats.p_value(bounds, test.margin, test.direction, test.tolerance),
        alpha=effect.alpha,
        p_against=stats.p_against(bounds, test.margin, test.direction, test.tolerance),
        bounds=bounds,
    )


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
