"""The claims page: verdicts as a Markdown table and a Parquet table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pandas as pd

from advgen.claims.verdict import VERDICTS, Verdict

SOURCE_TITLES = {"001": "GAN report (001)", "003": "robustness review (003)"}
COLUMNS = [
    "id",
    "source",
    "section",
    "statement",
    "quote",
    "paper_value",
    "kind",
    "verdict",
    "measured",
    "difference",
    "spread",
    "replicates",
    "tables",
    "note",
]


def frame(verdicts: Sequence[Verdict]) -> pd.DataFrame:
    """One row per claim (see :data:`COLUMNS`)."""
    rows = []
    for v in verdicts:
        c = v.claim
        rows.append(
            {
                "id": c.id,
                "source": c.source,
                "section": c.section,
                "statement": c.statement,
                "quote": c.quote,
                "paper_value": c.paper_value or "",
                "kind": c.kind,
                "verdict": v.verdict,
                "measured": v.measured,
                "difference": float(v.difference),
                "spread": float(v.spread),
                "replicates": min((m.n for _, m in v.sides), default=0),
                "tables": ", ".join(sorted({t.table for t in c.terms})),
                "note": "; ".join(x for x in (v.note, c.notes) if x),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(verdicts: Sequence[Verdict], *, results: str = "results") -> str:
    """The claims page: a count per verdict, then one table per source document."""
    counts = Counter(v.verdict for v in verdicts)
    lines = [
        "# Claims of the source documents, tested on this run",
        "",
        f"{len(verdicts)} claims, measured on the Parquet tables under `{results}/`: "
        + ", ".join(f"{counts.get(k, 0)} {k}" for k in VERDICTS)
        + ".",
        "",
        "A difference counts only when it exceeds the spread: the replicates' standard deviation "
        "(seeds, where the run has several) floored at the claim's tolerance; closer numbers are "
        "*inconclusive*. *Not measured*: the run has no table or rows for it (the note says which).",
    ]
    for source, title in SOURCE_TITLES.items():
        mine = [v for v in verdicts if v.claim.source == source]
        if not mine:
            continue
        lines += [
            "",
            f"## {title}",
            "",
            "| claim | source says | paper's number | measured here | verdict |",
            "|---|---|---|---|---|",
        ]
        for v in mine:
            c = v.claim
            said = f"{c.section}: “{c.quote}”"
            measured = v.measured + (f" — {v.note}" if v.note else "")
            lines.append(
                f"| **{_cell(c.id)}**: {_cell(c.statement)} | {_cell(said)} | {_cell(c.paper_value or '–')} "
                f"| {_cell(measured)} | **{v.verdict}** |"
            )
    return "\n".join(lines) + "\n"


def _rst_cell(text: str) -> str:
    """One line of a list-table cell; backquotes and stars stay literal."""
    text = str(text).replace("\n", " ").replace("\\", "\\\\")
    for ch in "`*|_":
        text = text.replace(ch, "\\" + ch)
    return text or "–"


def rst(verdicts: Sequence[Verdict], *, results: str = "results") -> str:
    """The claims page as reStructuredText (the report's landing page includes it)."""
    counts = Counter(v.verdict for v in verdicts)
    title = "Claims of the source documents, tested on this run"
    lines = [
        title,
        "=" * len(title),
        "",
        f"{len(verdicts)} claims, measured on the Parquet tables under ``{results}/``: "
        + ", ".join(f"**{counts.get(k, 0)} {k}**" for k in VERDICTS)
        + ". A difference counts only when it exceeds the spread (seeds' standard deviation, floored at "
        "the claim's tolerance); closer numbers are *inconclusive*; *not measured*: the run has no "
        "table or rows for it. The same table is ``results/tables/claims.md``.",
    ]
    for source, title in SOURCE_TITLES.items():
        mine = [v for v in verdicts if v.claim.source == source]
        if not mine:
            continue
        lines += [
            "",
            title,
            "-" * len(title),
            "",
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 30 12 30 10",
            "",
        ]
        lines += ["   * - claim", "     - paper's number", "     - measured here", "     - verdict"]
        for v in mine:
            c = v.claim
            measured = v.measured + (f" — {v.note}" if v.note else "")
            lines += [
                f"   * - **{_rst_cell(c.id)}**: {_rst_cell(c.statement)}",
                f"     - {_rst_cell(c.paper_value or '–')}",
                f"     - {_rst_cell(measured)}",
                f"     - **{v.verdict}**",
            ]
    return "\n".join(lines) + "\n"
