"""The previous confirmatory round beside this one: each claim's verdict in the earlier round's
verdict table (``round1_verdict``), so that a page shows which verdicts a fresh round re-obtained."""

from __future__ import annotations

import pandas as pd

#: the column a published table gets: the previous round's verdict, "not in round 1" where the
#: claim was not in its claims file
PREVIOUS_COLUMN = "round1_verdict"
NOT_IN_PREVIOUS = "not in round 1"


def with_previous_round(table: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """``table`` with :data:`PREVIOUS_COLUMN`: each row's verdict in ``previous`` (by claim id)."""
    verdicts = dict(zip(previous["id"].astype(str), previous["verdict"].astype(str), strict=True))
    out = table.copy()
    out[PREVIOUS_COLUMN] = [verdicts.get(str(i), NOT_IN_PREVIOUS) for i in out["id"]]
    return out


def agreement(table: pd.DataFrame, group: str = "source") -> tuple[int, int]:
    """(rows whose verdict equals the previous round's, rows in both rounds) among ``group``'s rows."""
    rows = table[(table["group"] == group) & (table[PREVIOUS_COLUMN] != NOT_IN_PREVIOUS)]
    return int((rows["verdict"] == rows[PREVIOUS_COLUMN]).sum()), len(rows)
