"""The verdict counts the page, the Markdown and the README state first: the verdicts of the
run's phase in their fixed order (:func:`counts_text`) and the fragile ones apart
(:func:`fragile_text`)."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from advgen.claims.deciding.fragility import FACTOR
from advgen.claims.deciding.verdict_words import AT_SCALE, VERDICTS
from advgen.claims.freeze.phase import CONFIRMATORY, EXPLORATORY, POST_HOC
from advgen.claims.page.table import complete, phase_of_table
from advgen.claims.statistics import stats


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
