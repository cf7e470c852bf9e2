"""The generative sweeps: one entry per sweep, from which the workflow makes everything of it.

A sweep is a block of the config's ``sweeps`` section (its keys are the schema's ``sweeps``
properties; ``tests/unit/test_registries.py`` keeps the two equal) and one entry here, which
declares:

- ``spec``: its grid point's typed spec (:mod:`advgen.sweeps.spec`): the block's keys at one
  point, and the metric columns the point's tables add (``METRICS``);
- ``rule`` and ``run``: the job of one grid point of one generator (the rule and the ``advgen``
  command) and its job function, ``run(inputs, outputs, spec)``, which reads ``generator``,
  ``classifier`` and ``images`` (the prepared ``split``);
- ``outputs``: the point job's files (path templates with ``{generator}`` and ``{point}``),
  among them ``table``'s, the table the sweep's aggregate concatenates, and ``figure``, where
  there is one: the image the job draws while its tensors are in memory (caption
  ``workflow/report/sweeps_<sweep>.rst``);
- ``summary``: the aggregate's one-screen summary (:class:`Summary`);
- ``plot``: the aggregate's figure (:class:`SummaryPlot`), if it has one.

From the entry, :mod:`advgen.pipeline.jobkinds_sweeps` makes the point's job kind, the sweep's
``aggregate_sweep`` job and its figure family, ``python -m advgen.registries --write`` the
spec's definition in ``jobs.schema.yaml`` and :mod:`advgen.sweeps.summary` the aggregate and its
summary; the plan checks the entry of every sweep a config runs (one ``config error:`` line at
the dry run: :func:`advgen.sweeps.summary.problems`). Code that depends on what a sweep does
reads its flags, never its name (``tests/unit/test_registries.py`` scans for such comparisons).
No torch here: the Snakefile reaches it through the plans.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from advgen import paths
from advgen.jobfiles import Files
from advgen.named import by_name
from advgen.smoke_sizes import IMAGES, RESTARTS, SAMPLES, STEPS
from advgen.sweeps import point_jobs
from advgen.sweeps.spec import InpaintingPoint, InterpolationPoint, InversionPoint, PointSpec, TruncationPoint

P = TypeVar("P", bound=PointSpec)


@dataclass(frozen=True)
class Summary:
    """How a sweep's aggregate is summarised in its job's log: grouped by the sweep's main axes
    (``keys``, the last one innermost; every other setting that varies in the table joins them
    before it), each metric of ``stats`` by its statistic (``median``, ``mean``); ``skip``: the
    settings that a key restates (truncation's ``psi``, whose ``psi_value`` is a key)."""

    keys: tuple[str, ...]
    stats: Mapping[str, str] = field(hash=False)
    skip: tuple[str, ...] = ()


@dataclass(frozen=True)
class SummaryPlot:
    """The figure of a sweep's aggregate table: its family (``results/figures/sweeps/<family>.png``,
    caption ``workflow/report/<family>.rst``), its report label and its plotting function, a
    function of :mod:`advgen.plots.sweeps` named here (the plots layer sits above this one):
    ``plot(table, paths, *, experiment, dpi)``."""

    family: str
    label: str
    function: str


@dataclass(frozen=True)
class Sweep(Generic[P]):
    """One sweep (module docstring).

    Attributes:
        name: its block in the config's ``sweeps`` section.
        rule: the rule (and advgen command) running one grid point of one generator.
        spec: the point's typed spec; run: the point's job function.
        outputs: the point job's outputs, name -> path template.
        table: the output whose table the sweep's aggregate concatenates.
        split: the prepared split whose images it reads.
        summary: the aggregate's summary; plot: the aggregate's figure, if it has one.
        encoder_init: its ``init: encoder`` starts restart 0 at E(x): its points with it apply
            to generators with an encoder only (:attr:`advgen.generators.GeneratorKind.has_encoder`).
        sgd_lr: its ``sgd_lr`` is the ``lr`` of its points whose optimizer is SGD (the report's
            SGD beside Adam in one grid).
        masks: it hides pixels under masks (:data:`advgen.sweeps.grid.MASK_PARAMS`), drawn once
            per dataset and point (:meth:`advgen.sweeps.grid.GridPoint.mask_spec`).
        latent_path: its ``latent`` (auto, encoder, inversion) says how images reach the latent
            space, resolved per generator kind (auto: the encoder where there is one).
        smoke: caps on the parameters that bound its cost in the paper smoke config
            (:mod:`advgen.smoke`; a grid's values are capped each).
        smoke_grids: its grids that the smoke config shrinks to their two ends.
    """

    name: str
    rule: str
    spec: type[P]
    run: Callable[[Files, Files, P], None]
    outputs: Mapping[str, str] = field(hash=False)
    table: str
    split: str
    summary: Summary
    plot: SummaryPlot | None = None
    encoder_init: bool = False
    sgd_lr: bool = False
    masks: bool = False
    latent_path: bool = False
    smoke: Mapping[str, int] = field(default_factory=dict, hash=False)
    smoke_grids: tuple[str, ...] = ()

    @property
    def metrics(self) -> Mapping[str, str]:
        """The metric columns of its tables and their dtypes (its point spec's ``METRICS``)."""
        return self.spec.METRICS


SWEEPS: dict[str, Sweep[Any]] = by_name(
    # the report, "Generative Adversarial Networks - Q2": do 5 restarts beat 1?
    Sweep(
        "inversion",
        "invert",
        InversionPoint,
        point_jobs.invert,
        {
            "final": paths.INVERSION_FINAL,
            "steps": paths.INVERSION_STEPS,
            "latents": paths.INVERSION_LATENTS,
            "figure": paths.INVERSION_FIGURE,
        },
        "final",
        "test",
        Summary(
            ("generator", "init", "restarts"),
            {"mse": "median", "first_restart_mse": "median", "label_kept": "mean"},
        ),
        SummaryPlot("inversion_summary", "final MSE vs restarts", "inversion_summary"),
        encoder_init=True,
        sgd_lr=True,
        smoke={"steps": STEPS, "restarts": RESTARTS * 2, "num_images": IMAGES},
        smoke_grids=("restarts",),
    ),
    # "Q3": the hidden pixels' error per mask (pepper < square < crosswalk?)
    Sweep(
        "inpainting",
        "inpaint",
        InpaintingPoint,
        point_jobs.inpaint,
        {"table": paths.INPAINTING_TABLE, "figure": paths.INPAINTING_FIGURE},
        "table",
        "test",
        Summary(
            ("generator", "mask"),
            {"mse_hidden": "median", "correct_completed": "mean", "correct_masked": "mean"},
        ),
        SummaryPlot("inpainting", "error by mask type", "inpainting_errors"),
        encoder_init=True,
        masks=True,
        smoke={"steps": STEPS, "restarts": RESTARTS, "num_images": IMAGES},
    ),
    # "Non-Adversarial Networks - Q1": is the autoencoder's path smoother than the GAN's?
    Sweep(
        "interpolation",
        "interpolate",
        InterpolationPoint,
        point_jobs.interpolate,
        {
            "paths": paths.INTERPOLATION_PATHS,
            "frames": paths.INTERPOLATION_FRAMES,
            "figure": paths.INTERPOLATION_FIGURE,
        },
        "paths",
        "test",
        Summary(
            ("generator_kind", "generator", "latent"),
            {
                "path_length_ratio": "median",
                "max_step_ratio": "median",
                "mean_step_l2": "median",
                "label_changes": "mean",
                "third_class": "mean",
            },
        ),
        latent_path=True,
        smoke={"steps": STEPS, "restarts": RESTARTS, "num_pairs": 4, "num_alphas": 5},
    ),
    # BigGAN's truncation trick (Brock et al. 2019): FID, IS and modes per psi; FID compares the
    # samples to the training split, as sample_quality does
    Sweep(
        "truncation",
        "truncation",
        TruncationPoint,
        point_jobs.truncation,
        {"table": paths.TRUNCATION_TABLE, "samples": paths.TRUNCATION_SAMPLES},
        "table",
        "train",
        Summary(
            ("generator", "psi_value"),
            {"fid": "mean", "inception_score": "mean", "modes": "mean", "mean_max_prob": "mean"},
            skip=("psi",),
        ),
        SummaryPlot("truncation", "FID and modes vs psi", "truncation_curves"),
        smoke={"num_samples": SAMPLES},
        smoke_grids=("psi",),
    ),
)
