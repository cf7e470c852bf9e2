"""A registry keyed by its entries' own names: ``{entry.name: entry}``, in the entries' order.

The registries of data sources, sweeps, masking checks and defense attacks are such tables,
each entry naming itself once. A leaf module (no advgen import, no torch).
"""

from __future__ import annotations

from typing import Protocol, TypeVar


class Named(Protocol):
    """Anything with a ``name``."""

    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=Named)


def by_name(*entries: N) -> dict[str, N]:
    """``{e.name: e for e in entries}``: the entries keyed by name, in their order."""
    return {e.name: e for e in entries}
