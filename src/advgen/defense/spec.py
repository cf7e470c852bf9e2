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

    classifier: str
    dataset: str
    num_images: int | None
    eps: tuple[float, ...]
    attacks: tuple[str, ...]
    pgd_steps: int
    adaptive_steps: int
    eot_samples: int
    seed: int
    purifier: str
    method: str
    generator: str | None
    generator_kind: str | None
    point: str
    operating: bool
    steps: int
    restarts: int
    optimizer: str | None = None
    lr: float | None = None
    budget: dict[str, Any] | None = None
    device: str | None = None


@dataclass(frozen=True)
class ProbeSourceSpec:
    """One feature source of the probe job (:func:`advgen.defense.plan.probe_spec`): a linear
    probe fitted on ``train_images`` frozen features, attacked by PGD (Madry et al. 2018) at
    each ``eps``. ``loss`` and ``unroll_k`` for discriminators (families ``gan``,
    ``control``), ``mode`` for classifiers."""

    family: str
    source: str
    dataset: str
    train_images: int | None
    num_images: int | None
    eps: tuple[float, ...]
    pgd_steps: int
    restarts: int
    weight_decay: float
    max_iter: int
    seed: int
    loss: str | None = None
    unroll_k: int | None = None
    mode: str | None = None


@dataclass(frozen=True)
class ProbeJobSpec:
    """The probe job (:func:`advgen.defense.plan.probe_job`): every feature source, in order."""

    sources: tuple[ProbeSourceSpec, ...]
    device: str | None = None


@dataclass(frozen=True)
class FlipSpec:
    """One GAN of the flip job (:func:`advgen.defense.plan.flip_spec`): per real test image,
    the smallest Linf eps (bisection up to ``eps_max``) whose PGD makes D call it fake."""

    gan: str
    loss: str
    unroll_k: int
    dataset: str
    seed: int
    num_images: int | None
    eps_max: float
    search_steps: int
    pgd_steps: int


@dataclass(frozen=True)
class FlipJobSpec:
    """The flip job (:func:`advgen.defense.plan.flip_job`): every probed GAN, in order."""

    gans: tuple[FlipSpec, ...]
    device: str | None = None
