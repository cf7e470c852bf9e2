"""An autoencoder job's spec: :class:`AeSpec` (one ``autoencoders.<name>`` entry, seed filled).

The defaults are the schema's (``generative.schema.yaml#/$defs/autoencoder``, filled by the
workflow or :func:`advgen.gan.spec.complete_spec`): the dataclass states none.
"""

from __future__ import annotations

from dataclasses import dataclass

from advgen.specs import spec_field
from advgen.training.speed_spec import SpeedSpec


@dataclass(frozen=True)
class AeSpec:
    """One autoencoder run (:class:`advgen.ae.train.AeRun`; the GAN exercise report's
    "Non-Adversarial Networks"): architecture, latent forcing by moments (and covariance) of the
    codes, its factor schedule, Adam, the speed levers (:mod:`advgen.training.speed`), the
    latent-CDF levels, the novel samples and the seed."""

    dataset: str = spec_field(config_key="generative.autoencoder.dataset")
    arch: str = spec_field(config_key="generative.autoencoder.arch")
    z_dim: int = spec_field(config_key="generative.autoencoder.z_dim")
    width: int = spec_field(config_key="generative.autoencoder.width")
    latent_forcing: bool = spec_field(config_key="generative.autoencoder.latent_forcing")
    moments_over: str = spec_field(config_key="generative.autoencoder.moments_over")
    covariance: float = spec_field(config_key="generative.autoencoder.covariance")
    factor_initial: float = spec_field(config_key="generative.autoencoder.factor_initial")
    factor_growth: float = spec_field(config_key="generative.autoencoder.factor_growth")
    factor_max: float = spec_field(config_key="generative.autoencoder.factor_max")
    lr: float = spec_field(config_key="generative.autoencoder.lr")
    speed: SpeedSpec
    batch_size: int = spec_field(config_key="generative.autoencoder.batch_size")
    epochs: int = spec_field(config_key="generative.autoencoder.epochs")
    cdf_levels: int = spec_field(config_key="generative.autoencoder.cdf_levels")
    n_novel: int = spec_field(config_key="generative.autoencoder.n_novel")
    seed: int = spec_field(ref="#/$defs/seed")


@dataclass(frozen=True)
class AeJobSpec:
    """The ``train_ae`` job's spec: the run (``autoencoder``: what its checkpoint records and its
    resume state is keyed on) and the device it asks for."""

    autoencoder: AeSpec = spec_field(description="the run's autoencoders entry, seed filled")
    device: str = spec_field(ref="#/$defs/device")
