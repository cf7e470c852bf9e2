"""The sweeps' job specs: one grid point each, typed.

A sweep job runs one grid point of one generator; its spec is the point's
(:meth:`advgen.sweeps.grid.GridPoint.spec`): what names the point (:class:`PointSpec`) and the
sweep block's hyperparameters at that point, one frozen dataclass per sweep. The config's
schema (``sweeps.schema.yaml``) fills every default before the grid is expanded, so no field
has a default here; a setting that does not apply to a point (the inversion settings of an
encoder-latent interpolation, the size of another mask kind) is ``None``. The commands build
the dataclass at their boundary (:func:`advgen.jobs.load_spec`); a point of another sweep, or
an unknown or missing field, is a one-line error.

No torch here: the grid (imported by the Snakefile) may use these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from advgen.errors import ConfigError
from advgen.specs import job_schema


@dataclass(frozen=True)
class PointSpec:
    """What names a grid point and its job; the columns every table of the point starts with
    (:data:`advgen.sweeps.tables.ID_COLUMNS`) and the job's ``device``."""

    #: the sweep whose points the class describes
    SWEEP: ClassVar[str] = ""

    sweep: str
    point: str  # the point's label: its values on the grid axes (advgen.sweeps.grid.point_label)
    generator: str
    generator_kind: str  # "gan" or "autoencoder" (advgen.generators)
    dataset: str
    classifier: str
    seed: int
    device: str

    def __post_init__(self) -> None:
        if self.sweep != self.SWEEP:
            raise ConfigError(f"--spec: sweep: {self.sweep!r} is not this job's sweep ({self.SWEEP!r})")


@dataclass(frozen=True)
class MaskSpec:
    """An inpainting point's images and masks (:func:`advgen.sweeps.masks.mask_set`): drawn from
    these fields alone, so every generator of a dataset is scored on the same hidden pixels.
    A size that belongs to another mask kind is ``None``."""

    mask: str
    num_images: int
    seed: int
    pepper_fraction: float | None
    square_size: int | None
    center_size: int | None


@dataclass(frozen=True)
class InversionPoint(PointSpec):
    """A point of the inversion sweep: ``num_images`` held-out images inverted from
    ``restarts`` starts (report, "Generative Adversarial Networks - Q2"; Creswell & Bharath
    2018), restart 0 at ``E(x)`` with ``init: encoder``."""

    SWEEP: ClassVar[str] = "inversion"

    num_images: int
    steps: int
    optimizer: str
    lr: float
    restarts: int
    prior_weight: float
    clip: float | None
    init: str


@dataclass(frozen=True)
class InpaintingPoint(InversionPoint):
    """A point of the inpainting sweep: ``num_images`` held-out images under one mask kind,
    restored by inversion with the inversion point's settings (report, "Generative Adversarial
    Networks - Q3"; Yeh et al. 2017)."""

    SWEEP: ClassVar[str] = "inpainting"

    mask: str
    method: str  # advgen.sweeps.masked_inversion.METHODS
    pepper_fraction: float | None
    square_size: int | None
    center_size: int | None

    @property
    def masks(self) -> MaskSpec:
        """The point's mask set: its mask kind, size, images and seed (not the generator)."""
        return MaskSpec(
            self.mask, self.num_images, self.seed, self.pepper_fraction, self.square_size, self.center_size
        )


@dataclass(frozen=True)
class InterpolationPoint(PointSpec):
    """A point of the interpolation sweep: straight latent paths between ``num_pairs`` pairs of
    held-out images, ``num_alphas`` frames each (report, "Non-Adversarial Networks - Q1").
    The inversion settings are ``None`` with encoder latents."""

    SWEEP: ClassVar[str] = "interpolation"

    num_pairs: int
    num_alphas: int
    distinct_labels: bool
    latent: str  # "encoder" or "inversion" (the grid resolves "auto" per generator kind)
    steps: int | None
    optimizer: str | None
    lr: float | None
    restarts: int | None
    prior_weight: float | None
    clip: float | None


@dataclass(frozen=True)
class TruncationPoint(PointSpec):
    """A point of the truncation sweep: ``num_samples`` samples with ``|z_j| <= psi``
    (BigGAN's truncation trick, Brock et al. 2019); ``psi`` ``None``: no truncation."""

    SWEEP: ClassVar[str] = "truncation"

    psi: float | None
    num_samples: int


@dataclass(frozen=True)
class SweepTableSpec:
    """The ``aggregate_sweep`` job: the sweep whose per-point tables it checks and concatenates."""

    sweep: str = field(
        metadata=job_schema(
            ref="#/$defs/name",
            description="the sweep whose per-point tables are concatenated (a name of advgen.sweeps.registry)",
        )
    )
