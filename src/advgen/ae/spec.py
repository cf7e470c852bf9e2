"""An autoencoder job's spec: :class:`AeSpec` (one ``autoencoders.<name>`` entry, seed filled).

The defaults are the schema's (``generative.schema.yaml#/$defs/autoencoder``, filled by the
workflow or :func:`advgen.gan.spec.complete_spec`): the dataclass states none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from advgen.specs import STACKED_SEEDS, job_schema
from advgen.training.speed_spec import SpeedSpec


@dataclass(frozen=True)
class AeSpec:
    """One autoencoder run (:class:`advgen.ae.train.AeRun`; the GAN exercise report's
    "Non-Adversarial Networks"): architecture, latent forcing by moments (and covariance) of the
    codes, its factor schedule, Adam, the speed levers (:mod:`advgen.training.speed`), the
    latent-CDF levels, the novel samples and the seed."""

    #: the fields are an ``autoencoders`` entry's keys (generative.schema.yaml), seed filled
    CONFIG_KEYS: ClassVar[str] = "generative.autoencoder"

    dataset: str
    arch: str
    z_dim: int
    width: int
    latent_forcing: bool
    moments_over: str
    covariance: float
    factor_initial: float
    factor_growth: float
    factor_max: float
    lr: float
    speed: SpeedSpec
    batch_size: int
    epochs: int
    cdf_levels: int
    n_novel: int
    seed: int = field(metadata=job_schema(ref="#/$defs/seed"))


@dataclass(frozen=True)
class AeJobSpec:
    """The ``train_ae`` job's spec: the run (``autoencoder``: what its checkpoint records and its
    resume state is keyed on) and the device it asks for."""

    autoencoder: AeSpec = field(metadata=job_schema(description="the run's autoencoders entry, seed filled"))
    device: str = field(metadata=job_schema(ref="#/$defs/device"))


@dataclass(frozen=True)
class AeSeedsJobSpec:
    """The ``train_ae_seeds`` job's spec (:mod:`advgen.pipeline.stacking`): the entry's first
    run (``autoencoder``), the seeds and names of all its runs in order, and the device it asks for."""

    autoencoder: AeSpec = field(metadata=job_schema(description="the entry's first run, seed filled"))
    seeds: tuple[int, ...] = field(metadata=job_schema(schema=STACKED_SEEDS))
    runs: tuple[str, ...] = field(metadata=job_schema(ref="#/$defs/names"))
    device: str = field(metadata=job_schema(ref="#/$defs/device"))
