"""The README's claims summary, generated from ``claims.parquet``: its block (between
:data:`SUMMARY_START` and :data:`SUMMARY_END`), the per-claim page it links to
(:func:`summary_page`) and the block replaced in a README (:func:`replace_summary`)."""

from __future__ import annotations

import re

import pandas as pd

from advgen.claims.freeze.phase import POST_HOC
from advgen.claims.page.cells import level, md_cell, verdict_cell
from advgen.claims.page.counts import counts_text, fragile_text
from advgen.claims.page.table import complete

SUMMARY_START = (
    "<!-- claims-summary: start (advgen claims --readme-summary results/tables/claims.parquet) -->"
)
SUMMARY_END = "<!-- claims-summary: end -->"
SUMMARY_HEADER = (
    "| claim | proposition | paper | test (margin) | scale | ours (interval, n) "
    "| control (did it behave?) | verdict |"
)
#: a cell of the summary: anything but a bare "|" (escaped ones are "\\|")
_CELL = r"(?:[^|\\]|\\.)+"
SUMMARY_ROW = re.compile(
    rf"^\| `[A-Za-z][A-Za-z0-9_]*` \([0-9]{{3}}\)(?: \| {_CELL}){{6}}"
    rf" \| [a-z ]+(?:[^|\\]|\\.)* \|(?: {_CELL} \|)?$"
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
    from advgen.claims.page.cells import n_text, scale_text
    from advgen.claims.page.digest import control_words
    from advgen.claims.page.rounds import agreement, previous_column, previous_round_of

    table = complete(table)
    before = previous_round_of(table)
    previous = before is not None
    column = previous_column(before or 1)
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
    ]
    if previous:
        same, both = agreement(table)
        lines += [
            f"Round {before}'s verdict beside each row (`{column}`): {same} of {both} source claims in "
            "both rounds got the same verdict.",
            "",
        ]
    lines += [
        SUMMARY_HEADER + (f" round {before} |" if previous else ""),
        "|---|---|---|---|---|---|---|---|" + ("---|" if previous else ""),
    ]
    rows = table[table["group"] == "source"]
    ordered = pd.concat([rows[rows["phase"] != POST_HOC], rows[rows["phase"] == POST_HOC]])
    for row in ordered.itertuples():
        ours = f"{row.effect} ({level(row)}; {n_text(row)})" if row.sample_size else "–"
        test = f"{row.test} ({'source' if row.margin_source == 'source' else 'ours'})" if row.test else "–"
        if row.control_kind == "none":
            control = "none"
        elif row.control:
            control = control_words(row).split(":")[0].removeprefix("control ")
            control += f" ({row.control_kind})" if row.control_kind else ""
        else:
            control = "–"
        verdict = verdict_cell(row)
        if row.phase == POST_HOC:
            verdict = f"post-hoc, not counted: {verdict}"
        lines.append(
            f"| `{row.id}` ({row.source}) | {md_cell(row.proposition or '–')} | {md_cell(row.paper_value or '–')} "
            f"| {md_cell(test)} | {md_cell(scale_text(row) or '–')} | {md_cell(ours)} "
            f"| {md_cell(control)} | {md_cell(verdict)} |"
            + (f" {md_cell(getattr(row, column))} |" if previous else "")
        )
    return "\n".join(lines) + "\n"


def replace_summary(readme: str, summary: str) -> str:
    """``readme`` with its claims summary block replaced by ``summary``."""
    start, end = readme.find(SUMMARY_START), readme.find(SUMMARY_END)
    if start < 0 or end < start:
        raise ValueError("README has no claims-summary block (its start and end markers)")
    return readme[:start] + summary.rstrip("\n") + readme[end + len(SUMMARY_END) :]
