"""The typed specs of the robustness stage's jobs (``advgen attack``, ``transfer``,
``robustness-sweep-point``, ``robustness-sweep``), field for field the JSON the workflow passes
(:mod:`advgen.pipeline.robustness`; :mod:`advgen.specs` builds them at the command's boundary).

* :class:`AttackSpec`: a ``robustness.attacks`` entry as a job that crafts at its own budget
  gets it (attack class, constructor ``params``, ``seed``); :class:`CurveAttackSpec` adds the
  entry's eps grid (the ``attack`` job's curve);
* :class:`AttackJobSpec`, :class:`AttackTableSpec`, :class:`TransferSourceSpec`,
  :class:`TransferTableSpec`, :class:`SweepPointSpec`, :class:`SweepSpec`: the jobs' specs.

The schema (``robustness.schema.yaml``) fills the defaults before the plan writes a spec, so
the fields have none, except those a spec may leave out (``None``). No torch import.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from advgen.specs import job_schema, spec_dict, typed_spec

T = TypeVar("T")


@dataclass(frozen=True)
class AttackSpec:
    """An attack of :mod:`advgen.attacks.registry` (``attack``) with its parameters (``params``,
    defaults from the paper, in its dataclass: :mod:`advgen.attacks.params`) and the seed of its
    random draws."""

    #: its fields' config keys: <this>.<field name> (advgen.specs.job_schema)
    CONFIG_KEYS: ClassVar[str] = "robustness.attack"

    #: beside its fields, its definition checks the attack's params (jobs.schema.yaml)
    JOB_SCHEMA: ClassVar[Mapping[str, Any]] = {"$ref": "robustness.schema.yaml#/$defs/attack_params"}

    attack: str
    params: dict[str, Any]
    seed: int


@dataclass(frozen=True)
class CurveAttackSpec(AttackSpec):
    """An attack over its ``eps`` grid (a robustness curve); ``max_examples`` is the entry's
    own evaluation subset (the job reads it from its ``eval``; None where the entry has none)."""

    eps: tuple[float, ...] = field(metadata=job_schema(config_key="robustness.attack.eps"))
    max_examples: int | None = field(
        default=None, metadata=job_schema(config_key="robustness.attack.max_examples")
    )


@dataclass(frozen=True)
class EvalSettings:
    """The test images a job evaluates (a seeded class-stratified subset; None: the whole
    split) and the inputs attacked per chunk."""

    max_examples: int | None = field(metadata=job_schema(config_key="robustness.robustness.max_examples"))
    batch_size: int = field(metadata=job_schema(config_key="robustness.robustness.batch_size"))


@dataclass(frozen=True)
class AttackJobSpec:
    """One attack on one classifier over its eps grid (``advgen attack``): the attack's name in
    ``robustness.attacks``, the classifier's name, the entry and the evaluation subset."""

    name: str = field(metadata=job_schema(ref="#/$defs/name"))
    classifier: str = field(metadata=job_schema(ref="#/$defs/name"))
    attack: CurveAttackSpec
    eval: EvalSettings
    device: str | None = field(default=None, metadata=job_schema(ref="#/$defs/nullable_device"))


@dataclass(frozen=True)
class AttacksAtOneBudget:
    """Classifiers attacked by ``robustness.attacks`` entries at one budget ``eps`` (both by
    name): a transfer matrix's, the adversarial-examples figures' (Szegedy et al. 2014,
    Goodfellow et al. 2015)."""

    classifiers: tuple[str, ...]
    attacks: tuple[str, ...]
    eps: float


@dataclass(frozen=True)
class TransferSettings(AttacksAtOneBudget):
    """A transfer matrix, the config's ``robustness.transfer`` block: its models and crafting
    attacks, the budget and the seed of the noise baselines."""

    noise_seed: int


@dataclass(frozen=True)
class TransferSourceSpec:
    """One source model's rows of a transfer matrix (``advgen transfer-source``): the source,
    the matrix's models it is evaluated on (``targets``, name order, the source among them), its
    crafting attacks by name, the budget, the seed of the noise baselines, the evaluation subset."""

    source: str = field(
        metadata=job_schema(
            ref="#/$defs/name",
            description="the source model whose adversarial examples this job crafts (one of targets)",
        )
    )
    targets: tuple[str, ...] = field(
        metadata=job_schema(
            config_key="robustness.transfer.classifiers",
            description="the matrix's models the examples are evaluated on (name order, the source among them)",
        )
    )
    attacks: dict[str, AttackSpec]
    eps: float = field(metadata=job_schema(config_key="robustness.transfer.eps"))
    noise_seed: int = field(metadata=job_schema(config_key="robustness.transfer.noise_seed"))
    eval: EvalSettings
    device: str | None = field(default=None, metadata=job_schema(ref="#/$defs/nullable_device"))


@dataclass(frozen=True)
class TransferTableSpec:
    """A transfer matrix's table (``advgen transfer``, ``advgen transfer-capacity``): its source
    models (name order, one table each), ``within``: a ``meta`` key whose values each make one
    matrix (the capacity matrix's ``seed``: its rows grouped by it, one column), and ``meta``: per
    model, values its rows carry as ``source_<key>`` / ``target_<key>`` columns (the capacity
    matrix: width, mode)."""

    sources: tuple[str, ...] = field(
        metadata=job_schema(
            config_key="robustness.transfer.classifiers",
            description="the matrix's source models (name order), one table each",
        )
    )
    within: str | None = field(
        default=None,
        metadata=job_schema(
            ref="#/$defs/nullable_name",
            description="a meta key whose values each make one matrix (the capacity matrix's seed)",
        ),
    )
    meta: dict[str, dict[str, Any]] | None = field(
        default=None,
        metadata=job_schema(
            schema={
                "type": "object",
                "propertyNames": {"$ref": "#/$defs/name"},
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "width": {
                            "description": "the hidden width of the capacity matrix's model",
                            "$ref": "robustness.schema.yaml#/$defs/capacity/properties/widths/items",
                        },
                        "mode": {
                            "description": "the capacity matrix's training mode of the model",
                            "$ref": "robustness.schema.yaml#/$defs/capacity/properties/modes/items",
                        },
                        "seed": {"$ref": "#/$defs/seed"},
                    },
                },
            },
            description="per model, values its rows carry as source_<key> / target_<key> columns (the capacity"
            " matrix's width and mode, and its seed: the within key, one column instead)",
        ),
    )


#: a classifier sweep's name: its job specs' ``sweep``
SWEEP_NAME_SCHEMA = {
    "type": "string",
    "pattern": "^(capacity|data_size|data_size_[A-Za-z][A-Za-z0-9_]*)$",
    "maxLength": 200,
}


@dataclass(frozen=True)
class SweepPointSpec:
    """One point of a capacity (Madry et al. 2018) or data-size (Schmidt et al. 2018) sweep
    (``advgen robustness-sweep-point``): the sweep's name (``capacity``, ``data_size``,
    ``data_size_<name>``), the point's classifier and its spec (the ``train-classifier`` spec
    without ``device``), the attack and budget of the robust accuracy, and
    ``train_max_examples``: the cap of the training-set evaluation (None: the whole subset)."""

    sweep: str = field(
        metadata=job_schema(
            schema=SWEEP_NAME_SCHEMA,
            description="capacity, data_size or data_size_<name> (robustness.data_size_sweeps)",
        )
    )
    point: str = field(metadata=job_schema(ref="#/$defs/name", description="the point's classifier"))
    classifier: dict[str, Any] = field(
        metadata=job_schema(
            ref="#/$defs/ClassifierSpec",
            description="the point's classifier spec (the train-classifier spec; its device is the job's)",
        )
    )
    attack: AttackSpec
    eps: float = field(metadata=job_schema(config_key="robustness.capacity.eps"))
    eval: EvalSettings
    device: str | None = field(default=None, metadata=job_schema(ref="#/$defs/nullable_device"))
    train_max_examples: int | None = field(
        default=None, metadata=job_schema(config_key="robustness.data_size.train_max_examples")
    )


@dataclass(frozen=True)
class SweepSpec:
    """A sweep's table (``advgen robustness-sweep``): its name and its points' classifiers (name
    order), one ``robustness-sweep-point`` table each."""

    sweep: str = field(
        metadata=job_schema(
            schema=SWEEP_NAME_SCHEMA,
            description="capacity, data_size or data_size_<name> (robustness.data_size_sweeps)",
        )
    )
    points: tuple[str, ...] = field(
        metadata=job_schema(
            ref="#/$defs/names",
            description="the sweep's points' classifiers (name order), one table each",
        )
    )


@dataclass(frozen=True)
class AttackTableSpec:
    """The ``attack_table`` job: the classifiers whose rows get a table of their own (the
    ``classifiers`` outputs, in this order)."""

    classifiers: tuple[str, ...] = field(
        metadata=job_schema(
            ref="#/$defs/names",
            description="the classifiers whose rows get a table of their own (the classifiers outputs, in order)",
        )
    )


def attack_spec(entry: AttackSpec | Mapping[str, Any], cls: type[T] = AttackSpec) -> T:  # type: ignore[assignment]
    """``entry`` as the typed ``cls`` (:class:`AttackSpec` or :class:`CurveAttackSpec`): a typed
    spec as it is, a ``robustness.attacks`` entry through :func:`advgen.specs.typed_spec`
    without the keys ``cls`` lacks (an entry's ``classifiers``, a job's ``eps``)."""
    if isinstance(entry, cls):
        return entry
    data: Mapping[str, Any] = spec_dict(entry) if isinstance(entry, AttackSpec) else entry
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    spec: T = typed_spec(cls, {k: v for k, v in data.items() if k in names}, "attack")
    return spec
