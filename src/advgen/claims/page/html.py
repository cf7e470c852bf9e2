"""The claims page's HTML (Jinja2, autoescaped): one static page, no script and no network
asset, plain flow layout (nothing positioned, so nothing can print over the claims at any window
width). One line per claim (the claim, its statement, our effect, the verdict); the rest of the
claim is a ``<details>`` element that opens on a click (HTML alone, no script): the source's
quote, the test, the interval, the control, the verdict with its reason and every column of the
claim's row of the verdict table. The claims' dated changes are listed once, at the end, each
claim linking to its own. The verdict filter is CSS alone: radio buttons before the claims, one
rule per group hiding the other claims."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

#: the page's Jinja2 template (package data beside this module)
TEMPLATE = Path(__file__).with_name("page.html.j2")
#: where one dated change ends and the next begins in the verdict table's ``changes`` text
#: (:class:`advgen.claims.reading.model.Change`'s texts joined by "; ", each "YYYY-MM-DD: old → new (why)")
_NEXT_CHANGE = re.compile(r"; (?=\d{4}-\d{2}-\d{2}: )")


def change_log(row: Any) -> list[str]:
    """A row's dated changes, oldest first (its ``changes`` text split at each date)."""
    text = str(getattr(row, "changes", "") or "")
    return _NEXT_CHANGE.split(text) if text else []


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.6g}"
    return "" if value is None else str(value)


#: the verdict table's columns the page words in a claim's details (page.html.j2) or, for
#: ``changes``, in its change history; :func:`row_columns` lists the others
WORDED = frozenset(
    "id source section statement quote paper_value test margin_note tolerance_note changes effect "
    "sample_size seed_values seeds_planned sides method p_value p_adjusted family alpha post_hoc "
    "note validity scale control control_what control_kind checks calibration verdict would_be "
    "settle fragile proposition scale budget control_flag planned_n ran_n underpowered run_host".split()
)


def row_columns(row: Any) -> list[tuple[str, str]]:
    """The columns of a row of the verdict table that the details do not word, with a value, as
    (name, text) in the table's order: a column the table gains later shows here without a
    change to the page."""
    fields = row._asdict() if hasattr(row, "_asdict") else dict(row)
    return [
        (name, text)
        for name, value in fields.items()
        if name != "Index" and name not in WORDED and (text := _cell(value)) != ""
    ]


def render(
    *,
    header: Mapping[str, Any],
    counts: Sequence[str],
    method: str,
    sections: Sequence[tuple[str, Sequence[Any]]],
    verdict_cell: Callable[[Any], str],
    level: Callable[[Any], str],
    p_text: Callable[[Any], str],
    n_text: Callable[[Any], str],
    control_label: Callable[[Any], str],
    digest: Any,
    filters: Sequence[tuple[str, str, Sequence[str]]],
    group_of: Callable[[str], str],
    control_words: Callable[[Any], str],
    scale_ref: Callable[[Any], str],
    scale_text: Callable[[Any], str] = lambda row: str(getattr(row, "scale", "") or ""),
) -> str:
    """The page's HTML text (``scale_text``: the scales a row's verdict read, in words)."""
    from jinja2 import Environment

    env = Environment(autoescape=True, trim_blocks=False)
    return env.from_string(TEMPLATE.read_text(encoding="utf-8")).render(
        header=header,
        counts=counts,
        method=method,
        sections=sections,
        verdict_cell=verdict_cell,
        level=level,
        p_text=p_text,
        n_text=n_text,
        control_label=control_label,
        scale_text=scale_text,
        digest=digest,
        filters=filters,
        group_of=group_of,
        control_words=control_words,
        scale_ref=scale_ref,
        changes=change_log,
        columns=row_columns,
    )
