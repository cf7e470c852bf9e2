"""An autoencoder job's spec: :class:`AeSpec` (one ``autoencoders.<name>`` entry, seed filled).

The defaults are the schema's (``generative.schema.yaml#/$defs/autoencoder``, filled by the
workflow or :func:`advgen.gan.spec.complete_spec`): the dataclass states none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from advgen.specs import job_schema
from advgen.training.speed_spec import SpeedSpec


@dataclass(frozen=True)
class AeSpec:
    """One autoencoder run (:class:`advgen.ae.train.AeRun`; the GAN exercise report's
    "Non-Adversarial Networks"): architecture, latent forcing by moments (and covariance) of the
    codes, its factor schedule, Adam, the speed levers (:mod:`advgen.training.speed`), the
    latent-CDF levels, the novel samples and the seed."""

    dataset: str = field(metadata=job_schema(config_key="generative.autoencoder.dataset"))
    arch: str = field(metadata=job_schema(config_key="generative.autoencoder.arch"))
    z_dim: int = field(metadata=job_schema(config_key="generative.autoencoder.z_dim"))
    width: int = field(metadata=job_schema(config_key="generative.autoencoder.width"))
    latent_forcing: bool = field(metadata=job_schema(config_key="generative.autoencoder.latent_forcing"))
    moments_over: str = field(metadata=job_schema(config_key="generative.autoencoder.moments_over"))
    covariance: float = field(metadata=job_schema(config_key="generative.autoencoder.covariance"))
    factor_initial: float = field(metadata=job_schema(config_key="generative.autoencoder.factor_initial"))
    factor_growth: float = field(metadata=job_schema(config_key="generative.autoencoder.factor_growth"))
    factor_max: float = field(metadata=job_schema(config_key="generative.autoencoder.factor_max"))
    lr: float = field(metadata=job_schema(config_key="generative.autoencoder.lr"))
    speed: SpeedSpec
    batch_size: int = field(metadata=job_schema(config_key="generative.autoencoder.batch_size"))
    epochs: int = field(metadata=job_schema(config_key="generative.autoencoder.epochs"))
    cdf_levels: int = field(metadata=job_schema(config_key="generative.autoencoder.cdf_levels"))
    n_novel: int = field(metadata=job_schema(config_key="generative.autoencoder.n_novel"))
    seed: int = field(metadata=job_schema(ref="#/$defs/seed"))


@dataclass(frozen=True)
class AeJobSpec:
    """The ``train_ae`` job's spec: the run (``autoencoder``: what its checkpoint records and its
    resume state is keyed on) and the device it asks for."""

    autoencoder: AeSpec = field(metadata=job_schema(description="the run's autoencoders entry, seed filled"))
    device: str = field(metadata=job_schema(ref="#/$defs/device"))
