"""The typed spec of a gradient-masking checks job (Carlini et al. 2019; no torch here).

:class:`MaskingSettings` are the checks' sizes (:data:`CHECK_LEVELS`: the presets of ``advgen
evaluate``), :class:`MaskingJobSpec` one job: the model's
name, the check it runs (one job per (model, check) in the workflow), the sizes, the black-box
attack, the purifier and the gradient through it. The checks are :mod:`advgen.robustness.masking`,
the job :mod:`advgen.robustness.masking_job`; the Snakefile imports this module through the
job-kind table, so it imports neither torch nor pandas.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from advgen.defense.spec import PurifierSpec
from advgen.errors import ConfigError
from advgen.settings import settings_from_mapping
from advgen.specs import job_schema, optional_key

__all__ = ["CHECK_LEVELS", "DEFAULT_CHECKS", "GRADIENTS", "BlackBoxSpec", "MaskingJobSpec", "MaskingSettings"]

#: what the attacks differentiate through a purifier: BPDA, the reconstruction, or the unrolled projection
GRADIENTS = ("bpda", "exact", "unroll")


@dataclass(frozen=True)
class MaskingSettings:
    """Sizes of the checks (Carlini et al. 2019; the steps check compares PGD-40 with
    PGD-200 x 5). ``eps`` is the budget of the single-eps checks, ``eps_grid`` the grid of
    the monotonicity check, ``n_queries`` the black-box attack's queries (Andriushchenko et
    al. 2020: 5,000)."""

    #: its fields' config keys: <this>.<field name> (advgen.specs.job_schema)
    CONFIG_KEYS: ClassVar[str] = "robustness.masking_checks"

    eps: float = 0.3
    eps_grid: tuple[float, ...] = (0.0, 0.05, 0.1, 0.2, 0.3)
    pgd_steps: int = 40
    long_steps: int = 200
    long_restarts: int = 5
    unbounded_steps: int = 100
    n_queries: int = 5000
    tolerance: float = 0.02
    zero_tolerance: float = field(
        default=0.01,
        metadata=job_schema(
            schema={"type": "number", "minimum": 0, "maximum": 1},
            description="the largest share of zero gradients the zero-gradient check accepts (MaskingSettings)",
        ),
    )
    #: PGD's evaluation-only early stop (advgen.attacks.pgd): an example stays fooled at its
    #: first fooling iterate; robust accuracy can only stay or go down, the work shrinks
    early_stop: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "eps_grid", tuple(float(e) for e in self.eps_grid))
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool):
                continue
            if any(v < 0 for v in (value if isinstance(value, tuple) else (value,))):
                raise ConfigError(f"checks.{f.name}: must be non-negative, got {value!r}")

    @classmethod
    def from_mapping(
        cls, values: Mapping[str, Any] | None, source: str = "checks", where: str = ""
    ) -> MaskingSettings:
        """Defaults overridden by ``values`` (:func:`advgen.settings.settings_from_mapping`)."""
        return settings_from_mapping(cls, values, source, where=where)


#: the gradient-masking checks' levels -> their sizes over
#: :class:`~advgen.robustness.masking_spec.MaskingSettings`' (None: not run). ``full``: Carlini
#: et al. 2019's, the workflow's (PGD-40, PGD-200 x 5 restarts, Square with 5,000 queries).
#: ``quick``: the same six checks, PGD stopping early on the inputs it fooled (it can only find
#: more), the long run at PGD-100 x 2 restarts and Square with 1,000 queries, so that the checks
#: cost no more than the AutoAttack they check (benchmarks/evaluate_stages.py;
#: ``advgen evaluate --checks``)
CHECK_LEVELS: dict[str, dict[str, Any] | None] = {
    "quick": {"early_stop": True, "long_steps": 100, "long_restarts": 2, "n_queries": 1000},
    "full": {},
    "none": None,
}
#: the level :func:`advgen.robustness.evaluate_model.evaluate` and ``advgen evaluate`` run by default
DEFAULT_CHECKS = "quick"


@dataclass(frozen=True)
class BlackBoxSpec:
    """The black-box attack of the ``whitebox_vs_blackbox`` check: a name of
    :data:`advgen.attacks.ATTACKS` and its constructor arguments (none: the default one)."""

    #: beside its fields, its definition checks the attack's params (jobs.schema.yaml)
    JOB_SCHEMA: ClassVar[Mapping[str, Any]] = {"$ref": "robustness.schema.yaml#/$defs/attack_params"}

    attack: str | None = optional_key("robustness.attack.attack")
    params: dict[str, Any] | None = optional_key("robustness.attack.params")


@dataclass(frozen=True)
class MaskingJobSpec:
    """The ``advgen masking-checks`` job's spec (Carlini et al. 2019's checks): ``name``, the
    model's (its rows' ``model`` column; a purifier's name too); ``check``, the one check it
    runs (a name of :data:`advgen.robustness.tables.MASKING_CHECKS`; None: all six); and, every
    one optional, ``checks`` (:class:`MaskingSettings`), ``blackbox``, ``purifier`` (a
    purify-job spec, :func:`advgen.defense.loading.load_purifier`), ``gradient``
    (:data:`GRADIENTS`: what the attacks differentiate through it), ``max_examples`` (None: the
    whole test split), ``seed`` and ``device`` (None: ``auto``)."""

    name: str = field(metadata=job_schema(ref="#/$defs/name"))
    check: str | None = field(
        default=None,
        metadata=job_schema(
            ref="#/$defs/nullable_name",
            description="one check of advgen.robustness.tables.MASKING_CHECKS (null: all of them)",
        ),
    )
    checks: MaskingSettings = MaskingSettings()
    blackbox: BlackBoxSpec | None = None
    purifier: dict[str, Any] | None = field(
        default=None, metadata=job_schema(ref=PurifierSpec, nullable=True)
    )
    gradient: str = field(
        default="bpda",
        metadata=job_schema(
            schema={"enum": ["bpda", "exact", "unroll"]},
            description="what the attacks differentiate through a purifier (advgen.robustness.masking_spec.GRADIENTS)",
        ),
    )
    max_examples: int | None = field(
        default=None, metadata=job_schema(config_key="robustness.masking_checks.max_examples")
    )
    seed: int = field(default=0, metadata=job_schema(ref="#/$defs/seed"))
    device: str | None = field(default=None, metadata=job_schema(ref="#/$defs/nullable_device"))
