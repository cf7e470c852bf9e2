"""The figure families' job specs: what each family draws, typed (``jobs.schema.yaml``'s
definitions are written from these dataclasses).

A family's spec holds the settings of the ``plots`` section that its figures draw (fields of the
same names: ``CONFIG_KEYS``) and what its figures name. A family whose one job draws several
figures (one per GAN run, per sweep point, ...) lists them in ``figures``, one row per figure in
the order of the job's ``figures`` outputs (:func:`advgen.pipeline.figure_kinds.figures`); a
family of one figure per job holds its title beside its settings. A spec holds nothing its
family does not draw, so an edit of a setting reruns only the families that draw it
(``docs/reruns.md``). No torch, pandas or matplotlib here: the job-kind table imports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from advgen.specs import job_schema, ref_array

#: the config definition of the settings fields (``plots.<key>``)
PLOTS = "plots.plots"


#: a figure's title (the run, data set or sweep point it shows): its field's metadata
TITLE = job_schema(ref="#/$defs/text")


@dataclass(frozen=True)
class Titled:
    """A figure of a family whose figures differ by what they show (a run, a data set)."""

    experiment: str = field(metadata=TITLE)


@dataclass(frozen=True)
class GradNormRun:
    """A GAN run's gradient-norm figure: its title and when the run's gradients vanish."""

    experiment: str = field(metadata=TITLE)
    vanishing_threshold: float = field(metadata=job_schema(config_key="generative.gan.vanishing_threshold"))
    vanishing_patience: int = field(metadata=job_schema(config_key="generative.gan.vanishing_patience"))


@dataclass(frozen=True)
class GanInfo:
    """A GAN run's loss and unrolling, as legends name it."""

    loss: str = field(metadata=job_schema(config_key="generative.gan.loss"))
    unroll_k: int = field(metadata=job_schema(config_key="generative.gan.unroll_k"))


@dataclass(frozen=True)
class Comparison:
    """The loss comparison of one data set's GANs: one run name per input file, in their order."""

    experiment: str = field(metadata=TITLE)
    labels: tuple[str, ...] = field(metadata=job_schema(ref="#/$defs/names"))
    info: dict[str, GanInfo] = field(metadata=job_schema(description="GAN run -> its loss and unroll_k"))


@dataclass(frozen=True)
class PointPlot:
    """A figure of one sweep point: the rows of its table whose ``point`` is its label."""

    experiment: str = field(metadata=TITLE)
    point: str = field(metadata=job_schema(ref="#/$defs/label"))


@dataclass(frozen=True)
class SweepPlot:
    """A robustness sweep's figure: its kind (capacity, data size; null: a named data-size sweep's)."""

    experiment: str = field(metadata=TITLE)
    sweep: str | None = field(metadata=job_schema(ref="#/$defs/nullable_name"))


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


# --- the jobs' specs
@dataclass(frozen=True)
class Plotted:
    """The base of a figure family's job spec: a field named as a key of the ``plots`` section is
    that setting (``CONFIG_KEYS``)."""

    CONFIG_KEYS: ClassVar[str] = PLOTS


# a family of several figures per job
@dataclass(frozen=True)
class LossCurvesSpec(Plotted):
    """Each run's losses per iteration, smoothed (``gan_losses``, ``ae_losses``)."""

    figures: tuple[Titled, ...]
    smoothing: int
    dpi: int


@dataclass(frozen=True)
class GradNormsSpec(Plotted):
    """Each GAN run's gradient norms, the vanishing spans marked (``gan_grad_norms``)."""

    figures: tuple[GradNormRun, ...]
    smoothing: int
    dpi: int


@dataclass(frozen=True)
class LossComparisonSpec(Plotted):
    """Each data set's GAN runs' losses in one figure (``gan_loss_comparison``)."""

    figures: tuple[Comparison, ...]
    smoothing: int
    dpi: int


@dataclass(frozen=True)
class EpochGridsSpec(Plotted):
    """Each GAN run's sample grids at evenly spaced epochs (``gan_samples``)."""

    figures: tuple[Titled, ...]
    sample_panels: int
    sample_scale: int
    dpi: int


@dataclass(frozen=True)
class ImageGridsSpec(Plotted):
    """Each run's image grid (``ae_samples``, ``ae_reconstructions``, ``truncation_grid``)."""

    figures: tuple[Titled, ...]
    sample_scale: int
    dpi: int


@dataclass(frozen=True)
class LatentCdfSpec(Plotted):
    """Each autoencoder's latent CDFs against the normal's (``ae_latent_cdf``)."""

    figures: tuple[Titled, ...]
    cdf_panels: int
    dpi: int


@dataclass(frozen=True)
class RestartCurvesSpec(Plotted):
    """Each inversion point's loss per restart (``inversion_restarts``)."""

    figures: tuple[PointPlot, ...]
    inversion_images: int
    dpi: int


@dataclass(frozen=True)
class LabelPathsSpec(Plotted):
    """Each interpolation point's classifier labels along its paths (``interpolation_labels``)."""

    figures: tuple[PointPlot, ...]
    interpolation_pairs: int
    dpi: int


@dataclass(frozen=True)
class SweepCurvesSpec(Plotted):
    """Each robustness sweep's accuracy against its variable (``robustness_sweep``)."""

    figures: tuple[SweepPlot, ...]
    dpi: int


# one figure per job
@dataclass(frozen=True)
class OneTableSpec(Plotted):
    """A figure of one table (the robustness curves, a sweep's summary, a defense figure)."""

    experiment: str = field(metadata=TITLE)
    dpi: int


@dataclass(frozen=True)
class ModeCoverageSpec(Plotted):
    """The scored GANs' mode coverage against unrolling (``gan_mode_coverage``)."""

    experiment: str = field(metadata=TITLE)
    info: dict[str, GanInfo] = field(metadata=job_schema(description="GAN run -> its loss and unroll_k"))
    dpi: int


@dataclass(frozen=True)
class OverviewSpec(Plotted):
    """The generators' overview: a panel per role (the real digits beside them when scored: an input)."""

    panels: tuple[Panel, ...] = field(
        metadata=job_schema(schema=ref_array("#/$defs/Panel"), description="one panel per generator role")
    )
    sample_scale: int
    dpi: int


@dataclass(frozen=True)
class ExamplesSpec(Plotted):
    """One classifier's adversarial examples: each attack at its eps on ``num_images`` test
    images drawn with ``seed`` (the review's Figs. 2-3)."""

    experiment: str = field(metadata=TITLE)
    attacks: dict[str, ExampleAttack] = field(metadata=job_schema(description="each attack at its eps"))
    num_images: int = field(metadata=job_schema(config_key="robustness.examples.num_images"))
    seed: int = field(metadata=job_schema(ref="#/$defs/seed"))
    dpi: int
