"""The config's ``sweeps`` section, typed once: one :class:`SweepBlock` per sweep it runs.

A block names its ``generators`` and its ``classifier``; every other key is a hyperparameter,
a list a grid axis (:mod:`advgen.sweeps.grid` expands them). No torch here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SweepBlock:
    """One sweep's block: its generators (as listed), its classifier and its hyperparameters
    (the schema's defaults filled; a list value is a grid axis)."""

    generators: tuple[str, ...]
    classifier: str
    params: Mapping[str, Any] = field(hash=False)

    def axes(self) -> list[str]:
        """The grid axes (list-valued hyperparameters), sorted."""
        return sorted(k for k, v in self.params.items() if isinstance(v, list))


@dataclass(frozen=True)
class SweepsSettings:
    """The sweeps a config runs (sweep name -> its block, in config order; an empty block runs
    nothing and is left out)."""

    blocks: Mapping[str, SweepBlock] = field(default_factory=dict, hash=False)

    @classmethod
    def of(cls, section: Mapping[str, Any] | None) -> SweepsSettings:
        """The validated ``sweeps`` section (``None``: no sweeps)."""
        blocks = {}
        for name, block in (section or {}).items():
            if block:
                params = {k: v for k, v in block.items() if k not in ("generators", "classifier")}
                blocks[name] = SweepBlock(tuple(block["generators"]), str(block["classifier"]), params)
        return cls(blocks)
