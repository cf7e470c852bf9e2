"""The claims page: the verdict table (Parquet), its HTML page, a Markdown copy, the report's
landing text (reStructuredText linking to the page) and the README's summary.

Every view is rendered from :func:`frame`'s table, so the page, the Markdown, the README
summary and ``claims.parquet`` cannot disagree.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from advgen.claims.deciding.fragility import FACTOR, fragile
from advgen.claims.deciding.verdict import AT_SCALE, NOT_VALID, VERDICTS, Verdict, claim_text
from advgen.claims.freeze.phase import CONFIRMATORY, EXPLORATORY, POST_HOC, Phase, post_hoc
from advgen.claims.reading.spec import SOURCES
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
#: source documents' page titles; implementation checks come last, apart
GROUP_TITLES = {"check": "Implementation checks (not source claims)", POST_HOC: "Post-hoc claims"}


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


def _sections(table: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Per source document its claims of the run's phase, then the post-hoc claims (changed after
    the freeze: not counted), then the implementation checks."""
    out = []
    later = table["phase"] == POST_HOC
    claims = table[(table["group"] == "source") & ~later]
    for source, title in SOURCES.items():
        rows = claims[claims["source"] == source]
        if len(rows):
            out.append((title, rows))
    rows = table[(table["group"] == "source") & later]
    if len(rows):
        out.append((f"{GROUP_TITLES[POST_HOC]} (changed after the freeze; not counted)", rows))
    checks = table[table["group"] == "check"]
    if len(checks):
        out.append((GROUP_TITLES["check"], checks))
    return out


def phase_of_table(table: pd.DataFrame) -> str:
    """The run's phase as its table records it: confirmatory where any row is."""
    phases = set(table["phase"].astype(str)) if "phase" in table.columns else set()
    return CONFIRMATORY if phases & {CONFIRMATORY, POST_HOC} else EXPLORATORY


def counts_text(table: pd.DataFrame, group: str = "source") -> str:
    """``27 confirmatory source claims: 10 holds, ...`` (verdicts in their fixed order, zeros
    left out); a confirmatory run's headline counts its confirmatory claims only, the post-hoc
    ones apart."""
    table = complete(table) if "phase" not in table.columns else table
    rows = table[table["group"] == group]
    confirmatory = phase_of_table(table) == CONFIRMATORY
    late = rows[rows["phase"] == POST_HOC]
    if confirmatory:
        rows = rows[rows["phase"] != POST_HOC]
    counts = Counter(rows["verdict"])
    what = "source claims" if group == "source" else "implementation checks"
    if group == "source":
        what = f"{CONFIRMATORY if confirmatory else EXPLORATORY} {what}"
    parts = [f"{counts[k]} {k}" for k in VERDICTS if counts.get(k)]
    text = f"{len(rows)} {what}: " + (", ".join(parts) if parts else "none")
    if confirmatory and len(late):
        text += f" ({len(late)} post-hoc, listed apart)"
    return text


def fragile_text(table: pd.DataFrame, group: str = "source") -> str:
    """The fragile verdicts counted apart (:mod:`advgen.claims.deciding.fragility`): ``fragile (a rerun
    may flip them: ...): 5 holds, 4 does not hold, 12 inconclusive; firm: 8 holds, 6 does not
    hold``; "" for a table without the rule's column."""
    table = complete(table) if "fragile" not in table.columns else table
    rows = table[table["group"] == group]
    if phase_of_table(table) == CONFIRMATORY:
        rows = rows[rows["phase"] != POST_HOC]
    marked = rows["fragile"].astype(str) != ""
    shaky, firm = Counter(rows.loc[marked, "verdict"]), Counter(rows.loc[~marked, "verdict"])
    decided = (stats.HOLDS, stats.FAILS, AT_SCALE)
    parts = [f"{shaky[k]} {k}" for k in VERDICTS if shaky.get(k)]
    firm_parts = [f"{firm[k]} {k}" for k in decided if firm.get(k)]
    what = "source verdicts" if group == "source" else "checks"
    n_decided = sum(shaky[k] + firm[k] for k in decided)
    return (
        f"Fragile {what} (a rerun may flip them: the deciding p, Holm-adjusted, within "
        f"[alpha / {FACTOR:g}, {FACTOR:g} alpha]): {', '.join(parts) or 'none'}; "
        f"firm: {', '.join(firm_parts) or 'none'} ({sum(firm[k] for k in decided)} of {n_decided} decided)"
    )


def _verdict_cell(row: Any, budgets: Mapping[str, str] | None = None) -> str:
    """The verdict with its reason; ``budgets`` (:func:`advgen.claims.page.digest.budget_refs`) turns
    a row's scale text into the reference to its budget stated once at the top."""
    text = row.verdict
    if row.verdict == AT_SCALE and row.scale:
        text += f" ({(budgets or {}).get(row.scale, row.scale)})"
    if row.verdict == NOT_VALID:
        if getattr(row, "would_be", ""):
            text += f" (would be: {row.would_be})"
        if row.validity:
            text += f": {row.validity}"
    if row.verdict == "inconclusive" and row.settle:
        text += f" (would settle: {row.settle})"
    if getattr(row, "fragile", ""):
        text += f"; FRAGILE ({row.fragile})"
    if row.verdict in ("not measured", "paper scale only", "not testable at this scale") and row.note:
        text += f" ({row.note})"
    return text


def _level(row: Any) -> str:
    return "90 % (TOST)" if row.direction == "equivalent" else "95 %"


def p_text(row: Any) -> str:
    """``p 0.003, Holm 0.012 (family gans_mlp)``: the test's p-value and its family's adjustment."""
    p = getattr(row, "p_value", math.nan)
    if not isinstance(p, float) or not math.isfinite(p):
        return ""
    text = f"p {p:.2g}"
    adjusted = getattr(row, "p_adjusted", math.nan)
    if getattr(row, "family", "") and isinstance(adjusted, float) and math.isfinite(adjusted):
        text += f", Holm {adjusted:.2g} (family {row.family})"
    alpha = getattr(row, "alpha", math.nan)
    if isinstance(alpha, float) and math.isfinite(alpha):
        text += f"; holds at < {alpha:g}"
    return text


def n_text(row: Any) -> str:
    """The sample size used, the seeds' values, and the power plan's where the freeze has one."""
    text = row.sample_size
    seeds = getattr(row, "seed_values", "")
    if seeds:
        text += f", seeds {seeds.replace(',', ', ')}"
    planned = getattr(row, "seeds_planned", "")
    if planned:
        text += f" (planned: {planned})"
    return text


def _ours(row: Any) -> str:
    if not row.sample_size:
        return "–"
    extra = "; ".join(x for x in (p_text(row),) if x)
    return f"{row.effect} ({_level(row)}; {n_text(row)}; {row.sides}" + (f"; {extra})" if extra else ")")


def control_label(row: Any) -> str:
    """What the control is, with its kind: ``other_class: G(z*)'s label against ...``."""
    kind = getattr(row, "control_kind", "")
    if kind == "none":
        return row.control_what
    return f"{kind}: {row.control_what}" if kind else row.control_what


def _control_cell(row: Any) -> str:
    from advgen.claims.page.digest import control_words

    if not row.control_what:
        text = "–"
    elif getattr(row, "control_kind", "") == "none":
        text = row.control_what
    else:
        text = f"{control_words(row)} ({control_label(row)})"
    checks = getattr(row, "checks", "")
    calibration = getattr(row, "calibration", "")
    text += f"; margin checks: {checks}" if checks else ""
    return text + (f"; calibration (permuted halves): {calibration}" if calibration else "")


def test_cell(row: Any) -> str:
    """The declared test with its margin and where the margin comes from."""
    if not row.test:
        return "–"
    source = "source" if row.margin_source == "source" else "ours"
    text = f"{row.test} (margin: {source}: {row.margin_note}"
    if row.direction == "equivalent" and row.tolerance_note:
        text += f"; tolerance: {row.tolerance_note}"
    return text + ")"


#: where Markdown reads raw HTML or an autolink: ``<`` before a letter, ``/``, ``!`` or ``?``
_HTML_START = re.compile(r"<(?=[A-Za-z/!?])")


def _md(text: Any) -> str:
    """Text of the claims file as a Markdown table cell: ``|`` escaped, and ``<`` where it
    would open a tag, a comment or an autolink, so a statement's raw HTML shows as text
    instead of reaching the page (``a < b`` stays as it is)."""
    text = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return _HTML_START.sub(r"\\<", text)


def markdown(table: pd.DataFrame, *, header: str = "", budgets: Sequence[Mapping[str, Any]] = ()) -> str:
    """The claims page as Markdown (``results/tables/claims.md``); ``budgets``: the training
    budgets the header lists once, numbered, to which a row's scale text then refers."""
    from advgen.claims.page.digest import budget_refs

    table = complete(table)
    refs = budget_refs(budgets)
    lines = ["# Claims of the source documents, tested on this run", ""]
    if header:
        lines += [header, ""]
    lines += [
        counts_text(table) + ".",
        counts_text(table, "check") + ".",
        fragile_text(table) + ".",
        "",
        METHOD_TEXT,
    ]
    for title, rows in _sections(table):
        lines += [
            "",
            f"## {title}",
            "",
            "| claim | source says | paper | test | ours (interval, n) | control | verdict |",
        ]
        lines.append("|---|---|---|---|---|---|---|")
        for row in rows.itertuples():
            lines.append(
                f"| **{_md(row.id)}**: {_md(row.statement)} | {_md(row.section)}: “{_md(row.quote)}” "
                f"| {_md(row.paper_value or '–')} | {_md(test_cell(row))} | {_md(_ours(row))} "
                f"| {_md(_control_cell(row))} | **{_md(_verdict_cell(row, refs))}** |"
            )
    return "\n".join(lines) + "\n"


METHOD_TEXT = (
    "Each claim declares its test (the effect, the margin the source implies, or ours with the reason), "
    "a control of the first kind (a measurement through the same code where the effect is absent by how "
    "its data or model was made: a null model or input, same-norm noise, a digit of another class, a "
    "permuted null; or none, with the reason) and its family (the claims that share its data). Tests, "
    "margins and controls may change in the exploratory phase, each change recorded with its date; they "
    "are frozen before the confirmatory run, and a claim changed after the freeze is post-hoc, listed "
    "apart and not counted. Intervals are 95 % t-intervals over seeds (Welch for a difference, the log "
    "scale for a ratio; for a rate, t over the runs' empirical logits with the pooled count's exact "
    "interval as its floor; over the examples where a side has one run, with the "
    "exact Clopper-Pearson or Newcombe interval for its proportions); the intervals of models compared "
    "are conditional on the models trained (a seed is one model). A source's number is tested for "
    "equivalence: the 90 % interval (TOST) inside the tolerance. p-values agree with the intervals "
    "(one-sided at 2.5 %, each side of a TOST at 5 %) and are adjusted within each family by Holm's "
    "step-down in both directions: a verdict counts only where its adjusted p keeps it, and one whose "
    "adjusted p lies within [alpha / 4, 4 alpha] is marked fragile. *holds*: the interval lies beyond the "
    "margin on the claimed side (inside the band); *does not hold*: it lies on the other side (outside "
    "the band), *at this scale* where evidence ties that to the study's shorter training; "
    "*inconclusive*: it straddles the margin (with the sample size that would settle it); *not valid*: "
    "a precondition failed, the control says the measurement cannot be trusted, or a generator compared "
    "is below the one quality bar its comparison applies to both sides (the verdict it would have had "
    "is shown)."
)


def _rst(text: Any) -> str:
    text = str(text).replace("\n", " ").replace("\\", "\\\\")
    for ch in "`*|_":
        text = text.replace(ch, "\\" + ch)
    return text or "–"


def rst(table: pd.DataFrame, *, page: str = "claims.html", category: str = "Claims") -> str:
    """The report's paragraph on the claims page: the page is a result of the report (its
    ``category``, linked by name, so a report sent on carries it), also ``results/<page>``."""
    table = complete(table)
    return (
        f"**Claims of the source documents, tested on this run:** the claims page is in this report, "
        f"under `{category}`_ (a digest, a verdict filter, then every claim), and in ``results/{page}``. "
        f"{_rst(counts_text(table))}; {_rst(counts_text(table, 'check'))}.\n"
    )


def html(table: pd.DataFrame, header: Mapping[str, Any]) -> str:
    """The claims page (``results/claims.html``): header with the phase, the data and the
    training budgets (each once), the digest and the verdict filter, then the claims per source
    (one line each, details on a click: :mod:`advgen.claims.page.html`), the post-hoc claims and the
    implementation checks apart, and the claims' change histories at the end."""
    from advgen.claims.page.digest import FILTERS, budget_refs, control_words, digest, group_of
    from advgen.claims.page.html import render

    table = complete(table)
    refs = budget_refs(header.get("budgets") or [])

    def scale_ref(row: Any) -> str:
        return refs.get(row.scale, row.scale) if row.scale else ""

    sections = [(title, list(rows.itertuples())) for title, rows in _sections(table)]
    return render(
        header=header,
        counts=[counts_text(table), counts_text(table, "check"), fragile_text(table)],
        method=METHOD_TEXT.replace("*", ""),
        sections=sections,
        verdict_cell=lambda row: _verdict_cell(row, refs),
        level=_level,
        p_text=p_text,
        n_text=n_text,
        control_label=control_label,
        digest=digest(table),
        filters=FILTERS,
        group_of=group_of,
        control_words=control_words,
        scale_ref=scale_ref,
    )


# --- the README's summary, generated from claims.parquet
SUMMARY_START = (
    "<!-- claims-summary: start (advgen claims --readme-summary results/tables/claims.parquet) -->"
)
SUMMARY_END = "<!-- claims-summary: end -->"
SUMMARY_HEADER = "| claim | paper | test (margin) | ours (interval, n) | control (did it behave?) | verdict |"
#: a cell of the summary: anything but a bare "|" (escaped ones are "\\|")
_CELL = r"(?:[^|\\]|\\.)+"
SUMMARY_ROW = re.compile(
    rf"^\| `[A-Za-z][A-Za-z0-9_]*` \([0-9]{{3}}\)"
    rf" \| {_CELL} \| {_CELL} \| {_CELL} \| {_CELL} \| [a-z ]+(?:[^|\\]|\\.)* \|$"
)


#: where ``make run`` writes the per-claim page the README's summary links to (beside the run's
#: verdict table it is made from, docs/default_run/claims.parquet)
SUMMARY_PAGE = "docs/default_run/claims.md"


def readme_summary(table: pd.DataFrame, page: str = SUMMARY_PAGE, header: str = "") -> str:
    """The README's claims section body (between :data:`SUMMARY_START` and :data:`SUMMARY_END`):
    ``header`` (the round, freeze hash, seeds, hardware, numerics and data:
    :mod:`advgen.claims.page.round_header`), the verdict counts of the run's phase (post-hoc claims are
    not counted), the fragile ones apart, and a link to the per-claim page ``page``
    (:func:`summary_page`)."""
    table = complete(table)
    lines = [SUMMARY_START, ""] + ([header, ""] if header else [])
    lines += [f"**{counts_text(table)}**; {counts_text(table, 'check')}. {fragile_text(table)}."]
    lines += [
        f"Claim by claim (the test and its margin, our interval, the control, the verdict): [{page}]({page}).",
        "",
    ]
    return "\n".join([*lines, SUMMARY_END]) + "\n"


def summary_page(table: pd.DataFrame, header: str = "") -> str:
    """The per-claim page the README links to: ``header`` (as :func:`readme_summary`'s), the
    counts with the fragile ones apart, then one row per source claim (a confirmatory run's
    post-hoc claims last, marked and not counted; a fragile verdict marked)."""
    from advgen.claims.page.digest import control_words

    table = complete(table)
    lines = [
        "# Which claims hold: the default study, claim by claim",
        "",
        "Generated from the run's verdict table (`docs/default_run/claims.parquet`, copied from "
        "`results/tables/claims.parquet` by `make run`); do not edit. The run's claims page "
        "(`results/claims.html`) has each claim's quote, budget and control in full; how the tests "
        "were fixed: [docs/claims.md](../claims.md).",
        "",
        *([header, ""] if header else []),
        f"**{counts_text(table)}**; {counts_text(table, 'check')}.",
        "",
        fragile_text(table) + ".",
        "",
        SUMMARY_HEADER,
        "|---|---|---|---|---|---|",
    ]
    rows = table[table["group"] == "source"]
    ordered = pd.concat([rows[rows["phase"] != POST_HOC], rows[rows["phase"] == POST_HOC]])
    for row in ordered.itertuples():
        ours = f"{row.effect} ({_level(row)}; {row.sample_size})" if row.sample_size else "–"
        test = f"{row.test} ({'source' if row.margin_source == 'source' else 'ours'})" if row.test else "–"
        if row.control_kind == "none":
            control = "none"
        elif row.control:
            control = control_words(row).split(":")[0].removeprefix("control ")
            control += f" ({row.control_kind})" if row.control_kind else ""
        else:
            control = "–"
        verdict = _verdict_cell(row)
        if row.phase == POST_HOC:
            verdict = f"post-hoc, not counted: {verdict}"
        lines.append(
            f"| `{row.id}` ({row.source}) | {_md(row.paper_value or '–')} | {_md(test)} | {_md(ours)} "
            f"| {_md(control)} | {_md(verdict)} |"
        )
    return "\n".join(lines) + "\n"


def replace_summary(readme: str, summary: str) -> str:
    """``readme`` with its claims summary block replaced by ``summary``."""
    start, end = readme.find(SUMMARY_START), readme.find(SUMMARY_END)
    if start < 0 or end < start:
        raise ValueError("README has no claims-summary block (its start and end markers)")
    return readme[:start] + summary.rstrip("\n") + readme[end + len(SUMMARY_END) :]
