"""A GAN job's spec: :class:`GanSpec` (one ``gans.<name>`` entry, seed filled) and its
``recipe`` (:class:`RecipeSpec`); :func:`complete_spec` checks a spec against one ``$defs``
entry of a stage schema and fills its defaults.

Snakemake jobs receive specs already validated (with defaults) by the Snakefile; commands
run by hand or from tests get the same checks and defaults through :func:`complete_spec`.
The defaults are the schema's (``generative.schema.yaml#/$defs/gan``): the dataclasses state none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from advgen.specs import STACKED_SEEDS, ConfigEntry, job_schema
from advgen.training.speed_spec import SpeedSpec


@dataclass(frozen=True)
class RecipeSpec:
    """The limited-data recipe of a GAN (:mod:`advgen.gan.recipe`): DiffAugment (Zhao et al.
    2020), spectral normalisation of D (Miyato et al. 2018) and the R1 penalty (Mescheder et al. 2018)."""

    CONFIG_ENTRY: ClassVar[ConfigEntry] = ConfigEntry("generative.recipe")

    diffaugment: tuple[str, ...]
    translation_ratio: float
    cutout_ratio: float
    fill: str
    spectral_norm: bool
    r1_gamma: float

    @property
    def active(self) -> bool:
        """Whether anything differs from plain training (:class:`advgen.gan.recipe.Recipe`)."""
        return bool(self.diffaugment) or self.spectral_norm or self.r1_gamma > 0

    @property
    def stacks(self) -> bool:
        """Whether seeds trained with it stack (:mod:`advgen.gan.replicates`): spectral norm does
        (a parametrisation of D's weights); DiffAugment and R1 change D's inputs and loss, which
        the stacked steps do not."""
        return not self.diffaugment and self.r1_gamma == 0


@dataclass(frozen=True)
class GanSpec:
    """One GAN run (:class:`advgen.gan.train.GanRun`): architectures, loss, optimisers (Adam,
    DCGAN betas, Radford et al. 2015), unrolling (Metz et al. 2016), the generator average
    (Yazici et al. 2019), the speed levers (:mod:`advgen.training.speed`), status thresholds and
    the seed."""

    #: the fields are a ``gans`` entry's keys (generative.schema.yaml), seed filled
    CONFIG_KEYS: ClassVar[str] = "generative.gan"

    dataset: str
    generator: str
    generator_kwargs: dict[str, Any]
    discriminator: str
    discriminator_kwargs: dict[str, Any]
    z_dim: int
    loss: str
    real_label: float
    lr_g: float
    lr_d: float
    betas: tuple[float, ...]
    batch_size: int
    epochs: int
    d_steps: int
    g_steps: int
    unroll_k: int
    unroll_order: str
    recipe: RecipeSpec
    speed: SpeedSpec
    g_ema: float
    vanishing_threshold: float
    vanishing_patience: int
    collapse_diversity: float
    grid_size: int
    seed: int = field(metadata=job_schema(ref="#/$defs/seed"))


@dataclass(frozen=True)
class GanJobSpec:
    """The ``train_gan`` job's spec: the run (``gan``: what its checkpoint records and its resume
    state is keyed on) and the device it asks for."""

    gan: GanSpec = field(metadata=job_schema(description="the run's gans entry, seed filled"))
    device: str = field(metadata=job_schema(ref="#/$defs/device"))


@dataclass(frozen=True)
class GanSeedsJobSpec:
    """The ``train_gan_seeds`` job's spec (:mod:`advgen.pipeline.stacking`): the entry's first
    run (``gan``), the seeds and names of all its runs in order, and the device it asks for."""

    gan: GanSpec = field(metadata=job_schema(description="the entry's first run, seed filled"))
    seeds: tuple[int, ...] = field(metadata=job_schema(schema=STACKED_SEEDS))
    runs: tuple[str, ...] = field(metadata=job_schema(ref="#/$defs/names"))
    device: str = field(metadata=job_schema(ref="#/$defs/device"))


def complete_spec(
    spec: dict[str, Any], definition: str, *, schema: str = "generative.schema.yaml", what: str = "--spec"
) -> dict[str, Any]:
    """A copy of ``spec`` validated against ``<schema>#/$defs/<definition>``, defaults filled
    (:func:`advgen.config.complete_entry`, the generative schema by default)."""
    from advgen.config import complete_entry

    completed: dict[str, Any] = complete_entry(spec, schema, definition, what)
    return completed
