"""A claim's verdict on one run: its declared test on the measured sides
(:mod:`advgen.claims.measuring.effects`), the same test on its control and its margin checks, its
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

import math
from dataclasses import dataclass, field

from advgen.claims.deciding.verdict_words import AT_SCALE as AT_SCALE
from advgen.claims.deciding.verdict_words import NOT_GATED as NOT_GATED
from advgen.claims.deciding.verdict_words import NOT_MEASURED as NOT_MEASURED
from advgen.claims.deciding.verdict_words import NOT_TESTABLE as NOT_TESTABLE
from advgen.claims.deciding.verdict_words import NOT_VALID as NOT_VALID
from advgen.claims.deciding.verdict_words import PAPER_ONLY as PAPER_ONLY
from advgen.claims.deciding.verdict_words import SIGNIFICANT as SIGNIFICANT
from advgen.claims.deciding.verdict_words import VERDICTS as VERDICTS
from advgen.claims.measuring.controls import calibration_outcome, control_outcome
from advgen.claims.measuring.measure import Context, Measured, NotMeasured
from advgen.claims.measuring.quality_gate import failed_requirement, quality_gate
from advgen.claims.measuring.term_effect import interval_text, margin_checks, term_effect
from advgen.claims.reading.model import Claim, Term
from advgen.claims.statistics import stats


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


def _evaluate(claim: Claim, ctx: Context) -> Verdict:
    test = claim.test
    assert test is not None
    m, result = term_effect(test, claim.terms, ctx, claim.id)
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
    checks, broken = margin_checks(claim, ctx)
    control, withheld = control_outcome(claim, ctx)
    calibration, miscalibrated = calibration_outcome(claim, ctx)
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
        failed = failed_requirement(claim, ctx)
    except NotMeasured as exc:
        failed = f"its precondition cannot be checked ({exc})"
    gate_note, gate_failed = quality_gate(claim, ctx)
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
    """Holm's step-down within each family of claims that share data (:func:`advgen.claims.statistics.stats.holm`),
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
