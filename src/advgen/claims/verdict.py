"""A claim's verdict on one run: its declared test on the measured sides
(:mod:`advgen.claims.effects`), the same test on its negative control, its preconditions, the
quality gate of the generators it is built on, and the training-scale evidence of a failure.

* A control whose test "holds" is an error (:class:`ControlHolds`) where the claim is measured:
  the test could not have failed, so its verdict means nothing. (Where the claim itself is not
  measured there is no verdict to invalidate, and the page shows the control's outcome.)
* A failed precondition (``requires``), or a generator role whose run fails its quality gate
  (``sample_quality/summary.parquet``, column ``gate``), gives a source claim no verdict:
  *not valid*, with the reason.
* A "does not hold" whose claim declares a ``scale`` with evidence that holds reads "does not
  hold at this scale (budget X vs Y)".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from advgen.claims import stats
from advgen.claims.effects import Result
from advgen.claims.effects import evaluate as evaluate_effect
from advgen.claims.measure import Context, Measured, NotMeasured, measure, measure_by, paired, rows
from advgen.claims.model import Claim, Term, Test

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
    """A claim's test holds on its negative control (the message says on what)."""

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
    validity: str = ""  # why a source claim gets no verdict, or the gate's note
    scale: str = ""  # the budget comparison of a claim that declares one

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


def _control_terms(claim: Claim) -> tuple[Term, ...]:
    control = claim.control
    assert control is not None
    if control.swap:
        return (claim.terms[1], claim.terms[0])
    if control.same:
        side = claim.terms[0 if control.same == "a" else 1]
        return (side, side)
    return control.terms


def _control(claim: Claim, ctx: Context) -> tuple[str, str]:
    """The control's outcome on the page, and the error message where its test holds."""
    assert claim.test is not None and claim.control is not None
    try:
        _, result = _effect(claim.test, _control_terms(claim), ctx, claim.id)
    except NotMeasured as exc:
        return f"{NOT_MEASURED} ({exc})", ""
    text = f"{result.verdict}: {_interval_text(result)}"
    if result.verdict != stats.HOLDS:
        return text, ""
    return text, (
        f"the test holds on its negative control ({claim.control.what}: {_interval_text(result)}), "
        "so it could not have failed; fix the test before its verdict is read"
    )


def _interval_text(result: Result) -> str:
    if not math.isfinite(result.estimate):
        return "–"
    lo, hi = result.lo, result.hi
    return f"{result.estimate:.3g}" + (f" [{lo:.3g}, {hi:.3g}]" if math.isfinite(lo) else "")


def _requirements(claim: Claim, ctx: Context) -> str:
    """Why the claim's preconditions fail ("" when they hold)."""
    for req in claim.requires:
        frame = rows(ctx, req.term, claim.id)
        if frame.empty:
            raise NotMeasured(f"precondition {req.what!r}: no rows match")
        values = frame["value"].to_numpy(dtype=float)
        ok = values >= req.bound if req.direction == "at_least" else values <= req.bound
        if not np.all(ok):
            sign = "<" if req.direction == "at_least" else ">"
            bad = ", ".join(f"{v:.3g}" for v in values[~ok][:5])
            return f"{req.what}: {bad} {sign} {req.bound:g}"
    return ""


def _gate(claim: Claim, ctx: Context) -> tuple[str, bool]:
    """(the note on the generators' quality gate, whether it fails a run the claim is built on)."""
    generators = [r for r in dict.fromkeys(claim.roles) if r in ctx.generators]
    if not generators:
        return "", False
    gates = ctx.gates()
    if gates is None:
        return NOT_GATED, False
    failed, ungated = [], []
    for role in generators:
        if role in claim.gate_exempt:
            continue
        for run in ctx.roles.get(role, []):
            gate, failures = gates.get(run, ("", ""))
            if gate == "fail":
                failed.append(f"{run} ({failures})" if failures else run)
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
    )


def evaluate(claim: Claim, ctx: Context) -> Verdict:
    """The verdict of one claim on one run (errors in the run's tables propagate; a measured
    claim whose test holds on its control raises :class:`ControlHolds`)."""
    if claim.status == "not_testable" or claim.test is None:
        return Verdict(
            claim, NOT_TESTABLE if claim.status == "not_testable" else PAPER_ONLY, note=claim.reason
        )
    control, holds = _control(claim, ctx)
    try:
        out = _evaluate(claim, ctx)
    except NotMeasured as exc:  # no verdict for the control to invalidate: its outcome is shown
        if claim.status == "paper_only":  # measured where the config produces it (config/paper.yaml)
            return Verdict(claim, PAPER_ONLY, note=claim.reason, control=control)
        return Verdict(claim, NOT_MEASURED, note=str(exc), control=control)
    if holds:
        raise ControlHolds(claim, holds)
    out.control = control
    try:
        failed = _requirements(claim, ctx)
    except NotMeasured as exc:
        failed = f"its precondition cannot be checked ({exc})"
    gate_note, gate_failed = _gate(claim, ctx)
    if failed or (gate_failed and claim.group == "source"):
        out.verdict, out.settle = NOT_VALID, ""
        out.validity = failed or gate_note
    elif gate_note:
        out.validity = gate_note
    _scale(claim, ctx, out)
    return out


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
