"""The verdict table (``claims.parquet``): one row per claim, its columns (:data:`COLUMNS`), made
from the verdicts (:func:`frame`) or completed from a table written before some of them
(:func:`complete`). Every view of the claims page is rendered from this table, so the page, the
Markdown, the README summary and ``claims.parquet`` cannot disagree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from advgen.claims.deciding.fragility import fragile
from advgen.claims.deciding.verdict import Verdict, claim_text
from advgen.claims.deciding.verdict_words import WITHHELD
from advgen.claims.freeze.freeze_format import Planned
from advgen.claims.freeze.phase import CONFIRMATORY, EXPLORATORY, POST_HOC, Phase, post_hoc
from advgen.claims.statistics import stats

#: the columns every verdict table has had since the first MNIST run (the README summary reads them)
SUMMARY_COLUMNS = [
    "id",
    "group",
    "source",
    "section",
    "statement",
    "quote",
    "paper_value",
    "status",
    "verdict",
    "test",
    "margin",
    "direction",
    "tolerance",
    "margin_source",
    "margin_note",
    "tolerance_note",
    "changes",
    "estimate",
    "lo",
    "hi",
    "effect",
    "method",
    "confidence",
    "seeds",
    "examples",
    "sample_size",  # text: "3 seeds x 500 examples" (the numeric `n` of other tables is a count)
    "sides",
    "settle",
    "note",
    "control_what",
    "control",  # the control's outcome: its verdict and effect
    "validity",  # why a source claim gets no verdict, or the generators' gate note
    "scale",  # the scales the verdict read ("probability, logit"; "budget ..." in a table before 2026-11-29)
]
#: the columns added with the two phases, the controls' kinds and the families (a table from
#: before them reads with these defaults)
PHASE_COLUMNS: dict[str, Any] = {
    "control_kind": "",  # noise, other_class, other_image, ... or none (docs/claims.md)
    "calibration": "",  # the permuted halves' outcome: a check of the interval, not the control
    "checks": "",  # the margin checks' outcomes (the sides swapped or made equal)
    "family": "",  # the claims that share data; Holm's adjustment runs within it
    "p_value": math.nan,  # one-sided (TOST: the larger of its two)
    "alpha": math.nan,  # the test's level: 0.025 one-sided, 0.05 each side of a TOST
    "p_adjusted": math.nan,  # Holm within the family (both directions), of the verdict's direction
    "p_against": math.nan,  # the p-value of "does not hold" (1 - p_value for a table before it)
    "fragile": "",  # why a rerun may flip the verdict (advgen.claims.deciding.fragility), "" where it is firm
    "raw_verdict": "",  # the verdict before the family's adjustment, where it changed it
    "would_be": "",  # a "not valid" claim's verdict had it been valid
    "seeds_planned": "",  # the power plan's sample size (the freeze record), "" without one
    "seed_values": "",  # the seeds of the runs the claim reads, "10,11,12"
    "phase": "",  # exploratory, confirmatory or post-hoc
    "post_hoc": "",  # why a claim is post-hoc (changed after the freeze)
    # since 2026-11-29
    "proposition": "",  # the source's proposition, as the claim's reading states it
    "budget": "",  # "budget <ours> vs <the source's>" of a claim that declares its scale of training
    "control_flag": "",  # a control significant on either side of its null: shown, not a veto
    "planned_n": math.nan,  # the sample size the freeze planned to run (in its unit), NaN without one
    "ran_n": math.nan,  # the sample size that ran, in the planned unit (NaN without a plan)
    "underpowered": "",  # why the run is underpowered for the claim ("" where it is not)
    "run_host": "",  # the host the claims page was made on (CPU model and flags, GPU): this run's hardware
}
COLUMNS = [*SUMMARY_COLUMNS, *PHASE_COLUMNS]


def _changes(v: Verdict) -> str:
    test = v.claim.test
    if test is None:
        return ""
    return "; ".join(c.text() for c in test.changes)


def _control_what(v: Verdict) -> str:
    control = v.claim.control
    if control is None:
        return ""
    return f"none: {control.reason}" if control.kind == "none" else control.what


def frame(verdicts: Sequence[Verdict], phase: Phase | None = None) -> pd.DataFrame:
    """One row per claim (:data:`COLUMNS`): what the source says, the test, the result, the
    control, the family's adjustment and the phase (``phase``: the run's, from the freeze record)."""
    rows = []
    plan = phase.freeze.plan if phase is not None and phase.freeze is not None else {}
    for v in verdicts:
        c, t = v.claim, v.claim.test
        late = post_hoc(c, phase) if phase is not None else ""
        run_phase = phase.phase if phase is not None else EXPLORATORY
        rows.append(
            {
                "id": c.id,
                "group": c.group,
                "source": c.source,
                "section": c.section,
                "statement": c.statement,
                "quote": c.quote,
                "paper_value": c.paper_value or "",
                "status": c.status,
                "verdict": v.verdict,
                "test": claim_text(c),
                "margin": float(t.margin) if t else math.nan,
                "direction": t.direction if t else "",
                "tolerance": float(t.tolerance) if t else math.nan,
                "margin_source": t.margin_source if t else "",
                "margin_note": t.margin_note if t else "",
                "tolerance_note": t.tolerance_note if t else "",
                "changes": _changes(v),
                "estimate": float(v.estimate),
                "lo": float(v.lo),
                "hi": float(v.hi),
                "effect": v.effect_text(),
                "method": v.method,
                "confidence": float(v.confidence),
                "seeds": int(v.seeds),
                "examples": int(v.examples),
                "sample_size": v.n_text,
                "sides": v.sides_text(),
                "settle": v.settle,
                "note": "; ".join(x for x in (v.note, c.notes) if x),
                "control_what": _control_what(v),
                "control": v.control,
                "validity": v.validity,
                "scale": ", ".join(v.scales),
                "control_kind": c.control.kind if c.control else "",
                "calibration": v.calibration,
                "checks": v.checks,
                "family": c.family,
                "p_value": float(v.p_value),
                "alpha": float(v.alpha) if t else math.nan,
                "p_adjusted": float(v.p_adjusted),
                "p_against": float(v.p_against),
                "raw_verdict": v.raw_verdict,
                "would_be": v.would_be,
                "seeds_planned": plan[c.id].text() if c.id in plan else "",
                "seed_values": ",".join(map(str, v.seed_values)),
                "phase": POST_HOC if late else run_phase,
                "post_hoc": late,
                "proposition": c.reading.proposition if c.reading else "",
                "budget": v.budget,
                "control_flag": v.control_flag,
                "run_host": "",
                **sizes(v, plan.get(c.id)),
            }
        )
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["fragile"] = fragile(out) if len(out) else ""
    return out


def ran_n(unit: str, seeds: int, examples: int) -> int:
    """The sample size that ran in a plan's ``unit``: the examples per run for a unit "per run"
    (digits, image pairs), else the runs (seeds, source models)."""
    return int(examples) if unit.endswith("per run") else int(seeds)


def sizes(v: Verdict, planned: Planned | None) -> dict[str, Any]:
    """The planned and the ran sample size of a verdict, and why it is underpowered: the freeze
    planned it past the budget, or the run gave it fewer units than planned."""
    if planned is None or not v.seeds:
        return {"planned_n": math.nan, "ran_n": math.nan, "underpowered": ""}
    ran = ran_n(planned.unit, v.seeds, v.examples)
    need = planned.needed or planned.n
    why = ""
    if planned.underpowered:
        why = f"planned at {planned.n} {planned.unit}, needs {need}"
    if ran < planned.n:
        why = "; ".join(x for x in (why, f"ran {ran} of the {planned.n} {planned.unit} planned") if x)
    return {"planned_n": float(planned.n), "ran_n": float(ran), "underpowered": why}


#: a verdict table's method words -> the scale its interval read (a table before the ``scale`` column)
_METHOD_SCALES = (("log values", "log"), ("log ratio", "log"), ("empirical logit", "probability"))


def _scale_of(method: str) -> str:
    for words, scale in _METHOD_SCALES:
        if words in method:
            return scale
    return "raw" if method else ""


def complete(table: pd.DataFrame) -> pd.DataFrame:
    """A verdict table with every column of :data:`COLUMNS`: one written before the phases (the
    exploratory run at e853af2) gets :data:`PHASE_COLUMNS`' defaults, its phase "exploratory"
    and a "not valid" row's would-be verdict from its stored interval
    (:func:`advgen.claims.statistics.stats.decide`)."""
    out = table.copy()
    if "budget" not in out.columns and "scale" in out.columns:  # a table before 2026-11-29
        out["budget"] = out["scale"]
        out["scale"] = [_scale_of(str(m)) for m in out.get("method", pd.Series("", index=out.index))]
    if "fragile" not in out.columns:  # a table before the rule: declared from its own p-values
        out["fragile"] = fragile(out) if len(out) and {"p_value", "alpha"} <= set(out.columns) else ""
    for column, default in PHASE_COLUMNS.items():
        if column not in out.columns:
            out[column] = default
    out["phase"] = out["phase"].where(out["phase"].astype(str) != "", EXPLORATORY)
    missing = out["verdict"].isin(WITHHELD) & (out["would_be"].astype(str) == "")
    for i in out.index[missing]:
        row = out.loc[i]
        out.loc[i, "would_be"] = stats.decide(
            float(row["lo"]),
            float(row["hi"]),
            float(row["margin"]),
            str(row["direction"]),
            float(row["tolerance"] or 0),
        )
    return out[[*COLUMNS, *(c for c in table.columns if c not in COLUMNS)]]


def phase_of_table(table: pd.DataFrame) -> str:
    """The run's phase as its table records it: confirmatory where any row is."""
    phases = set(table["phase"].astype(str)) if "phase" in table.columns else set()
    return CONFIRMATORY if phases & {CONFIRMATORY, POST_HOC} else EXPLORATORY
