"""The views of the verdict table (:mod:`advgen.claims.page.table`): the claims page's HTML,
its Markdown copy and the report's landing text (reStructuredText linking to the page)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from advgen.claims.freeze.phase import POST_HOC
from advgen.claims.page.cells import (
    control_cell,
    control_label,
    level,
    md_cell,
    n_text,
    ours,
    p_text,
    scale_text,
    test_cell,
    verdict_cell,
)
from advgen.claims.page.counts import counts_text, fragile_text
from advgen.claims.page.table import complete
from advgen.claims.reading.spec import SOURCES

#: source documents' page titles; implementation checks come last, apart
GROUP_TITLES = {"check": "Implementation checks (not source claims)", POST_HOC: "Post-hoc claims"}


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
            "| claim | source says | paper | test | ours (interval, n) | control | proposition | scale | verdict |",
        ]
        lines.append("|---|---|---|---|---|---|---|---|---|")
        for row in rows.itertuples():
            lines.append(
                f"| **{md_cell(row.id)}**: {md_cell(row.statement)} | {md_cell(row.section)}: “{md_cell(row.quote)}” "
                f"| {md_cell(row.paper_value or '–')} | {md_cell(test_cell(row))} | {md_cell(ours(row))} "
                f"| {md_cell(control_cell(row))} | {md_cell(row.proposition or '–')} "
                f"| {md_cell(scale_text(row) or '–')} | **{md_cell(verdict_cell(row, refs))}** |"
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
    "scale for a ratio; for a rate over runs, the runs' lowest and highest rates and their mean, monotone in "
    "every count, with the pooled count's exact interval as its floor, and for a difference of two rates "
    "the two intervals combined (MOVER); over the examples where a side has one run, with the "
    "exact Clopper-Pearson or Newcombe interval for its proportions); the intervals of models compared "
    "are conditional on the models trained (a seed is one model). A source's number is tested for "
    "equivalence: the 90 % interval (TOST) inside the tolerance. p-values agree with the intervals "
    "(one-sided at 2.5 %, each side of a TOST at 5 %) and are adjusted within each family by Holm's "
    "step-down in both directions: a verdict counts only where its adjusted p keeps it, and one whose "
    "adjusted p lies within [alpha / 4, 4 alpha] is marked fragile. *holds*: the interval lies beyond the "
    "margin on the claimed side (inside the band); *does not hold*: it lies on the other side (outside "
    "the band), *at this scale* where evidence ties that to the study's shorter training; "
    "*inconclusive*: it straddles the margin (with the sample size that would settle it); *not "
    "reproduced*: a construction or precondition the claim's model needs failed, or a generator compared is "
    "below the one quality bar its comparison applies to both sides, a result against the claim (what did "
    "not reproduce and the verdict it would have had are shown); *not valid*: a control shows the "
    "measurement broken (a positive control that does not fire, a negative one with the claimed property). "
    "A negative control of a difference, ratio or trend enters the test: the verdict reads the effect "
    "minus the control, and a control significant on either side of its null is flagged. Where a claim's "
    "reading lists two scales (probability and logit), a verdict needs both."
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
        budget = str(getattr(row, "budget", "") or "")
        return refs.get(budget, budget) if budget else ""

    sections = [(title, list(rows.itertuples())) for title, rows in _sections(table)]
    return render(
        header=header,
        counts=[counts_text(table), counts_text(table, "check"), fragile_text(table)],
        method=METHOD_TEXT.replace("*", ""),
        sections=sections,
        verdict_cell=lambda row: verdict_cell(row, refs),
        level=level,
        p_text=p_text,
        n_text=n_text,
        control_label=control_label,
        scale_text=scale_text,
        digest=digest(table),
        filters=FILTERS,
        group_of=group_of,
        control_words=control_words,
        scale_ref=scale_ref,
    )
