"""The previous confirmatory round beside this one: each claim's verdict in the earlier round's
verdict table (``round<N>_verdict``, N the previous round), so that a page shows which verdicts a
fresh round re-obtained."""

from __future__ import annotations

import re

import pandas as pd

#: the column a published table gets for round 1 (a table of round 2 has it): the previous round's
#: verdict, "not in round N" where the claim was not in its claims file
PREVIOUS_COLUMN = "round1_verdict"
NOT_IN_PREVIOUS = "not in round 1"
_COLUMN = re.compile(r"round([1-9][0-9]*)_verdict")


def previous_column(round_: int) -> str:
    """The column of round ``round_``'s verdicts in a later round's table (``round2_verdict``)."""
    return f"round{round_}_verdict"


def not_in(round_: int) -> str:
    return f"not in round {round_}"


def previous_round_of(table: pd.DataFrame) -> int | None:
    """The previous round whose verdicts ``table`` carries (its ``round<N>_verdict`` column), None
    for none."""
    found = [int(m.group(1)) for c in table.columns if (m := _COLUMN.fullmatch(str(c)))]
    return max(found) if found else None


def with_previous_round(table: pd.DataFrame, previous: pd.DataFrame, round_: int = 1) -> pd.DataFrame:
    """``table`` with round ``round_``'s verdict of each row (:func:`previous_column`, by claim id)."""
    verdicts = dict(zip(previous["id"].astype(str), previous["verdict"].astype(str), strict=True))
    out = table.copy()
    out[previous_column(round_)] = [verdicts.get(str(i), not_in(round_)) for i in out["id"]]
    return out


def agreement(table: pd.DataFrame, group: str = "source") -> tuple[int, int]:
    """(rows whose verdict equals the previous round's, rows in both rounds) among ``group``'s rows."""
    round_ = previous_round_of(table) or 1
    column = previous_column(round_)
    rows = table[(table["group"] == group) & (table[column] != not_in(round_))]
    return int((rows["verdict"] == rows[column]).sum()), len(rows)
