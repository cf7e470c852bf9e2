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

from dataclasses import dataclass
from typing import Any

from advgen.specs import spec_field


@dataclass(frozen=True)
class PurifierSpec:
    """A purifier alone (:func:`advgen.defense.loading.load_purifier`; the masking checks' purifier
    pipelines): ``project`` inverts a generator (``generator_kind``) from ``restarts`` random
    starts for ``steps`` steps with ``optimizer`` at ``lr`` (Defense-GAN, Samangouei et al.
    2018), ``reconstruct`` is an autoencoder's ``D(E(x))``, ``none`` the identity; the fields
    after ``seed`` are needed by ``project`` only."""

    purifier: str
    method: str
    seed: int
    generator_kind: str | None = None
    steps: int | None = None
    restarts: int | None = None
    optimizer: str | None = None
    lr: float | None = None


@dataclass(frozen=True)
class PurifySpec:
    """One purify job (:func:`advgen.defense.plan.purify_points`): the purifier's fields of
    :class:`PurifierSpec`, its point, the classifier and the attacks (Samangouei et al. 2018;
    Athalye et al. 2018). ``budget``: overrides of
    :class:`~advgen.defense.adaptive.AdaptiveBudget`; ``device``: filled by the workflow."""

    classifier: str = spec_field(ref="#/$defs/name")
    dataset: str = spec_field(ref="#/$defs/name")
    num_images: int | None = spec_field(config_key="defense.purify.num_images")
    eps: tuple[float, ...] = spec_field(config_key="defense.purify.eps")
    attacks: tuple[str, ...] = spec_field(config_key="defense.purify.tradeoff_attacks")
    pgd_steps: int = spec_field(config_key="defense.purify.pgd_steps")
    adaptive_steps: int = spec_field(config_key="defense.purify.adaptive_steps")
    eot_samples: int = spec_field(config_key="defense.purify.eot_samples")
    seed: int = spec_field(ref="#/$defs/seed")
    purifier: str = spec_field(ref="#/$defs/name")
    method: str = spec_field(ref="#/$defs/purify_method")
    generator: str | None = spec_field(ref="#/$defs/nullable_name")
    generator_kind: str | None = spec_field(ref="#/$defs/generator_kind", nullable=True)
    point: str = spec_field(ref="#/$defs/label")
    operating: bool
    steps: int = spec_field(ref="#/$defs/purify_steps")
    restarts: int = spec_field(ref="#/$defs/purify_steps")
    optimizer: str | None = spec_field(config_key="defense.purifier.optimizer", nullable=True, default=None)
    lr: float | None = spec_field(config_key="defense.purifier.lr", nullable=True, default=None)
    budget: dict[str, Any] | None = spec_field(
        config_key="defense.purify.budget", nullable=True, default=None
    )
    device: str | None = spec_field(ref="#/$defs/nullable_device", default=None)


@dataclass(frozen=True)
class ProbeSourceSpec:
    """One feature source of the probe job (:func:`advgen.defense.plan.probe_spec`): a linear
    probe fitted on ``train_images`` frozen features, attacked by PGD (Madry et al. 2018) at
    each ``eps``. ``loss`` and ``unroll_k`` for discriminators (families ``gan``,
    ``control``), ``mode`` for classifiers."""

    family: str = spec_field(
        schema={"enum": ["gan", "control", "classifier"]},
        description="gan (a trained discriminator), control (its untrained initial one) or classifier",
    )
    source: str = spec_field(ref="#/$defs/name")
    dataset: str = spec_field(ref="#/$defs/name")
    train_images: int | None = spec_field(config_key="defense.probe.train_images")
    num_images: int | None = spec_field(config_key="defense.probe.num_images")
    eps: tuple[float, ...] = spec_field(config_key="defense.probe.eps")
    pgd_steps: int = spec_field(config_key="defense.probe.pgd_steps")
    restarts: int = spec_field(config_key="defense.probe.restarts")
    weight_decay: float = spec_field(config_key="defense.probe.weight_decay")
    max_iter: int = spec_field(config_key="defense.probe.max_iter")
    seed: int = spec_field(ref="#/$defs/seed")
    loss: str | None = spec_field(config_key="generative.gan.loss", nullable=True, default=None)
    unroll_k: int | None = spec_field(config_key="generative.gan.unroll_k", nullable=True, default=None)
    mode: str | None = spec_field(config_key="robustness.classifier.mode", nullable=True, default=None)


@dataclass(frozen=True)
class ProbeJobSpec:
    """The probe job (:func:`advgen.defense.plan.probe_job`): every feature source, in order."""

    sources: tuple[ProbeSourceSpec, ...] = spec_field(
        schema={
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"$ref": "#/$defs/ProbeSourceSpec"},
        }
    )
    device: str | None = spec_field(ref="#/$defs/nullable_device", default=None)


@dataclass(frozen=True)
class FlipSpec:
    """One GAN of the flip job (:func:`advgen.defense.plan.flip_spec`): per real test image,
    the smallest Linf eps (bisection up to ``eps_max``) whose PGD makes D call it fake."""

    gan: str = spec_field(ref="#/$defs/name")
    loss: str = spec_field(config_key="generative.gan.loss")
    unroll_k: int = spec_field(config_key="generative.gan.unroll_k")
    dataset: str = spec_field(ref="#/$defs/name")
    seed: int = spec_field(ref="#/$defs/seed")
    num_images: int | None = spec_field(config_key="defense.flip.num_images")
    eps_max: float = spec_field(config_key="defense.flip.eps_max")
    search_steps: int = spec_field(config_key="defense.flip.search_steps")
    pgd_steps: int = spec_field(config_key="defense.flip.pgd_steps")


@dataclass(frozen=True)
class FlipJobSpec:
    """The flip job (:func:`advgen.defense.plan.flip_job`): every probed GAN, in order."""

    gans: tuple[FlipSpec, ...] = spec_field(
        schema={"type": "array", "minItems": 1, "uniqueItems": True, "items": {"$ref": "#/$defs/FlipSpec"}}
    )
    device: str | None = spec_field(ref="#/$defs/nullable_device", default=None)
