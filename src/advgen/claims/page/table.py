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
from advgen.claims.deciding.verdict import NOT_VALID, Verdict, claim_text
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
    "scale",  # "budget <ours> vs <the source's>" of a claim that declares its scale
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
                "scale": v.scale,
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
            }
        )
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["fragile"] = fragile(out) if len(out) else ""
    return out


def complete(table: pd.DataFrame) -> pd.DataFrame:
    """A verdict table with every column of :data:`COLUMNS`: one written before the phases (the
    exploratory run at e853af2) gets :data:`PHASE_COLUMNS`' defaults, its phase "exploratory"
    and a "not valid" row's would-be verdict from its stored interval
    (:func:`advgen.claims.statistics.stats.decide`)."""
    out = table.copy()
    if "fragile" not in out.columns:  # a table before the rule: declared from its own p-values
        out["fragile"] = fragile(out) if len(out) and {"p_value", "alpha"} <= set(out.columns) else ""
    for column, default in PHASE_COLUMNS.items():
        if column not in out.columns:
            out[column] = default
    out["phase"] = out["phase"].where(out["phase"].astype(str) != "", EXPLORATORY)
    missing = (out["verdict"] == NOT_VALID) & (out["would_be"].astype(str) == "")
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
