"""The spec of ``advgen claims``: what the page needs of the config besides the run's tables.

Built once by the claims plan (:meth:`advgen.pipeline.claims.ClaimsPlan.command_spec`) from
the validated config; it crosses the command line as the rule's ``params.spec``. No torch here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from advgen.specs import ROLE, job_schema, ref_array, ref_map


@dataclass(frozen=True)
class DatasetHeader:
    """What the page's header says of one dataset (keys of its ``datasets`` entry)."""

    #: its fields' config keys: <this>.<field name> (advgen.specs.job_schema)
    CONFIG_KEYS: ClassVar[str] = "data.dataset"

    source: str
    image_size: int
    test_fraction: float
    max_train: int | None
    max_test: int | None


@dataclass(frozen=True)
class RunBudget:
    """One run's training settings (keys of its ``gans``/``autoencoders``/``classifiers`` entry;
    ``None`` where the entry has no such key)."""

    dataset: str | None = field(metadata=job_schema(ref="#/$defs/nullable_name"))
    epochs: int | None = field(metadata=job_schema(config_key="robustness.classifier.epochs", nullable=True))
    batch_size: int | None = field(
        metadata=job_schema(config_key="robustness.classifier.batch_size", nullable=True)
    )
    train_subset: str | None = field(
        metadata=job_schema(config_key="robustness.classifier.train_subset", nullable=True)
    )
    train_fraction: float | None = field(
        metadata=job_schema(config_key="robustness.classifier.train_fraction", nullable=True)
    )
    replicate_of: str | None = field(metadata=job_schema(ref="#/$defs/nullable_name"))


@dataclass(frozen=True)
class Budget:
    """A training budget of the claims file (``what``, the sources' ``source``) and the runs of
    this config it covers."""

    what: str = field(metadata=job_schema(ref="#/$defs/text"))
    source: str = field(metadata=job_schema(ref="#/$defs/text"))
    runs: dict[str, RunBudget]


@dataclass(frozen=True)
class ClaimsPageSpec:
    """Roles -> runs, the tables the DAG makes, the data, each role's seeds, the generator roles,
    the budgets, the config's name and its quality bars (role -> metric -> bound,
    ``sample_quality.bars``: one bar applies to both sides of a comparison of generators),
    the recipes and numerics a freeze record compares (:func:`advgen.claims.freeze.freeze_record.run_parts`),
    and whether the config is a toy-scale one (``toy_scale``: the page says its verdicts mean nothing)."""

    roles: dict[str, tuple[str, ...]] = field(
        metadata=job_schema(schema=ref_map("#/$defs/names", keys=ROLE), description="role -> its runs")
    )
    produced: tuple[str, ...] = field(
        metadata=job_schema(
            schema=ref_array("#/$defs/path"),
            description="the tables the DAG makes, relative to the results folder",
        )
    )
    datasets: dict[str, DatasetHeader]
    seeds: dict[str, dict[str, int]] = field(
        metadata=job_schema(
            schema=ref_map(ref_map("#/$defs/seed"), keys=ROLE), description="role -> run -> its seed"
        )
    )
    generators: tuple[str, ...] = field(
        metadata=job_schema(schema=ref_array(ROLE), description="the roles that name generators")
    )
    budgets: dict[str, Budget]
    config: str = field(metadata=job_schema(ref="#/$defs/text"))
    bars: dict[str, dict[str, Any]] = field(
        default_factory=dict,
        metadata=job_schema(
            schema=ref_map("generative.schema.yaml#/$defs/bar", keys=ROLE),
            description="role -> its quality bar (sample_quality.bars), for the roles the claims read",
        ),
    )
    recipes: dict[str, Any] = field(
        default_factory=dict,
        metadata=job_schema(
            schema={
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    s: {"$ref": "#/$defs/recipes"} for s in ("gans", "autoencoders", "classifiers")
                },
            },
            description="the model entries' specs and seeds, as the freeze record holds them"
            " (advgen.claims.freeze.freeze_record.recipes); a confirmatory page compares them with the record's",
        ),
    )
    numerics: dict[str, str] = field(
        default_factory=dict,
        metadata=job_schema(
            schema=ref_map("#/$defs/text", keys=ROLE),
            description="role -> its training precision as the config states it "
            "(advgen.claims.freeze.freeze_record.numerics)",
        ),
    )
    toy_scale: bool = field(
        default=False,
        metadata=job_schema(
            description="the config's toy_scale (the page then says its verdicts are not meaningful)"
        ),
    )

    def run_parts(self) -> dict[str, Any]:
        """The run's parts as a freeze record holds them."""
        return {"seeds": self.seeds, "recipes": self.recipes, "numerics": self.numerics}
