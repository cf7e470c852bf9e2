"""The main numbers as the report's landing page shows them (reStructuredText) and as Markdown
(:mod:`advgen.findings`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def percent(value: float, lo: float = math.nan, hi: float = math.nan) -> str:
    """``97.3 % [95.1, 99.5]`` (the interval left out where it is NaN)."""
    if not math.isfinite(value):
        return "–"
    text = f"{100 * value:.1f} %"
    return text + (f" [{100 * lo:.1f}, {100 * hi:.1f}]" if math.isfinite(lo) and math.isfinite(hi) else "")


def number(value: float, lo: float = math.nan, hi: float = math.nan, digits: int = 3) -> str:
    """``0.781 [0.702, 0.860]`` (the interval left out where it is NaN)."""
    if not math.isfinite(value):
        return "–"
    text = f"{value:.{digits}g}"
    return text + (f" [{lo:.{digits}g}, {hi:.{digits}g}]" if math.isfinite(lo) and math.isfinite(hi) else "")


def robustness_rows(table: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """The robustness table's header and cells, as the landing page shows them."""
    header = ["classifier", "clean accuracy", "robust accuracy", "attack", "seeds", "examples per seed"]
    cells = [
        [
            str(r.classifier),
            percent(r.clean, r.clean_lo, r.clean_hi),
            percent(r.robust, r.robust_lo, r.robust_hi),
            f"{r.attack_type} ({r.attack})" + ("" if r.reference else ", strongest the run has"),
            str(r.seeds),
            str(r.examples),
        ]
        for r in table.itertuples()
    ]
    return header, cells


def generator_rows(table: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """The generators' table's header and cells."""
    header = ["model", "kind", "FID", "classes covered", "mean max-prob", "seeds", "quality gate"]
    cells = [
        [
            str(r.model) + (" (real data)" if r.family == "real" else ""),
            str(r.family),
            number(r.fid, r.fid_lo, r.fid_hi),
            f"{r.classes:.3g} of {r.num_classes}",
            number(r.mean_max_prob, r.mean_max_prob_lo, r.mean_max_prob_hi),
            str(r.seeds),
            str(r.gate) or "–",
        ]
        for r in table.itertuples()
    ]
    return header, cells


def count_rows(counts: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    header = ["verdict", "source claims", "implementation checks"]
    return header, [[str(r.verdict), str(r.source), str(r.checks)] for r in counts.itertuples()]


@dataclass(frozen=True)
class Findings:
    """The three tables (None: the run has no such table)."""

    robustness: Any = None
    generators: Any = None
    counts: Any = None


def robustness_intro(table: pd.DataFrame) -> str:
    eps = float(table["eps"].iloc[0])
    return (
        f"Robustness at L-infinity eps {eps:g}, RobustBench style: mean over seeds [95 % t-interval, "
        "cut at 0 and 100 %; none from one seed]. The attack is AutoAttack where it ran on every seed "
        "of the classifier, else the strongest attack of the run there (lowest robust accuracy)."
    )


GENERATORS_INTRO = (
    "Generators, mean over seeds [95 % t-interval]: FID and mean max-probability of the "
    "sample-quality classifier, classes covered (classes with at least 1/(2C) of the samples); "
    "the real data's row is the reference."
)
CLAIMS_INTRO = "Claims of the source documents, tested on this run: verdict counts."


def _rst_text(text: str) -> str:
    text = str(text).replace("\n", " ").replace("\\", "\\\\")
    for ch in "`*|_":
        text = text.replace(ch, "\\" + ch)
    return text or "–"


def _rst_table(header: list[str], cells: list[list[str]]) -> list[str]:
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header, *cells]:
        lines.append(f"   * - {_rst_text(row[0])}")
        lines += [f"     - {_rst_text(c)}" for c in row[1:]]
    return [*lines, ""]


def rst(findings: Findings, *, claims_category: str = "Claims") -> str:
    """The landing page's main numbers (reStructuredText; ``claims_category``: the report's
    category that holds the claims page, linked by name)."""
    lines = ["**Main numbers of this run**", ""]
    if findings.robustness is not None and len(findings.robustness):
        lines += [_rst_text(robustness_intro(findings.robustness)), ""]
        lines += _rst_table(*robustness_rows(findings.robustness))
    if findings.generators is not None and len(findings.generators):
        lines += [_rst_text(GENERATORS_INTRO), ""]
        lines += _rst_table(*generator_rows(findings.generators))
    if findings.counts is not None:
        lines += [f"{_rst_text(CLAIMS_INTRO)} The claims page is in this report: `{claims_category}`_.", ""]
        lines += _rst_table(*count_rows(findings.counts))
    if len(lines) == 2:
        lines += ["This run has no attack, sample-quality or claims table.", ""]
    return "\n".join(lines)


def _md_table(header: list[str], cells: list[list[str]]) -> list[str]:
    def cell(x: str) -> str:
        return str(x).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(map(cell, header)) + " |", "|" + "---|" * len(header)]
    return [*lines, *("| " + " | ".join(map(cell, row)) + " |" for row in cells), ""]


def markdown(findings: Findings) -> str:
    """The same as Markdown (``results/tables/findings.md``)."""
    lines = ["# Main numbers of this run", ""]
    if findings.robustness is not None and len(findings.robustness):
        lines += [robustness_intro(findings.robustness), ""]
        lines += _md_table(*robustness_rows(findings.robustness))
    if findings.generators is not None and len(findings.generators):
        lines += [GENERATORS_INTRO, ""]
        lines += _md_table(*generator_rows(findings.generators))
    if findings.counts is not None:
        lines += [CLAIMS_INTRO + " The claims page: `results/claims.html`.", ""]
        lines += _md_table(*count_rows(findings.counts))
    if len(lines) == 2:
        lines += ["This run has no attack, sample-quality or claims table.", ""]
    return "\n".join(lines)
