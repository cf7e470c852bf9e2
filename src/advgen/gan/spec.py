"""A GAN job's spec: :class:`GanSpec` (one ``gans.<name>`` entry, seed filled) and its
``recipe`` (:class:`RecipeSpec`); :func:`complete_spec` checks a spec against one ``$defs``
entry of a stage schema and fills its defaults.

Snakemake jobs receive specs already validated (with defaults) by the Snakefile; commands
run by hand or from tests get the same checks and defaults through :func:`complete_spec`.
The defaults are the schema's (``generative.schema.yaml#/$defs/gan``): the dataclasses state none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from advgen.specs import job_schema
from advgen.training.speed_spec import SpeedSpec


@dataclass(frozen=True)
class RecipeSpec:
    """The limited-data recipe of a GAN (:mod:`advgen.gan.recipe`): DiffAugment (Zhao et al.
    2020), spectral normalisation of D (Miyato et al. 2018) and the R1 penalty (Mescheder et al. 2018)."""

    diffaugment: tuple[str, ...]
    translation_ratio: float
    cutout_ratio: float
    fill: str
    spectral_norm: bool
    r1_gamma: float


@dataclass(frozen=True)
class GanSpec:
    """One GAN run (:class:`advgen.gan.train.GanRun`): architectures, loss, optimisers (Adam,
    DCGAN betas, Radford et al. 2015), unrolling (Metz et al. 2016), the generator average
    (Yazici et al. 2019), the speed levers (:mod:`advgen.training.speed`), status thresholds and
    the seed."""

    dataset: str = field(metadata=job_schema(config_key="generative.gan.dataset"))
    generator: str = field(metadata=job_schema(config_key="generative.gan.generator"))
    generator_kwargs: dict[str, Any] = field(
        metadata=job_schema(config_key="generative.gan.generator_kwargs")
    )
    discriminator: str = field(metadata=job_schema(config_key="generative.gan.discriminator"))
    discriminator_kwargs: dict[str, Any] = field(
        metadata=job_schema(config_key="generative.gan.discriminator_kwargs")
    )
    z_dim: int = field(metadata=job_schema(config_key="generative.gan.z_dim"))
    loss: str = field(metadata=job_schema(config_key="generative.gan.loss"))
    real_label: float = field(metadata=job_schema(config_key="generative.gan.real_label"))
    lr_g: float = field(metadata=job_schema(config_key="generative.gan.lr_g"))
    lr_d: float = field(metadata=job_schema(config_key="generative.gan.lr_d"))
    betas: tuple[float, ...] = field(metadata=job_schema(config_key="generative.gan.betas"))
    batch_size: int = field(metadata=job_schema(config_key="generative.gan.batch_size"))
    epochs: int = field(metadata=job_schema(config_key="generative.gan.epochs"))
    d_steps: int = field(metadata=job_schema(config_key="generative.gan.d_steps"))
    g_steps: int = field(metadata=job_schema(config_key="generative.gan.g_steps"))
    unroll_k: int = field(metadata=job_schema(config_key="generative.gan.unroll_k"))
    unroll_order: str = field(metadata=job_schema(config_key="generative.gan.unroll_order"))
    recipe: RecipeSpec
    speed: SpeedSpec
    g_ema: float = field(metadata=job_schema(config_key="generative.gan.g_ema"))
    vanishing_threshold: float = field(metadata=job_schema(config_key="generative.gan.vanishing_threshold"))
    vanishing_patience: int = field(metadata=job_schema(config_key="generative.gan.vanishing_patience"))
    collapse_diversity: float = field(metadata=job_schema(config_key="generative.gan.collapse_diversity"))
    grid_size: int = field(metadata=job_schema(config_key="generative.gan.grid_size"))
    seed: int = field(metadata=job_schema(ref="#/$defs/seed"))


@dataclass(frozen=True)
class GanJobSpec:
    """The ``train_gan`` job's spec: the run (``gan``: what its checkpoint records and its resume
    state is keyed on) and the device it asks for."""

    gan: GanSpec = field(metadata=job_schema(description="the run's gans entry, seed filled"))
    device: str = field(metadata=job_schema(ref="#/$defs/device"))


def complete_spec(
    spec: dict[str, Any], definition: str, *, schema: str = "generative.schema.yaml", what: str = "--spec"
) -> dict[str, Any]:
    """A copy of ``spec`` validated against ``<schema>#/$defs/<definition>``, defaults filled
    (:func:`advgen.config.complete_entry`, the generative schema by default)."""
    from advgen.config import complete_entry

    completed: dict[str, Any] = complete_entry(spec, schema, definition, what)
    return completed
