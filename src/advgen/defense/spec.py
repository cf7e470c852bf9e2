"""The defense stage's job specs: frozen dataclasses (:mod:`advgen.specs`), no torch.

:mod:`advgen.defense.plan` builds them from the validated config (the schema's defaults are
filled there, so no field here repeats one); they cross the command line as JSON
(:func:`advgen.specs.spec_dict`) and the commands build them again at their boundary.

* :class:`PurifySpec`: one purify job, a purifier at one (L, R) point (Defense-GAN,
  Samangouei et al. 2018; adaptive attacks, Athalye et al. 2018); :class:`PurifierSpec`: what
  builds the purifier (:func:`advgen.defense.loading.load_purifier`).
* :class:`ProbeJobSpec` of :class:`ProbeSourceSpec`: linear probes on frozen features.
* :class:`FlipJobSpec` of :class:`FlipSpec`: PGD on a discriminator's real/fake score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from advgen.specs import NAME, job_schema, optional_key, ref_array

#: L or R of a purify point
_STEPS = job_schema(ref="#/$defs/purify_steps")


@dataclass(frozen=True)
class PurifierSpec:
    """A purifier alone (:func:`advgen.defense.loading.load_purifier`; the masking checks' purifier
    pipelines): ``project`` inverts a generator (``generator_kind``) from ``restarts`` random
    starts for ``steps`` steps with ``optimizer`` at ``lr`` (Defense-GAN, Samangouei et al.
    2018), ``reconstruct`` is an autoencoder's ``D(E(x))``, ``none`` the identity; the fields
    after ``seed`` are needed by ``project`` only."""

    #: its fields' config keys: <this>.<field name> (advgen.specs.job_schema)
    CONFIG_KEYS: ClassVar[str] = "defense.purifier"

    JOB_SCHEMA: ClassVar[dict[str, Any]] = {
        "description": "a purifier (advgen.defense.loading.load_purifier); the masking checks pass the keys they set"
    }

    # the masking checks fill purifier and seed themselves: the job's JSON may leave any key out
    purifier: str = field(metadata=job_schema(ref=NAME, required=False))
    method: str = field(metadata=job_schema(ref="#/$defs/purify_method", required=False))
    seed: int = field(metadata=job_schema(ref="#/$defs/seed", required=False))
    generator_kind: str | None = field(default=None, metadata=job_schema(ref="#/$defs/generator_kind"))
    steps: int | None = field(default=None, metadata=_STEPS)
    restarts: int | None = field(default=None, metadata=_STEPS)
    optimizer: str | None = None
    lr: float | None = None


@dataclass(frozen=True)
class PurifySpec:
    """One purify job (:func:`advgen.defense.plan.purify_points`): the purifier's fields of
    :class:`PurifierSpec`, its point, the classifier and the attacks (Samangouei et al. 2018;
    Athalye et al. 2018). ``budget``: overrides of
    :class:`~advgen.defense.adaptive.AdaptiveBudget`; ``device``: filled by the workflow."""

    #: its fields' config keys: <this>.<field name> (advgen.specs.job_schema)
    CONFIG_KEYS: ClassVar[str] = "defense.purify"

    classifier: str = field(metadata=job_schema(ref="#/$defs/name"))
    dataset: str = field(metadata=job_schema(ref="#/$defs/name"))
    num_images: int | None
    eps: tuple[float, ...]
    attacks: tuple[str, ...] = field(metadata=job_schema(config_key="defense.purify.tradeoff_attacks"))
    pgd_steps: int
    adaptive_steps: int
    eot_samples: int
    seed: int = field(metadata=job_schema(ref="#/$defs/seed"))
    purifier: str = field(metadata=job_schema(ref="#/$defs/name"))
    method: str = field(metadata=job_schema(ref="#/$defs/purify_method"))
    generator: str | None = field(metadata=job_schema(ref="#/$defs/nullable_name"))
    generator_kind: str | None = field(metadata=job_schema(ref="#/$defs/generator_kind", nullable=True))
    point: str = field(metadata=job_schema(ref="#/$defs/label"))
    operating: bool = field(metadata=job_schema(schema={"type": "boolean"}))
    steps: int = field(metadata=job_schema(ref="#/$defs/purify_steps"))
    restarts: int = field(metadata=job_schema(ref="#/$defs/purify_steps"))
    optimizer: str | None = optional_key("defense.purifier.optimizer")
    lr: float | None = optional_key("defense.purifier.lr")
    budget: dict[str, Any] | None = optional_key("defense.purify.budget")
    device: str | None = field(default=None, metadata=job_schema(ref="#/$defs/nullable_device"))


@dataclass(frozen=True)
class ProbeSourceSpec:
    """One feature source of the probe job (:func:`advgen.defense.plan.probe_spec`): a linear
    probe fitted on ``train_images`` frozen features, attacked by PGD (Madry et al. 2018) at
    each ``eps``. ``loss`` and ``unroll_k`` for discriminators (families ``gan``,
    ``control``), ``mode`` for classifiers."""

    #: its fields' config keys: <this>.<field name> (advgen.specs.job_schema)
    CONFIG_KEYS: ClassVar[str] = "defense.probe"

    family: str = field(
        metadata=job_schema(
            schema={"enum": ["gan", "control", "classifier"]},
            description="gan (a trained discriminator), control (its untrained initial one) or classifier",
        )
    )
    source: str = field(metadata=job_schema(ref="#/$defs/name"))
    dataset: str = field(metadata=job_schema(ref="#/$defs/name"))
    train_images: int | None
    num_images: int | None
    eps: tuple[float, ...]
    pgd_steps: int
    restarts: int
    weight_decay: float
    max_iter: int
    seed: int = field(metadata=job_schema(ref="#/$defs/seed"))
    loss: str | None = optional_key("generative.gan.loss")
    unroll_k: int | None = optional_key("generative.gan.unroll_k")
    mode: str | None = optional_key("robustness.classifier.mode")


@dataclass(frozen=True)
class ProbeJobSpec:
    """The probe job (:func:`advgen.defense.plan.probe_job`): every feature source, in order."""

    sources: tuple[ProbeSourceSpec, ...] = field(
        metadata=job_schema(schema=ref_array("#/$defs/ProbeSourceSpec", nonempty=True))
    )
    device: str | None = field(default=None, metadata=job_schema(ref="#/$defs/nullable_device"))


@dataclass(frozen=True)
class FlipSpec:
    """One GAN of the flip job (:func:`advgen.defense.plan.flip_spec`): per real test image,
    the smallest Linf eps (bisection up to ``eps_max``) whose PGD makes D call it fake."""

    #: its fields' config keys: <this>.<field name> (advgen.specs.job_schema)
    CONFIG_KEYS: ClassVar[str] = "defense.flip"

    gan: str = field(metadata=job_schema(ref="#/$defs/name"))
    loss: str = field(metadata=job_schema(config_key="generative.gan.loss"))
    unroll_k: int = field(metadata=job_schema(config_key="generative.gan.unroll_k"))
    dataset: str = field(metadata=job_schema(ref="#/$defs/name"))
    seed: int = field(metadata=job_schema(ref="#/$defs/seed"))
    num_images: int | None
    eps_max: float
    search_steps: int
    pgd_steps: int


@dataclass(frozen=True)
class FlipJobSpec:
    """The flip job (:func:`advgen.defense.plan.flip_job`): every probed GAN, in order."""

    gans: tuple[FlipSpec, ...] = field(
        metadata=job_schema(schema=ref_array("#/$defs/FlipSpec", nonempty=True))
    )
    device: str | None = field(default=None, metadata=job_schema(ref="#/$defs/nullable_device"))
