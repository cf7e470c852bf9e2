"""The claims page's HTML (Jinja2, autoescaped): one static page, no script and no network
asset, plain flow layout (nothing positioned, so nothing can print over the table at any window
width). The verdict filter is CSS alone: radio buttons before the tables, one rule per group
hiding the other rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

#: the page's Jinja2 template (package data beside this module)
TEMPLATE = Path(__file__).with_name("page.html.j2")


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
) -> str:
    """The page's HTML text."""
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
        digest=digest,
        filters=filters,
        group_of=group_of,
        control_words=control_words,
        scale_ref=scale_ref,
    )
