"""What the claims page says before its tables, and the words of its rows: the digest (the
verdict counts, the claims that hold, those that do not, and why the rest do not count), the
verdict filter's groups, the control's outcome in words (whether it behaved, not a verdict) and
the training budgets named once at the top (a row refers to its budget by number).

Read from the verdict table (:func:`advgen.claims.page.table.frame`); no number is computed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from advgen.claims.deciding.verdict_words import (
    AT_SCALE,
    NOT_MEASURED,
    NOT_REPRODUCED,
    NOT_TESTABLE,
    NOT_VALID,
    PAPER_ONLY,
    SIGNIFICANT,
    VERDICTS,
)
from advgen.claims.freeze.phase import POST_HOC
from advgen.claims.reading.model import POSITIVE_KINDS

#: the verdict filter's groups: (key, label, verdicts)
FILTERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("holds", "holds", ("holds",)),
    ("fails", "does not hold", ("does not hold", AT_SCALE)),
    ("not-reproduced", "not reproduced", (NOT_REPRODUCED,)),
    ("inconclusive", "inconclusive", ("inconclusive",)),
    ("not-valid", "not valid", (NOT_VALID,)),
    ("pending", "not measured / not testable here", (NOT_MEASURED, PAPER_ONLY, NOT_TESTABLE)),
)


def group_of(verdict: str) -> str:
    """The filter group of a verdict (:data:`FILTERS`' key)."""
    for key, _, verdicts in FILTERS:
        if verdict in verdicts:
            return key
    return "pending"


@dataclass(frozen=True)
class Item:
    """A claim in the digest: its id, statement and, for one that does not count, why."""

    id: str
    statement: str
    why: str = ""


@dataclass(frozen=True)
class Digest:
    counts: list[tuple[str, int]]
    holds: list[Item]
    fails: list[Item]
    not_counted: list[tuple[str, list[Item]]]
    post_hoc: list[Item]


def _why(row: Any) -> str:
    """Why a claim does not count (not valid, inconclusive, not measured, ...), or what did not
    reproduce."""
    if row.verdict in (NOT_VALID, NOT_REPRODUCED):
        would = getattr(row, "would_be", "")
        return (row.validity or "a precondition failed") + (f" (it would be: {would})" if would else "")
    if row.verdict == "inconclusive":
        return (
            f"the interval straddles the margin; would settle: {row.settle}"
            if row.settle
            else ("the interval straddles the margin")
        )
    return str(row.note or row.verdict)


def digest(table: Any) -> Digest:
    """The digest of the source claims of the run's phase (a post-hoc claim is listed apart)."""
    rows = table[table["group"] == "source"]
    late = rows[rows["phase"] == POST_HOC]
    rows = rows[rows["phase"] != POST_HOC]
    counts = [(v, int((rows["verdict"] == v).sum())) for v in VERDICTS]
    holds: list[Item] = []
    fails: list[Item] = []
    rest: dict[str, list[Item]] = {}
    for r in rows.itertuples():
        group = group_of(r.verdict)
        if group == "holds":
            holds.append(Item(r.id, r.statement))
        elif group == "fails":
            fails.append(Item(r.id, r.statement, r.verdict if r.verdict == AT_SCALE else ""))
        else:
            rest.setdefault(r.verdict, []).append(Item(r.id, r.statement, _why(r)))
    not_counted = [(v, rest[v]) for v in VERDICTS if v in rest]
    return Digest(
        [(v, n) for v, n in counts if n],
        holds,
        fails,
        not_counted,
        [Item(r.id, r.statement, r.post_hoc) for r in late.itertuples()],
    )


def _outcome(control: str) -> tuple[str, str]:
    """``"holds: 0.3 [0.1, 0.5]"`` -> ``("holds", "0.3 [0.1, 0.5]")``."""
    for verdict in (NOT_MEASURED, *VERDICTS):
        if control.startswith(verdict):
            return verdict, control[len(verdict) :].lstrip(": ").strip()
    return "", control


def control_words(row: Any) -> str:
    """Whether the claim's control behaved, in words: a negative control behaves when the test
    finds no effect where none was built, a positive one (``saturating_run``) when it finds the
    effect where it was built in."""
    kind = getattr(row, "control_kind", "")
    if not row.control_what:
        return "–"
    if kind == "none":
        return f"no control: {str(row.control_what).removeprefix('none: ')}"
    verdict, measured = _outcome(str(row.control or ""))
    if verdict == NOT_MEASURED:
        return f"control not measured {measured}".rstrip()
    if not verdict:
        return "control not run"
    value = f" (measured {measured})" if measured and measured != "–" else ""
    if kind in POSITIVE_KINDS:
        if verdict == "holds":
            return f"control behaved: the effect shows where it was built in{value}"
        return f"control failed: no clear effect where it was built in{value}"
    if verdict == "holds" or str(row.control or "").startswith(SIGNIFICANT):
        return f"control failed: an effect where none was built{value}"
    if verdict == "inconclusive":
        return f"control behaved: no effect detected where none was built{value}"
    return f"control behaved: no effect where none was built{value}"


def budget_refs(budgets: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """A row's budget text (``budget <ours> vs <source>``, :func:`advgen.claims.deciding.verdict`) -> the
    short reference to the budget listed once at the top (``training budget 2 (GAN training)``)."""
    return {
        f"budget {b.get('ours') or '?'} vs {b.get('source') or '?'}": f"training budget {i} ({b['what']}), at the top"
        for i, b in enumerate(budgets, start=1)
    }
