"""A claim's verdict on one run: its declared test on the measured sides
(:mod:`advgen.claims.measuring.effects`) on each scale its reading lists, with its control, its
margin checks, its preconditions, the quality gate of the generators it is built on, and the
training-scale evidence of a failure.

* A margin check (the sides swapped or made equal) whose test "holds" is an error
  (:class:`ControlHolds`) where the claim is measured: the test could not have failed, so its
  verdict means nothing. (Where the claim itself is not measured there is no verdict to
  invalidate, and the page shows the outcome.)
* The control enters the test (:mod:`advgen.claims.measuring.controls`, since 2026-11-29): a
  negative control of a directional difference, ratio or trend is subtracted from the effect
  (flagged where significant on either side of its null); any other negative control must be
  shown to lack the property (one that holds shows the measurement broken, one that is
  inconclusive leaves a "holds" unconfirmed); a positive control must hold. *Not valid* is kept
  for a measurement a control shows broken.
* A failed precondition (``requires``: a construction the claim's model needs), or a generator
  run of the claim below the one quality bar its comparison applies to both sides
  (:mod:`advgen.metrics.gate`), is a result: the source claim is *not reproduced*, with what did
  not reproduce in words and what the intervals would have said (since 2026-11-29; *not valid*
  before).
* The scales (:mod:`advgen.claims.reading.scales`): the verdict reads each scale its reading lists
  (a claim without one, its own). Where two are listed a verdict needs both: it holds only where
  it holds on both, does not hold only where it does not hold on both, and is inconclusive
  otherwise (an intersection-union test: its p-value is the larger of the two scales', Berger
  1982); the row shows the first scale's interval and the other's beside it.
* The permuted halves (one condition's units split in two) are the calibration, shown apart: one
  that comes out significant on either side is noted, and withholds nothing.
* A "does not hold" whose claim declares a ``scale`` with evidence that holds reads "does not
  hold at this scale (budget X vs Y)".
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from advgen.claims.deciding.verdict_words import (
    AT_SCALE,
    NOT_MEASURED,
    NOT_REPRODUCED,
    NOT_TESTABLE,
    NOT_VALID,
    PAPER_ONLY,
    WITHHELD,
)
from advgen.claims.measuring.controls import ControlOutcome, calibration_outcome, control_outcome, corrected
from advgen.claims.measuring.effects import Result
from advgen.claims.measuring.measure import Context, Measured, NotMeasured
from advgen.claims.measuring.quality_gate import failed_requirement, quality_gate
from advgen.claims.measuring.term_effect import MeasuredTerms, interval_text, margin_checks, term_effect
from advgen.claims.reading import scales as scales_
from advgen.claims.reading.model import Claim, Term
from advgen.claims.statistics import levels, multiple_testing, stats


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
    confidence: float = levels.CONFIDENCE
    runs_unit: str = "seeds"
    examples_unit: str = "examples"
    control: str = ""  # the control's outcome: its verdict and effect
    control_flag: str = ""  # a control significant on either side of its null (shown, not a veto)
    scales: tuple[str, ...] = ()  # the scales the verdict read (a verdict needs every one)
    calibration: str = ""  # the permuted halves' outcome (a check of the interval, not a control)
    checks: str = ""  # the margin checks' outcomes
    validity: str = ""  # why a source claim gets no verdict, or the gate's note
    budget: str = ""  # the budget comparison of a claim that declares its scale of training
    would_be: str = ""  # a "not valid" / "not reproduced" claim's verdict had it counted
    p_value: float = math.nan  # one-sided (TOST: the larger of its two), against `alpha`
    alpha: float = levels.ALPHA_ONE_SIDED
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
    out.budget = _budget_text(claim, ctx)
    evidence = claim.scale.evidence
    if out.verdict != stats.FAILS:
        return
    if evidence is None:
        out.note = "; ".join(x for x in (out.note, "no evidence that the study's scale explains it") if x)
        return
    try:
        _, result = term_effect(evidence.test, evidence.terms, ctx, claim.id)
        outcome = f"{result.verdict}: {interval_text(result)}"
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


@dataclass
class _Scaled:
    """The claim's test on one scale: its sides, the effect, the control, and the result the verdict
    reads (the effect with its control taken in)."""

    scale: str
    measured: MeasuredTerms
    effect: Result
    control: ControlOutcome
    result: Result


def _on_scale(claim: Claim, ctx: Context, scale: str) -> _Scaled:
    """The claim's test and its control on ``scale`` (raises NotMeasured where the effect is not)."""
    test = claim.test
    assert test is not None
    terms = scales_.terms_on(claim, claim.terms, scale)
    m, effect = term_effect(test, terms, ctx, claim.id)
    control_terms = scales_.terms_on(claim, claim.control.terms, scale) if claim.control else None
    control = control_outcome(claim, ctx, control_terms)
    result = effect
    if control.rule == "subtract" and control.result is not None:
        result = corrected(test, effect, control.result)
    elif control.unshown and result.verdict == stats.HOLDS:
        p = max(result.p_value, control.result.p_against) if control.result else result.p_value
        result = dataclasses.replace(result, verdict=stats.INCONCLUSIVE, p_value=p)
    return _Scaled(scale, m, effect, control, result)


def _both(results: list[Result]) -> Result:
    """Two scales' results as one verdict (an intersection-union test): holds only where both hold,
    does not hold only where both do not, else inconclusive; each p-value the larger of the two.
    The first scale's estimate and interval are the row's."""
    first = results[0]
    verdicts = {r.verdict for r in results}
    verdict = verdicts.pop() if len(verdicts) == 1 else stats.INCONCLUSIVE
    return dataclasses.replace(
        first,
        verdict=verdict,
        p_value=max(r.p_value for r in results),
        p_against=max(r.p_against for r in results),
        settle=first.settle if verdict == stats.INCONCLUSIVE else "",
    )


def _evaluate(claim: Claim, ctx: Context) -> Verdict:
    test = claim.test
    assert test is not None
    read = [_on_scale(claim, ctx, scale) for scale in scales_.scales(claim)]
    first = read[0]
    m, result = first.measured, _both([r.result for r in read]) if len(read) > 1 else first.result
    notes = list(dict.fromkeys(part for _, x in m.named if x.note for part in x.note.split("; ")))
    if first.result is not first.effect:
        notes.append(f"the effect {interval_text(first.effect)}, its control {first.control.text}")
    if first.control.unshown and first.effect.verdict == stats.HOLDS:
        notes.append(f"holds on the effect, but {first.control.unshown}")
    if len(read) > 1:
        notes += [f"on the {r.scale} scale: {r.result.verdict}: {interval_text(r.result)}" for r in read[1:]]
        if result.verdict == stats.INCONCLUSIVE and len({r.result.verdict for r in read}) > 1:
            notes.append("the scales disagree: a verdict needs both")
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
        control=first.control.text,
        control_flag="; ".join(dict.fromkeys(r.control.flag for r in read if r.control.flag)),
        scales=tuple(r.scale for r in read),
        validity="; ".join(dict.fromkeys(r.control.broken for r in read if r.control.broken)),
        p_value=result.p_value,
        alpha=result.alpha,
        p_against=result.p_against,
        seed_values=_seed_values(ctx, m.named, claim.terms),
    )


def _scale_error(claim: Claim, exc: Exception) -> Exception:
    from advgen.errors import ConfigError

    return ConfigError(f"claims[{claim.id}].reading.scales: {exc}")


def evaluate(claim: Claim, ctx: Context) -> Verdict:
    """The verdict of one claim on one run (errors in the run's tables propagate; a measured
    claim whose test holds on a margin check raises :class:`ControlHolds`)."""
    if claim.status == "not_testable" or claim.test is None:
        return Verdict(
            claim, NOT_TESTABLE if claim.status == "not_testable" else PAPER_ONLY, note=claim.reason
        )
    checks, broken = margin_checks(claim, ctx)
    calibration, miscalibrated = calibration_outcome(claim, ctx)
    try:
        out = _evaluate(claim, ctx)
    except scales_.ScaleError as exc:
        raise _scale_error(claim, exc) from None
    except NotMeasured as exc:  # no verdict for the control to invalidate: its outcome is shown
        control = control_outcome(claim, ctx).text
        if claim.status == "paper_only":  # measured where the config produces it (config/paper.yaml)
            return Verdict(
                claim, PAPER_ONLY, note=claim.reason, control=control, checks=checks, calibration=calibration
            )
        return Verdict(
            claim, NOT_MEASURED, note=str(exc), control=control, checks=checks, calibration=calibration
        )
    if broken:
        raise ControlHolds(claim, broken)
    out.checks, out.calibration = checks, calibration
    if miscalibrated:
        out.note = "; ".join(x for x in (out.note, miscalibrated) if x)
    try:
        failed = failed_requirement(claim, ctx)
    except NotMeasured as exc:
        failed = f"its precondition cannot be checked ({exc})"
    gate_note, gate_failed = quality_gate(claim, ctx)
    _scale(claim, ctx, out)
    not_reproduced = [r for r in (failed, gate_note if gate_failed and claim.group == "source" else "") if r]
    if out.validity:  # a control shows the measurement broken
        out.would_be, out.verdict, out.settle = out.verdict, NOT_VALID, ""
        if not_reproduced:
            out.note = "; ".join(x for x in (out.note, *not_reproduced) if x)
    elif not_reproduced:
        out.would_be, out.verdict, out.settle = out.verdict, NOT_REPRODUCED, ""
        out.validity = "did not reproduce: " + "; ".join(not_reproduced)
    elif gate_note:
        out.validity = gate_note
    return out


def deciding_p(v: Verdict) -> float:
    """The p-value of the direction the verdict (a "not valid" or "not reproduced" one's would-be
    verdict) decides: "holds" its ``p_value``, "does not hold" (at this scale too) its
    ``p_against``, an undecided one the smaller of the two."""
    decided = v.would_be if v.verdict in WITHHELD else v.verdict
    if decided == stats.HOLDS:
        return v.p_value
    if decided in (stats.FAILS, AT_SCALE):
        return v.p_against
    return min(v.p_value, v.p_against) if math.isfinite(v.p_against) else v.p_value


def adjust(verdicts: list[Verdict]) -> None:
    """Holm's step-down within each family of claims that share data
    (:func:`advgen.claims.statistics.multiple_testing.holm`),
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
        adjusted = multiple_testing.holm(deciding, [v.alpha for v in members])
        for v, raw, p in zip(members, deciding, adjusted, strict=True):
            v.p_adjusted = p
            if p < v.alpha:
                continue
            invalid = v.verdict in WITHHELD
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
