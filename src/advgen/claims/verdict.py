"""A claim's verdict on one run: its declared test on the measured sides
(:mod:`advgen.claims.effects`), the same test on its control and its margin checks, its
preconditions, the quality gate of the generators it is built on, and the training-scale
evidence of a failure.

* A margin check (the sides swapped or made equal) whose test "holds" is an error
  (:class:`ControlHolds`) where the claim is measured: the test could not have failed, so its
  verdict means nothing. (Where the claim itself is not measured there is no verdict to
  invalidate, and the page shows the outcome.)
* A negative control of the first kind (a null input or model, other-class digits, another
  image's perturbation) whose test holds, or whose interval lies clear of no effect on either
  side, withholds the claim's verdict: *not valid*, since a broken measurement (or chance, at the
  test's level) makes it so. A positive control (a run built to saturate, an effect built in)
  that does not hold withholds it too: the measurement cannot show the effect where it is present.
* The permuted halves (one condition's units split in two) are the calibration, shown apart: one
  that comes out significant on either side is noted (the interval may understate the spread),
  and withholds nothing.
* A failed precondition (``requires``), or a generator run of the claim below the one quality
  bar its comparison applies to both sides (:mod:`advgen.metrics.gate`), gives a source claim
  no verdict: *not valid*, with the reason and what the intervals would have said.
* A "does not hold" whose claim declares a ``scale`` with evidence that holds reads "does not
  hold at this scale (budget X vs Y)".
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from advgen.claims import stats
from advgen.claims.effects import Result
from advgen.claims.effects import evaluate as evaluate_effect
from advgen.claims.measure import Context, Measured, NotMeasured, measure, measure_by, paired, rows
from advgen.claims.model import NO_EFFECT, Claim, MarginCheck, Term, Test

NOT_MEASURED = "not measured"
PAPER_ONLY = "paper scale only"
NOT_TESTABLE = "not testable at this scale"
NOT_VALID = "not valid"
AT_SCALE = "does not hold at this scale"
VERDICTS = (
    stats.HOLDS,
    stats.FAILS,
    AT_SCALE,
    stats.INCONCLUSIVE,
    NOT_VALID,
    NOT_MEASURED,
    PAPER_ONLY,
    NOT_TESTABLE,
)
#: the gate note where the sample-quality table has no gate columns
NOT_GATED = "quality not gated"


class ControlHolds(Exception):
    """A claim's test holds on a margin check (the message says which): it could not have failed."""

    def __init__(self, claim: Claim, message: str):
        super().__init__(message)
        self.claim = claim


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
    confidence: float = stats.CONFIDENCE
    runs_unit: str = "seeds"
    examples_unit: str = "examples"
    control: str = ""  # the control's outcome: its verdict and effect
    calibration: str = ""  # the permuted halves' outcome (a check of the interval, not a control)
    checks: str = ""  # the margin checks' outcomes
    validity: str = ""  # why a source claim gets no verdict, or the gate's note
    scale: str = ""  # the budget comparison of a claim that declares one
    would_be: str = ""  # a "not valid" claim's verdict had it been valid
    p_value: float = math.nan  # one-sided (TOST: the larger of its two), against `alpha`
    alpha: float = stats.ALPHA_ONE_SIDED
    p_against: float = math.nan  # the p-value of "does not hold" (the other direction)
    p_adjusted: float = math.nan  # Holm within the claim's family, of the verdict's own direction
    raw_verdict: str = ""  # the verdict before the family's adjustment (where it changed it)
    seed_values: tuple[int, ...] = ()  # the seeds of the runs the claim reads

    @property
    def n_text(self) -> str:
        if not self.seeds:
            return ""
        unit = self.runs_unit if self.seeds != 1 else _singular(self.runs_unit)
        runs = f"{self.seeds} {unit}"
        if self.examples <= 1:
            return f"{runs} (aggregate per {_singular(self.runs_unit)})"
        return f"{runs} × {self.examples} {self.examples_unit}"

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


def _singular(unit: str) -> str:
    special = {"source-target pairs": "source-target pair", "source models": "source model"}
    return special.get(unit, unit[:-1])


def _label(term: Term, default: str) -> str:
    return term.label or default


def _grid_name(by: str, v: object) -> str:
    return f"{by}={v:g}" if isinstance(v, int | float) else f"{by}={v}"


@dataclass
class _Measured:
    named: list[tuple[str, Measured]]
    sides: list[stats.Side]
    trend_b: bool = False


def _measure(test: Test, terms: tuple[Term, ...], ctx: Context, key: str) -> _Measured:
    """The sides of ``test`` on ``terms`` (for a trend, one per grid point)."""
    if test.effect == "trend":
        assert test.by is not None
        grid_a = dict(measure_by(ctx, terms[0], test.by, key))
        if len(terms) == 1:
            named = [(_grid_name(test.by, v), grid_a[v]) for v in grid_a]
            return _Measured(named, [m.side for _, m in named])
        grid_b = dict(measure_by(ctx, terms[1], test.by, key))
        keys = [v for v in grid_a if v in grid_b]
        if len(keys) < 2:
            raise NotMeasured(f"fewer than 2 values of {test.by!r} on both sides")
        named = [
            (f"{_label(terms[i], k)} at {_grid_name(test.by, v)}", g[v])
            for i, (k, g) in enumerate((("a", grid_a), ("b", grid_b)))
            for v in keys
        ]
        return _Measured(named, [m.side for _, m in named], trend_b=True)
    named = [(_label(t, k), measure(ctx, t, key)) for k, t in zip(("a", "b"), terms, strict=False)]
    sides = [m.side for _, m in named]
    if test.paired:
        sides = list(paired(named[0][1], named[1][1]))
    if test.effect == "range" and sides[0].n_runs < 2:
        raise NotMeasured("a range needs at least 2 units")
    return _Measured(named, sides)


def _effect(test: Test, terms: tuple[Term, ...], ctx: Context, key: str) -> tuple[_Measured, Result]:
    m = _measure(test, terms, ctx, key)
    return m, evaluate_effect(test, m.sides, unit=terms[0].runs, trend_b=m.trend_b)


def _check_terms(claim: Claim, check: MarginCheck) -> tuple[Term, ...]:
    if check.swap:
        return (claim.terms[1], claim.terms[0])
    side = claim.terms[0 if check.same == "a" else 1]
    return (side, side)


def _checks(claim: Claim, ctx: Context) -> tuple[str, str]:
    """The margin checks' outcomes on the page, and the error message where one holds."""
    assert claim.test is not None
    texts, error = [], ""
    for check in claim.checks:
        try:
            _, result = _effect(claim.test, _check_terms(claim, check), ctx, claim.id)
        except NotMeasured as exc:
            texts.append(f"{check.what}: {NOT_MEASURED} ({exc})")
            continue
        texts.append(f"{check.what}: {result.verdict}: {_interval_text(result)}")
        if result.verdict == stats.HOLDS and not error:
            error = (
                f"the test holds on its margin check ({check.what}: {_interval_text(result)}), "
                "so it could not have failed; fix the test before its verdict is read"
            )
    return "; ".join(texts), error


def _halves(side: stats.Side, seed: int) -> tuple[stats.Side, stats.Side]:
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


def _permuted_grid(m: _Measured, seed: int) -> list[stats.Side]:
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


def _seed_of(claim: Claim) -> int:
    """The permuted controls' seed: fixed by the claim's id (the page is deterministic)."""
    import zlib

    return zlib.crc32(claim.id.encode("utf-8"))


def _control_result(claim: Claim, ctx: Context) -> Result:
    """The claim's test on its control's sides."""
    control, test = claim.control, claim.test
    assert control is not None and test is not None
    return _effect(test, control.terms, ctx, claim.id)[1]


def _calibration_result(claim: Claim, ctx: Context) -> Result:
    """The claim's test on its permuted halves (the calibration): a side's units split at random
    in two halves of one condition, or a trend's grid values permuted within each run."""
    calibration, test = claim.calibration, claim.test
    assert calibration is not None and test is not None
    unit = claim.terms[0].runs
    if test.effect == "trend":
        m = _measure(test, claim.terms, ctx, claim.id)
        return evaluate_effect(test, _permuted_grid(m, _seed_of(claim)), unit=unit, trend_b=m.trend_b)
    side = measure(ctx, claim.terms[0 if calibration.permute == "a" else 1], claim.id).side
    if side.n_runs == 1 and side.n_examples < 2:
        raise NotMeasured("one value: nothing to split")
    unpaired = dataclasses.replace(test, paired=False)
    halves = list(_halves(side, _seed_of(claim)))
    return evaluate_effect(unpaired, halves, unit=unit, pooled=side.n_runs >= 2)


def significant_side(test: Test, result: Result, *, both: bool = False) -> str:
    """Where a null's interval lies clear of the effect's no-effect value
    (:data:`~advgen.claims.model.NO_EFFECT`: 0 for a difference or trend, 1 for a ratio):
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


#: the control outcome's word where its test does not hold but its interval clears the no-effect value
SIGNIFICANT = "significant"


def _control(claim: Claim, ctx: Context) -> tuple[str, str]:
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
        result = _control_result(claim, ctx)
    except NotMeasured as exc:
        text = f"{NOT_MEASURED} ({exc})"
        return text, (f"its positive control ({control.what}) is not measured" if positive else "")
    text = f"{result.verdict}: {_interval_text(result)}"
    if positive:
        if result.verdict != stats.HOLDS:
            return text, (
                f"its positive control does not hold ({control.what}: {_interval_text(result)}): the "
                "measurement does not show the effect where it is present by construction"
            )
        return text, ""
    side = "" if result.verdict == stats.HOLDS else significant_side(test, result)
    if result.verdict == stats.HOLDS or side:
        where = f" on the {side} side of no effect" if side else ""
        if side:
            text = f"{SIGNIFICANT}{where}: {_interval_text(result)}"
        what = "holds" if not side else f"is significant{where}"
        return text, (
            f"its negative control {what} ({control.what}: {_interval_text(result)}): a broken "
            f"measurement makes it so, or chance (at the test's level, {100 * result.alpha:g} %)"
        )
    return text, ""


def control_outcome(claim: Claim, ctx: Context) -> tuple[str, str]:
    """The control's outcome as the page shows it, and why it withholds the verdict ("" if not):
    the control alone, on tables that need not hold the claim's own sides."""
    return _control(claim, ctx)


def _calibration(claim: Claim, ctx: Context) -> tuple[str, str]:
    """The permuted-halves calibration's outcome on the page, and a note where its interval lies
    clear of no effect on either side (the interval may understate the spread between runs of one
    condition). It is not the control and withholds nothing."""
    if claim.calibration is None or claim.test is None:
        return "", ""
    try:
        result = _calibration_result(claim, ctx)
    except NotMeasured as exc:
        return f"{NOT_MEASURED} ({exc})", ""
    text = f"{result.verdict}: {_interval_text(result)}"
    side = significant_side(claim.test, result, both=True)
    if result.verdict == stats.HOLDS or side:
        text = f"{SIGNIFICANT}: {_interval_text(result)}"
        return text, (
            f"calibration: two halves of one condition differ ({claim.calibration.what}: "
            f"{_interval_text(result)}), so the interval may understate the spread between runs"
        )
    return text, ""


def _interval_text(result: Result) -> str:
    if not math.isfinite(result.estimate):
        return "–"
    lo, hi = result.lo, result.hi
    return f"{result.estimate:.3g}" + (f" [{lo:.3g}, {hi:.3g}]" if math.isfinite(lo) else "")


def _requirements(claim: Claim, ctx: Context) -> str:
    """Why the claim's preconditions fail ("" when they hold): each row's value, or each run's
    mean (``each: run``), against the bound."""
    for req in claim.requires:
        if req.each == "run":
            side = measure(ctx, req.term, claim.id).side
            values, names = side.run_means(), list(side.names)
        else:
            frame = rows(ctx, req.term, claim.id)
            if frame.empty:
                raise NotMeasured(f"precondition {req.what!r}: no rows match")
            values, names = frame["value"].to_numpy(dtype=float), []
        ok = values >= req.bound if req.direction == "at_least" else values <= req.bound
        if not np.all(ok):
            sign = "<" if req.direction == "at_least" else ">"
            return f"{req.what}: {_bad(values, ok, names)} {sign} {req.bound:g}"
    return ""


def _bad(values: np.ndarray, ok: np.ndarray, names: list[str]) -> str:
    parts = [
        f"{v:.3g}" + (f" ({names[i]})" if names and names[i] else "")
        for i, v in enumerate(values)
        if not ok[i]
    ]
    return ", ".join(parts[:5])


def _generator_runs(claim: Claim, ctx: Context) -> list[tuple[str, str]]:
    """(role, run) of every generator the claim is built on, exempt roles left out."""
    roles = [r for r in dict.fromkeys(claim.roles) if r in ctx.generators and r not in claim.gate_exempt]
    return [(role, run) for role in roles for run in ctx.roles.get(role, [])]


def one_bar(bars: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The bars of several roles as one: every metric any of them bounds, at the strictest bound
    (:mod:`advgen.metrics.gate`'s directions); a flag holds where any sets it."""
    from advgen.metrics.gate import AT_MOST

    out: dict[str, Any] = {}
    for bar in bars:
        for metric, bound in bar.items():
            if metric not in out:
                out[metric] = bound
            elif isinstance(bound, bool) or isinstance(out[metric], bool):
                out[metric] = bool(out[metric]) or bool(bound)
            else:
                out[metric] = min(out[metric], bound) if metric in AT_MOST else max(out[metric], bound)
    return out


def _gate(claim: Claim, ctx: Context) -> tuple[str, bool]:
    """(the note on the generators' quality gate, whether it fails a run the claim is built on).

    One bar per comparison: where the config's bars are known (``ctx.bars``), every generator
    run of the claim faces the same bar, the claim's ``quality_gate.bar`` role's or else the
    union of its generator roles' bars; otherwise each run's own ``gate`` column is read."""
    runs = _generator_runs(claim, ctx)
    if not runs:
        return "", False
    roles = list(dict.fromkeys(role for role, _ in runs))
    if ctx.bars:
        from advgen.metrics.gate import failures

        named = [claim.gate_bar] if claim.gate_bar else roles
        bar = one_bar([ctx.bars.get(role) or {} for role in named])
        if bar:
            rows_of = ctx.quality_rows()
            if rows_of is None:
                return NOT_GATED, False
            which = f"the bar of {', '.join(named)}"
            failed = []
            for _, run in runs:
                missed = failures(rows_of[run], bar) if run in rows_of else ["no sample-quality row"]
                if missed:
                    failed.append(f"{run} ({'; '.join(missed)})")
            if failed:
                return f"generator below {which}: " + "; ".join(failed), True
            return (f"every generator passes {which}" if len(roles) > 1 else ""), False
    gates = ctx.gates()
    if gates is None:
        return NOT_GATED, False
    failed, ungated = [], []
    for _, run in runs:
        gate, failures_text = gates.get(run, ("", ""))
        if gate == "fail":
            failed.append(f"{run} ({failures_text})" if failures_text else run)
        elif gate != "pass":
            ungated.append(run)
    if failed:
        return "generator below its quality bar: " + "; ".join(failed), True
    if ungated:
        return "no quality bar declared for " + ", ".join(ungated), False
    return "", False


def _budget_text(claim: Claim, ctx: Context) -> str:
    if claim.scale is None:
        return ""
    budget = ctx.budgets.get(claim.scale.budget)
    if not budget:
        return ""
    return f"budget {budget.get('ours') or '?'} vs {budget.get('source') or '?'}"


def _scale(claim: Claim, ctx: Context, out: Verdict) -> None:
    """Mark a "does not hold" that the declared evidence ties to the study's scale."""
    if claim.scale is None:
        return
    out.scale = _budget_text(claim, ctx)
    evidence = claim.scale.evidence
    if out.verdict != stats.FAILS:
        return
    if evidence is None:
        out.note = "; ".join(x for x in (out.note, "no evidence that the study's scale explains it") if x)
        return
    try:
        _, result = _effect(evidence.test, evidence.terms, ctx, claim.id)
        outcome = f"{result.verdict}: {_interval_text(result)}"
    except NotMeasured as exc:
        result, outcome = None, f"{NOT_MEASURED} ({exc})"
    if result is not None and result.verdict == stats.HOLDS:
        out.verdict = AT_SCALE
    part = f"scale evidence ({evidence.what}): {outcome}"
    out.note = "; ".join(x for x in (out.note, part) if x)


def _seed_values(ctx: Context, named: list[tuple[str, Measured]], terms: tuple[Term, ...]) -> tuple[int, ...]:
    """The seeds of the runs the sides read: a run's seed from the config (``ctx.seeds``), or the
    value of a ``seed`` unit column (the sweeps that follow their base classifier's seeds)."""
    seeds: set[int] = set()
    by_seed = any("seed" in t.unit for t in terms)
    for _, m in named:
        for name in m.side.names:
            for part in str(name).split("/"):
                if part in ctx.seeds:
                    seeds.add(int(ctx.seeds[part]))
                elif by_seed and part.lstrip("-").isdigit():
                    seeds.add(int(part))
    return tuple(sorted(seeds))


def _evaluate(claim: Claim, ctx: Context) -> Verdict:
    test = claim.test
    assert test is not None
    m, result = _effect(test, claim.terms, ctx, claim.id)
    notes = list(dict.fromkeys(part for _, x in m.named if x.note for part in x.note.split("; ")))
    sides = m.sides
    # n is the sides' that carry the interval: a reference measured once (the real digits') does not count
    levelled = [s for s in sides if s.n_runs >= 2 or s.level in ("examples", "proportion")] or sides
    units = levelled if test.effect != "range" else [stats.Side(sides[0].runs[:1], level=sides[0].level)]
    return Verdict(
        claim,
        result.verdict,
        result.estimate,
        result.lo,
        result.hi,
        result.method,
        seeds=min(s.n_runs for s in levelled) if test.effect != "range" else sides[0].n_runs,
        examples=min(s.n_examples for s in units),
        sides=m.named,
        note="; ".join(notes),
        settle=result.settle,
        confidence=result.confidence,
        runs_unit=claim.terms[0].runs,
        examples_unit=claim.terms[0].examples,
        p_value=result.p_value,
        alpha=result.alpha,
        p_against=result.p_against,
        seed_values=_seed_values(ctx, m.named, claim.terms),
    )


def evaluate(claim: Claim, ctx: Context) -> Verdict:
    """The verdict of one claim on one run (errors in the run's tables propagate; a measured
    claim whose test holds on a margin check raises :class:`ControlHolds`)."""
    if claim.status == "not_testable" or claim.test is None:
        return Verdict(
            claim, NOT_TESTABLE if claim.status == "not_testable" else PAPER_ONLY, note=claim.reason
        )
    checks, broken = _checks(claim, ctx)
    control, withheld = _control(claim, ctx)
    calibration, miscalibrated = _calibration(claim, ctx)
    try:
        out = _evaluate(claim, ctx)
    except NotMeasured as exc:  # no verdict for the control to invalidate: its outcome is shown
        if claim.status == "paper_only":  # measured where the config produces it (config/paper.yaml)
            return Verdict(
                claim, PAPER_ONLY, note=claim.reason, control=control, checks=checks, calibration=calibration
            )
        return Verdict(
            claim, NOT_MEASURED, note=str(exc), control=control, checks=checks, calibration=calibration
        )
    if broken:
        raise ControlHolds(claim, broken)
    out.control, out.checks, out.calibration = control, checks, calibration
    if miscalibrated:
        out.note = "; ".join(x for x in (out.note, miscalibrated) if x)
    try:
        failed = _requirements(claim, ctx)
    except NotMeasured as exc:
        failed = f"its precondition cannot be checked ({exc})"
    gate_note, gate_failed = _gate(claim, ctx)
    _scale(claim, ctx, out)
    reasons = [failed, withheld, gate_note if gate_failed and claim.group == "source" else ""]
    reasons = [r for r in reasons if r]
    if reasons:
        out.would_be, out.verdict, out.settle = out.verdict, NOT_VALID, ""
        out.validity = "; ".join(reasons)
    elif gate_note:
        out.validity = gate_note
    return out


def deciding_p(v: Verdict) -> float:
    """The p-value of the direction the verdict (a "not valid" one's would-be verdict) decides:
    "holds" its ``p_value``, "does not hold" (at this scale too) its ``p_against``, an undecided
    one the smaller of the two."""
    decided = v.would_be if v.verdict == NOT_VALID else v.verdict
    if decided == stats.HOLDS:
        return v.p_value
    if decided in (stats.FAILS, AT_SCALE):
        return v.p_against
    return min(v.p_value, v.p_against) if math.isfinite(v.p_against) else v.p_value


def adjust(verdicts: list[Verdict]) -> None:
    """Holm's step-down within each family of claims that share data (:func:`advgen.claims.stats.holm`),
    in both directions: a "does not hold" rejects a null too (the effect beyond the margin on the
    claimed side), so each claim enters with the p-value of the direction it decides
    (:func:`deciding_p`; directional decisions under Holm's procedure, Shaffer 1980). ``p_adjusted``
    is that p adjusted, for every measured claim of a family; a "holds" or "does not hold" (or the
    one a "not valid" would be) that its adjusted p does not keep becomes "inconclusive", the
    unadjusted verdict kept in ``raw_verdict`` and the note saying why."""
    families: dict[str, list[Verdict]] = {}
    for v in verdicts:
        if v.claim.family and math.isfinite(v.p_value):
            families.setdefault(v.claim.family, []).append(v)
    decided = (stats.HOLDS, stats.FAILS, AT_SCALE)
    for family, members in families.items():
        deciding = [deciding_p(v) for v in members]
        adjusted = stats.holm(deciding, [v.alpha for v in members])
        for v, raw, p in zip(members, deciding, adjusted, strict=True):
            v.p_adjusted = p
            if p < v.alpha:
                continue
            invalid = v.verdict == NOT_VALID
            verdict = v.would_be if invalid else v.verdict
            if verdict not in decided:
                continue
            why = (
                f"{verdict} before Holm's adjustment (p {raw:.2g}), not after it within family "
                f"{family} ({len(members)} tests: adjusted p {p:.2g} >= {v.alpha:g})"
            )
            v.raw_verdict = verdict
            if invalid:
                v.would_be = stats.INCONCLUSIVE
            else:
                v.verdict = stats.INCONCLUSIVE
            v.note = "; ".join(x for x in (v.note, why) if x)


def claim_text(claim: Claim) -> str:
    """The declared test in words: ``a − b > 0.1`` or ``a = 0.894 ± 0.1 (TOST)``."""
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
    if test.direction == "equivalent":
        return f"{effect} = {test.margin:g} ± {test.tolerance:g} (equivalence, TOST)"
    op = ">" if test.direction == "greater" else "<"
    return f"{effect} {op} {test.margin:g}"
