"""A figure's options, typed: :class:`PlotSpec` (one figure's), :class:`FiguresSpec` (the spec of
a figure family's job: one :class:`PlotSpec` per figure) and :class:`PlotSettings` (the config's
``plots`` section, from which each figure's spec takes the settings its family draws).

The figure families' job kinds (:mod:`advgen.pipeline.jobkinds_figures`) build a figure's spec
from the validated config: the keys its family's renderer draws, no other (so an edit of one
family's option reruns that family's figures only). The job (``advgen plot-<family>``) checks
the JSON against ``jobs.schema.yaml#/$defs/FiguresSpec``; each figure's renderer refuses a key
the family does not draw and fills the drawn settings it leaves out with their schema defaults
(:func:`with_defaults`); a renderer (:mod:`advgen.plots.families`) reads attributes. The defaults are the
schema's: the dataclasses state none, and a key a family does not draw is ``None``. No torch
or matplotlib here: the figure table imports it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from advgen.specs import job_schema, ref_array, ref_map, spec_dict, typed_spec


@dataclass(frozen=True)
class PlotSettings:
    """The ``plots`` section: resolution, vector copies, smoothing of loss curves, the sample
    grids' panels and scale, the latent CDF's panels, the overview's roles, the sweep figures'
    images and pairs."""

    dpi: int
    vector_formats: tuple[str, ...]
    smoothing: int
    sample_panels: int
    sample_scale: int
    cdf_panels: int
    overview_roles: tuple[str, ...]
    inversion_images: int
    interpolation_pairs: int

    @classmethod
    def of(cls, section: Mapping[str, Any] | None, source: str = "config") -> PlotSettings:
        """The validated ``plots`` section typed (absent: the schema's defaults)."""
        from advgen.config import typed_section

        return typed_section(cls, "plots", section, source)


@dataclass(frozen=True)
class GanInfo:
    """A GAN run's loss and unrolling, as legends name it."""

    loss: str = field(metadata=job_schema(config_key="generative.gan.loss"))
    unroll_k: int = field(metadata=job_schema(config_key="generative.gan.unroll_k"))


@dataclass(frozen=True)
class Panel:
    """A panel of the generators' overview: the role, its run and the run's section."""

    role: str = field(metadata=job_schema(ref="config.schema.yaml#/properties/roles/propertyNames"))
    run: str = field(metadata=job_schema(ref="#/$defs/name"))
    kind: str = field(metadata=job_schema(schema={"enum": ["gans", "autoencoders"]}))


@dataclass(frozen=True)
class ExampleAttack:
    """An attack of the adversarial-examples figure: a ``robustness.attacks`` entry at one eps."""

    #: beside its fields, its definition checks the attack's params (jobs.schema.yaml)
    JOB_SCHEMA: ClassVar[Mapping[str, Any]] = {"$ref": "robustness.schema.yaml#/$defs/attack_params"}

    attack: str = field(metadata=job_schema(config_key="robustness.attack.attack"))
    params: dict[str, Any] = field(metadata=job_schema(config_key="robustness.attack.params"))
    seed: int = field(metadata=job_schema(config_key="robustness.attack.seed"))
    eps: float = field(metadata=job_schema(config_key="robustness.examples.eps"))


@dataclass(frozen=True)
class PlotSpec:
    """One figure's options: the ``plots`` section's settings (:class:`PlotSettings`) and the
    GAN status thresholds that its family draws, and what a family names: ``experiment`` (the
    title), ``labels`` (one per input file), ``info`` (GAN runs' loss and unrolling), the
    overview's ``panels`` and ``real``, a sweep figure's ``point``, a robustness sweep's
    ``sweep``, the adversarial examples' ``attacks``, ``num_images`` and ``seed``. A figure's
    spec holds the keys its family's renderer draws (:class:`advgen.plots.families.Render`),
    no other: every other field is ``None``."""

    #: its fields' config keys: <this>.<field name> (advgen.specs.job_schema)
    CONFIG_KEYS: ClassVar[str] = "plots.plots"

    dpi: int | None = None
    smoothing: int | None = None
    sample_panels: int | None = None
    sample_scale: int | None = None
    cdf_panels: int | None = None
    inversion_images: int | None = None
    interpolation_pairs: int | None = None
    vanishing_threshold: float | None = field(
        default=None, metadata=job_schema(config_key="generative.gan.vanishing_threshold")
    )
    vanishing_patience: int | None = field(
        default=None, metadata=job_schema(config_key="generative.gan.vanishing_patience")
    )
    experiment: str | None = field(default=None, metadata=job_schema(ref="#/$defs/text"))
    labels: tuple[str, ...] | None = field(
        default=None,
        metadata=job_schema(
            ref="#/$defs/names", description="one name per input file (families comparing runs)"
        ),
    )
    info: dict[str, GanInfo] | None = field(
        default=None,
        metadata=job_schema(
            schema=ref_map("#/$defs/GanInfo"),
            description="GAN run -> its loss and unroll_k (the loss-comparison and mode-coverage legends)",
        ),
    )
    panels: tuple[Panel, ...] | None = field(
        default=None,
        metadata=job_schema(
            schema=ref_array("#/$defs/Panel"), description="the overview's panels, one per generator role"
        ),
    )
    real: bool | None = field(default=None, metadata=job_schema(schema={"type": "boolean"}))
    point: str | None = field(default=None, metadata=job_schema(ref="#/$defs/label"))
    sweep: str | None = field(default=None, metadata=job_schema(ref="#/$defs/nullable_name"))
    attacks: dict[str, ExampleAttack] | None = field(
        default=None,
        metadata=job_schema(
            schema=ref_map("#/$defs/ExampleAttack"),
            description="the adversarial-examples figure's attacks, each at its eps",
        ),
    )
    num_images: int | None = field(
        default=None, metadata=job_schema(config_key="robustness.examples.num_images")
    )
    seed: int | None = field(default=None, metadata=job_schema(ref="#/$defs/seed"))

    def title(self, default: str = "") -> str:
        """``experiment``, else ``default``."""
        return default if self.experiment is None else self.experiment


@dataclass(frozen=True)
class FiguresSpec:
    """The spec of a figure family's job (:mod:`advgen.pipeline.jobkinds_figures`): each
    figure's options, in the order of the job's ``figures`` outputs (each a :class:`PlotSpec`
    holding the keys its family draws)."""

    figures: tuple[PlotSpec, ...] = field(
        metadata=job_schema(
            schema=ref_array("#/$defs/PlotSpec"),
            description="each figure's options, in the order of the job's figures outputs",
        )
    )


@functools.cache
def option_defaults() -> dict[str, Any]:
    """Every figure option's default, read from the packaged schemas where it is stated: the
    ``plots`` section's keys (``dpi``, ``smoothing``, ...) and the GAN keys that the
    gradient-norm figure draws (``vanishing_threshold``, ``vanishing_patience``)."""
    from advgen.config import load_yaml, schema_path

    def defaults(schema: str, definition: str, keys: Sequence[str] | None = None) -> dict[str, Any]:
        props = load_yaml(schema_path(schema))["$defs"][definition]["properties"]
        return {k: v["default"] for k, v in props.items() if "default" in v and (keys is None or k in keys)}

    return {
        **defaults("plots.schema.yaml", "plots"),
        **defaults("generative.schema.yaml", "gan", ("vanishing_threshold", "vanishing_patience")),
    }


def with_defaults(spec: PlotSpec, keys: Sequence[str]) -> PlotSpec:
    """``spec`` with the settings of ``keys`` (the keys its family draws) that it leaves out
    taking their schema defaults (:func:`option_defaults`)."""
    missing = {k: v for k, v in option_defaults().items() if k in keys and getattr(spec, k) is None}
    filled: PlotSpec = typed_spec(PlotSpec, {**missing, **spec_dict(spec)})
    return filled
