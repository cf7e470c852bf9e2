"""The spec of ``advgen claims``: what the page needs of the config besides the run's tables.

Built once by the claims plan (:meth:`advgen.pipeline.claims.ClaimsPlan.command_spec`) from
the validated config; it crosses the command line as the rule's ``params.spec``. No torch here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DatasetHeader:
    """What the page's header says of one dataset (keys of its ``datasets`` entry)."""

    source: str
    image_size: int
    test_fraction: float
    max_train: int | None
    max_test: int | None


@dataclass(frozen=True)
class RunBudget:
    """One run's training settings (keys of its ``gans``/``autoencoders``/``classifiers`` entry;
    ``None`` where the entry has no such key)."""

    dataset: str | None
    epochs: int | None
    batch_size: int | None
    train_subset: str | None
    train_fraction: float | None
    replicate_of: str | None


@dataclass(frozen=True)
class Budget:
    """A training budget of the claims file (``what``, the sources' ``source``) and the runs of
    this config it covers."""

    what: str
    source: str
    runs: dict[str, RunBudget]


@dataclass(frozen=True)
class ClaimsPageSpec:
    """Roles -> runs, the tables the DAG makes, the data, each role's seeds, the generator roles,
    the budgets, the config's name and its quality bars (role -> metric -> bound,
    ``sample_quality.bars``: one bar applies to both sides of a comparison of generators),
    the recipes and numerics a freeze record compares (:func:`advgen.claims.freeze_record.run_parts`),
    and whether the config is a toy-scale one (``toy_scale``: the page says its verdicts mean nothing)."""

    roles: dict[str, tuple[str, ...]]
    produced: tuple[str, ...]
    datasets: dict[str, DatasetHeader]
    seeds: dict[str, dict[str, int]]
    generators: tuple[str, ...]
    budgets: dict[str, Budget]
    config: str
    bars: dict[str, dict[str, Any]] = field(default_factory=dict)
    recipes: dict[str, Any] = field(default_factory=dict)
    numerics: dict[str, str] = field(default_factory=dict)
    toy_scale: bool = False

    def run_parts(self) -> dict[str, Any]:
        """The run's parts as a freeze record holds them."""
        return {"seeds": self.seeds, "recipes": self.recipes, "numerics": self.numerics}
