"""Citation and star counts: rounding and the sentences of the stats lines.

Counts are rounded *down* to one decimal of thousands and shown with a ``+`` where they
are lower bounds (``7349`` -> ``7.3k+``, ``6000`` -> ``6k+``), so a CV never overstates a
count between two refreshes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_UNITS = ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k"))


def humanize(count: int) -> str:
    """``152`` -> ``152``; ``1350`` -> ``1.3k``; ``14_650`` -> ``14.6k``; ``6000`` -> ``6k``."""
    if count < 0:
        raise ValueError(f"a count cannot be negative: {count}")
    for size, unit in _UNITS:
        if count >= size:
            tenths = count * 10 // size  # floor, in tenths of the unit
            whole, tenth = divmod(tenths, 10)
            return f"{whole}{unit}" if tenth == 0 else f"{whole}.{tenth}{unit}"
    return str(count)


def at_least(count: int) -> str:
    """A rounded lower bound: ``7349`` -> ``7.3k+``; exact small counts keep no ``+``."""
    text = humanize(count)
    return text if text == str(count) else text + "+"


def scholar_sentence(stats: Mapping[str, Any]) -> str:
    """``6k+ citations and an h-index of 31``."""
    scholar = stats["scholar"]
    return f"{at_least(scholar['citations'])} citations and an h-index of {scholar['h_index']}"


def total_stars(stats: Mapping[str, Any]) -> int:
    """Sum of the stars of every repository in the stats file."""
    return sum(stats["github"]["repos"].values())


def stars_sentence(stats: Mapping[str, Any]) -> str:
    """``27.1k+ GitHub stars across all repositories.``"""
    return f"{at_least(total_stars(stats))} GitHub stars across all repositories."


def sorted_repos(stars: Mapping[str, int]) -> list[tuple[str, int]]:
    """(repo, stars), most-starred first, ties by name: deterministic."""
    return sorted(stars.items(), key=lambda item: (-item[1], item[0].lower()))
