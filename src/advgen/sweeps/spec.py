"""The sweeps' job specs: one grid point each, typed.

A sweep job runs one grid point of one generator; its spec is the point's
(:meth:`advgen.sweeps.grid.GridPoint.spec`): what names the point (:class:`PointSpec`) and the
sweep block's hyperparameters at that point, one frozen dataclass per sweep (its sweep's entry of
:data:`advgen.sweeps.registry.SWEEPS` names it), with the metric columns its tables add
(``METRICS``: the columns the point's job writes and its sweep's aggregate checks). The config's
schema (``sweeps.schema.yaml``) fills every default before the grid is expanded, so no field
has a default here; a setting that does not apply to a point (the inversion settings of an
encoder-latent interpolation, the size of another mask kind) is ``None``. The commands build
the dataclass at their boundary (:func:`advgen.jobs.load_spec`); a point of another sweep, or
an unknown or missing field, is a one-line error.

No torch here: the grid (imported by the Snakefile) may use these types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from advgen.errors import ConfigError
from advgen.specs import NAME, job_schema


def _axis(*, nullable: bool = False) -> dict[str, Any]:
    """A grid axis's field: one value of the axis's list of positive ints (the config key of
    the field's name)."""
    return job_schema(
        ref="sweeps.schema.yaml#/$defs/positive_int",
        description="the point's value of {key}",
        nullable=nullable,
    )


def _choice(name: str, *, nullable: bool = False) -> dict[str, Any]:
    """A field that is one of the sweeps' ``<name>_choice`` values."""
    return job_schema(ref=f"sweeps.schema.yaml#/$defs/{name}_choice", nullable=nullable)


@dataclass(frozen=True)
class PointSpec:
    """What names a grid point and its job; the columns every table of the point starts with
    (:data:`advgen.sweeps.tables.ID_COLUMNS`) and the job's ``device``."""

    #: the sweep whose points the class describes
    SWEEP: ClassVar[str] = ""
    #: the sweep block whose keys the point's other fields are (``sweeps.<sweep>``)
    CONFIG_KEYS: ClassVar[str] = ""
    #: the metric columns of the point's tables and their dtypes (after the identity columns and
    #: the point's settings: :func:`advgen.sweeps.tables.point_frame`)
    METRICS: ClassVar[Mapping[str, str]] = {}

    #: the point's sweep (its class's ``SWEEP``: a name of :data:`advgen.sweeps.registry.SWEEPS`)
    sweep: str = field(metadata=job_schema(ref="#/$defs/sweep"))
    #: the point's label: its values on the grid axes (advgen.sweeps.grid.point_label)
    point: str = field(metadata=job_schema(ref="#/$defs/label"))
    generator: str = field(metadata=job_schema(ref=NAME))
    generator_kind: str = field(metadata=job_schema(ref="#/$defs/generator_kind"))  # advgen.generators
    dataset: str = field(metadata=job_schema(ref=NAME))
    classifier: str = field(metadata=job_schema(ref=NAME))
    seed: int = field(metadata=job_schema(ref="#/$defs/seed"))
    device: str = field(metadata=job_schema(ref="#/$defs/device"))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.CONFIG_KEYS = f"sweeps.{cls.SWEEP}"

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

    num_images: int = field(metadata=_axis())
    steps: int
    optimizer: str = field(metadata=_choice("optimizer"))
    lr: float
    restarts: int = field(metadata=_axis())
    prior_weight: float
    clip: float | None
    init: str = field(metadata=_choice("init"))

    METRICS: ClassVar[Mapping[str, str]] = {
        "image": "int64",  # index in the test split
        "label": "int64",
        "mse": "float64",  # best restart, final
        "psnr": "float64",
        "best_restart": "int64",
        "first_restart_mse": "float64",  # restart 0 alone (what one start finds)
        "mean_restart_mse": "float64",
        "independent_start_mse": "float64",  # one more start from another seed (R > 1, random init)
        "pred_target": "int64",  # classifier label of x
        "pred_recon": "int64",  # classifier label of G(z)
        "label_kept": "bool",
        "other_image": "int64",  # a test digit of another class, drawn per target (seeded): the controls'
        "pred_other": "int64",  # its classifier label
        "initial_mse": "float64",  # the best restart's MSE at its starting latent (before any step)
        "ink_target": "float64",  # the digit's area: share of pixels > 0.5 (advgen.sweeps.image_stats)
        "ink_recon": "float64",  # the same of G(z)
        "ink_other": "float64",  # the same of the digit of another class (other_image)
        "ink_other2": "float64",  # the same of a second digit of another class, drawn independently
    }


@dataclass(frozen=True)
class InpaintingPoint(InversionPoint):
    """A point of the inpainting sweep: ``num_images`` held-out images under one mask kind,
    restored by inversion with the inversion point's settings (report, "Generative Adversarial
    Networks - Q3"; Yeh et al. 2017)."""

    SWEEP: ClassVar[str] = "inpainting"

    mask: str = field(metadata=_choice("mask"))
    method: str = field(metadata=_choice("inpainting_method"))  # advgen.sweeps.masked_inversion.METHODS
    pepper_fraction: float | None = field(
        metadata=job_schema(
            config_key="sweeps.inpainting.pepper_fraction",
            nullable=True,
            description="null for the other mask kinds",
        )
    )
    square_size: int | None
    center_size: int | None

    METRICS: ClassVar[Mapping[str, str]] = {
        "image": "int64",
        "label": "int64",
        "mask": "string",
        "hidden_fraction": "float64",
        "hidden_ink": "float64",  # share of the digit's ink pixels (> 0.5) the mask hides
        "mask_row": "float64",  # centroid of the hidden pixels (pixels from the top / left): where the
        "mask_col": "float64",  # square lies (the report: restoration "depends on the precise location")
        "mse_hidden": "float64",
        "psnr_hidden": "float64",
        "mse_known": "float64",
        "best_restart": "int64",
        "pred_completed": "int64",
        "pred_masked": "int64",
        "correct_completed": "bool",
        "correct_masked": "bool",
    }

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
    #: inversion latents run the inversion: its settings are set (null only with encoder latents)
    JOB_SCHEMA: ClassVar[dict[str, Any]] = {
        "if": {"properties": {"latent": {"const": "inversion"}}},
        "then": {
            "properties": {
                key: {
                    "not": {"type": "null"},
                    "description": "latent inversion runs the inversion, which needs it",
                }
                for key in ("steps", "optimizer", "lr", "restarts", "prior_weight")
            }
        },
    }

    num_pairs: int = field(metadata=_axis())
    num_alphas: int
    distinct_labels: bool = field(metadata=job_schema(schema={"type": "boolean"}))
    #: "encoder" or "inversion" (the grid resolves "auto" per generator kind)
    latent: str = field(metadata=job_schema(schema={"enum": ["encoder", "inversion"]}))
    # the inversion settings are null with encoder latents
    steps: int | None = field(metadata=job_schema(config_key="sweeps.interpolation.steps", nullable=True))
    optimizer: str | None = field(metadata=_choice("optimizer", nullable=True))
    lr: float | None = field(metadata=job_schema(config_key="sweeps.interpolation.lr", nullable=True))
    restarts: int | None = field(metadata=_axis(nullable=True))
    prior_weight: float | None = field(
        metadata=job_schema(config_key="sweeps.interpolation.prior_weight", nullable=True)
    )
    clip: float | None

    METRICS: ClassVar[Mapping[str, str]] = {
        "pair": "int64",
        "start_image": "int64",
        "end_image": "int64",
        "start_label": "int64",
        "end_label": "int64",
        "latent": "string",
        "pred_start": "int64",
        "pred_end": "int64",
        "labels_path": "string",  # classifier labels along the path, e.g. "1-1-4-4-7"
        "mean_step_l2": "float64",
        "path_length_ratio": "float64",
        "max_step_ratio": "float64",
        "label_changes": "int64",
        "third_class": "bool",  # an interior label that is no end frame's nor end image's
        "min_endpoint_prob": "float64",  # lowest max(p(start label), p(end label)) along the path
        "third_class_blend": "bool",  # the same on the pixel cross-fade of the two end frames (control)
        "endpoint_mse": "float64",  # end frames against the real images they encode / invert
        "endpoint_mse_other": "float64",  # the same against another pair's real images (control)
        "end_approach": "float64",  # -Spearman(alpha, distance to G(z_end)): 1 = steadily closer
        "end_approach_other": "float64",  # the same towards another pair's end frame (control)
        "pair_l2": "float64",  # pixel L2 distance between the two real images (how different their shapes are)
        "similar_pair": "bool",  # labels 6/8 or 1/7, the report's "similar digits" (SIMILAR_LABELS)
    }


@dataclass(frozen=True)
class TruncationPoint(PointSpec):
    """A point of the truncation sweep: ``num_samples`` samples with ``|z_j| <= psi``
    (BigGAN's truncation trick, Brock et al. 2019); ``psi`` ``None``: no truncation."""

    SWEEP: ClassVar[str] = "truncation"

    psi: float | None
    num_samples: int = field(metadata=_axis())

    METRICS: ClassVar[Mapping[str, str]] = {
        "psi_value": "float64",  # psi, inf for no truncation
        "num_samples": "int64",
        "fid": "float64",  # classifier features, against the training split
        "inception_score": "float64",
        "inception_score_std": "float64",
        "modes": "int64",  # classes with >= 1/(2C) of the samples
        "kl_uniform": "float64",
        "mean_max_prob": "float64",
        "min_class_fraction": "float64",
        "sharpness": "float64",  # mean variance of the Laplacian of the samples (advgen.sweeps.image_stats)
        "speckle": "float64",  # mean share of impulse (salt-and-pepper) pixels of the samples
        "real_sharpness": "float64",  # the same of the reference (training) images
        "real_speckle": "float64",
    }


@dataclass(frozen=True)
class SweepTableSpec:
    """The ``aggregate_sweep`` job: the sweep whose per-point tables it checks and concatenates."""

    sweep: str = field(
        metadata=job_schema(
            ref="#/$defs/sweep", description="the sweep whose per-point tables are concatenated"
        )
    )
