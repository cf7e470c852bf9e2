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

from advgen.claims.spec import SOURCES
from advgen.claims.verdict import AT_SCALE, NOT_VALID, VERDICTS, Verdict, claim_text

COLUMNS = [
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
#: source documents' page titles; implementation checks come last, apart
GROUP_TITLES = {"check": "Implementation checks (not source claims)"}


def _changes(v: Verdict) -> str:
    test = v.claim.test
    if test is None:
        return ""
    return "; ".join(c.text() for c in test.changes)


def frame(verdicts: Sequence[Verdict]) -> pd.DataFrame:
    """One row per claim (:data:`COLUMNS`): what the source says, the test, the result."""
    rows = []
    for v in verdicts:
        c, t = v.claim, v.claim.test
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
                "control_what": c.control.what if c.control else "",
                "control": v.control,
                "validity": v.validity,
                "scale": v.scale,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def _sections(table: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    out = []
    claims = table[table["group"] == "source"]
    for source, title in SOURCES.items():
        rows = claims[claims["source"] == source]
        if len(rows):
            out.append((title, rows))
    checks = table[table["group"] == "check"]
    if len(checks):
        out.append((GROUP_TITLES["check"], checks))
    return out


def counts_text(table: pd.DataFrame, group: str = "source") -> str:
    """``27 source claims: 10 holds, ...`` (verdicts in their fixed order, zeros left out)."""
    rows = table[table["group"] == group]
    counts = Counter(rows["verdict"])
    what = "source claims" if group == "source" else "implementation checks"
    parts = [f"{counts[k]} {k}" for k in VERDICTS if counts.get(k)]
    return f"{len(rows)} {what}: " + (", ".join(parts) if parts else "none")


def _verdict_cell(row: Any) -> str:
    text = row.verdict
    if row.verdict == AT_SCALE and row.scale:
        text += f" ({row.scale})"
    if row.verdict == NOT_VALID and row.validity:
        text += f": {row.validity}"
    if row.verdict == "inconclusive" and row.settle:
        text += f" (would settle: {row.settle})"
    if row.verdict in ("not measured", "paper scale only", "not testable at this scale") and row.note:
        text += f" ({row.note})"
    return text


def _level(row: Any) -> str:
    return "90 % (TOST)" if row.direction == "equivalent" else "95 %"


def _ours(row: Any) -> str:
    if not row.sample_size:
        return "–"
    return f"{row.effect} ({_level(row)}; {row.sample_size}; {row.sides})"


def _control_cell(row: Any) -> str:
    if not row.control_what:
        return "–"
    return f"{row.control or '–'} ({row.control_what})"


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


def markdown(table: pd.DataFrame, *, header: str = "") -> str:
    """The claims page as Markdown (``results/tables/claims.md``)."""
    lines = ["# Claims of the source documents, tested on this run", ""]
    if header:
        lines += [header, ""]
    lines += [counts_text(table) + ".", counts_text(table, "check") + ".", "", METHOD_TEXT]
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
                f"| {_md(_control_cell(row))} | **{_md(_verdict_cell(row))}** |"
            )
    return "\n".join(lines) + "\n"


METHOD_TEXT = (
    "Each claim's test was fixed from the sources before the data: the effect, the margin the source "
    "implies (or ours, with the reason), and a negative control, the input under which the test must not "
    "hold (a control that holds stops the page). Intervals are 95 % t-intervals over seeds (Welch for a "
    "difference, the log scale for a ratio; over the examples where a side has one run, with the exact "
    "Clopper-Pearson or Newcombe interval for its proportions). A source's number is tested for "
    "equivalence: the 90 % interval (TOST) inside the tolerance fixed in advance. *holds*: the interval "
    "lies beyond the margin on the claimed side (inside the band); *does not hold*: it lies on the other "
    "side (outside the band), *at this scale* where evidence ties that to the study's shorter training; "
    "*inconclusive*: it straddles the margin (with the sample size that would settle it); *not valid*: "
    "a precondition failed or a generator it is built on fails its quality bar."
)


def _rst(text: Any) -> str:
    text = str(text).replace("\n", " ").replace("\\", "\\\\")
    for ch in "`*|_":
        text = text.replace(ch, "\\" + ch)
    return text or "–"


def rst(table: pd.DataFrame, *, page: str = "claims.html") -> str:
    """The report's first paragraph: a link to the claims page and its counts (the page itself
    is a separate file, so nothing in the report can print over its table)."""
    return (
        f"**Claims of the source documents, tested on this run:** `open the claims page <{page}>`_ "
        f"(``results/{page}``). {_rst(counts_text(table))}; {_rst(counts_text(table, 'check'))}.\n"
    )


def html(table: pd.DataFrame, header: Mapping[str, Any]) -> str:
    """The claims page (``results/claims.html``): header with the data, one table per source."""
    from advgen.claims.page import render

    sections = [(title, list(rows.itertuples())) for title, rows in _sections(table)]
    return render(
        header=header,
        counts=[counts_text(table), counts_text(table, "check")],
        method=METHOD_TEXT.replace("*", ""),
        sections=sections,
        verdict_cell=_verdict_cell,
        level=_level,
    )


# --- the README's summary, generated from claims.parquet
SUMMARY_START = (
    "<!-- claims-summary: start (advgen claims --readme-summary results/tables/claims.parquet) -->"
)
SUMMARY_END = "<!-- claims-summary: end -->"
SUMMARY_HEADER = "| claim | paper | test (margin) | ours (interval, n) | control (must not hold) | verdict |"
#: a cell of the summary: anything but a bare "|" (escaped ones are "\\|")
_CELL = r"(?:[^|\\]|\\.)+"
SUMMARY_ROW = re.compile(
    rf"^\| `[A-Za-z][A-Za-z0-9_]*` \([0-9]{{3}}\)"
    rf" \| {_CELL} \| {_CELL} \| {_CELL} \| {_CELL} \| [a-z ]+(?:[^|\\]|\\.)* \|$"
)


#: where ``make run`` writes the per-claim page the README's summary links to (beside the run's
#: verdict table it is made from, docs/default_run/claims.parquet)
SUMMARY_PAGE = "docs/default_run/claims.md"


def readme_summary(table: pd.DataFrame, page: str = SUMMARY_PAGE) -> str:
    """The README's claims section body (between :data:`SUMMARY_START` and :data:`SUMMARY_END`):
    the verdict counts and a link to the per-claim page ``page`` (:func:`summary_page`)."""
    lines = [SUMMARY_START, "", f"**{counts_text(table)}**; {counts_text(table, 'check')}."]
    lines += [
        f"Claim by claim (the test and its margin, our interval, the control, the verdict): [{page}]({page}).",
        "",
    ]
    return "\n".join([*lines, SUMMARY_END]) + "\n"


def summary_page(table: pd.DataFrame) -> str:
    """The per-claim page the README links to: the counts, then one row per source claim."""
    lines = [
        "# Which claims hold: the default study, claim by claim",
        "",
        "Generated from the run's verdict table (`docs/default_run/claims.parquet`, copied from "
        "`results/tables/claims.parquet` by `make run`); do not edit. The run's claims page "
        "(`results/claims.html`) has each claim's quote, budget and control in full; how the tests "
        "were fixed: [docs/claims.md](../claims.md).",
        "",
        f"**{counts_text(table)}**; {counts_text(table, 'check')}.",
        "",
        SUMMARY_HEADER,
        "|---|---|---|---|---|---|",
    ]
    for row in table[table["group"] == "source"].itertuples():
        ours = f"{row.effect} ({_level(row)}; {row.sample_size})" if row.sample_size else "–"
        test = f"{row.test} ({'source' if row.margin_source == 'source' else 'ours'})" if row.test else "–"
        control = row.control.split(":")[0] if row.control else "–"
        control = "behaved (does not hold)" if control == "does not hold" else control
        lines.append(
            f"| `{row.id}` ({row.source}) | {_md(row.paper_value or '–')} | {_md(test)} | {_md(ours)} "
            f"| {_md(control)} | {_md(_verdict_cell(row))} |"
        )
    return "\n".join(lines) + "\n"


def replace_summary(readme: str, summary: str) -> str:
    """``readme`` with its claims summary block replaced by ``summary``."""
    start, end = readme.find(SUMMARY_START), readme.find(SUMMARY_END)
    if start < 0 or end < start:
        raise ValueError("README has no claims-summary block (its start and end markers)")
    return readme[:start] + summary.rstrip("\n") + readme[end + len(SUMMARY_END) :]
