"""The sweeps stage: its plan (:class:`SweepsPlan`: the grid points of every sweep,
:mod:`advgen.sweeps.grid`) and its job kinds (rows of :data:`advgen.pipeline.jobkinds.JOB_KINDS`): one job per
(sweep, generator, grid point), one row per sweep of the sweep registry
(:data:`advgen.sweeps.registry.SWEEPS`: its rule name, the split it reads, the table its aggregate
concatenates), and one ``aggregate_sweep`` job per sweep.

The unit of recomputation is the point: adding a point runs only its jobs, removing one reruns
only the aggregate. ``{point}`` is the point's readable label, its values on the grid axes
(:mod:`advgen.sweeps.grid`), also the ``point`` column of its tables; the spec is that point's
(:mod:`advgen.sweeps.spec`). Each job seeds its point from the point's own seed once its models
are loaded; inpainting masks are drawn in the job from their spec (the same for every
generator). The image a job draws while its tensors are in memory carries its report entry.

The stage's figure families (:data:`FIGURE_KINDS`, :mod:`advgen.pipeline.figure_kinds`): one
figure per grid point where a point has its own (named by its axis values,
``init-random_restarts-5``), the summaries of the aggregate tables and the truncation grids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from advgen import paths
from advgen.errors import ConfigError
from advgen.jobfiles import Files
from advgen.pipeline.base import NAME, Stage, prepared
from advgen.pipeline.figure_kinds import figure, figures, labels, png, report, table_input
from advgen.pipeline.jobkind import ONCE, JobKind, Output, Values
from advgen.pipeline.plan import Plan
from advgen.pipeline.study import Study
from advgen.plots import families
from advgen.plots.figure_specs import (
    ImageGridsSpec,
    LabelPathsSpec,
    OneTableSpec,
    PointPlot,
    RestartCurvesSpec,
    Titled,
)
from advgen.plots.sweeps import inpainting_errors, inversion_summary, truncation_curves
from advgen.specs import typed_spec
from advgen.sweeps import grid, point_jobs
from advgen.sweeps import spec as points
from advgen.sweeps.registry import SWEEPS

P = TypeVar("P", bound=points.PointSpec)

#: a grid point's readable label (the ``{point}`` wildcard; the tables' ``point`` column)
LABEL = grid.LABEL_PATTERN


class SweepsPlan(Stage):
    def __init__(self, study: Study) -> None:
        super().__init__(study)
        datasets = {name: spec.dataset for name, spec in study.classifiers.items()}
        self.grid = grid.plan(study.sweeps, study.generators, datasets, study.seed, source=study.source)

    def point(self, sweep: str, generator: str, label: str) -> grid.GridPoint:
        """A requested point; one naming no point of the config is :meth:`Stage.unknown`."""
        try:
            return self.grid.by_label(sweep, generator, label)
        except ConfigError:
            labels = [p.label for p in self.grid.points(sweep, generator)]
            self.unknown(f"sweeps.{sweep}", f"grid point of generator '{generator}' named", label, labels)

    def point_files(self, sweep: str, template: str, generator: str | None = None) -> list[str]:
        """``template`` filled for each point of the sweep (or of one generator), in config order."""
        return [
            template.format(generator=p.generator, point=p.label)
            for p in self.points(sweep)
            if generator is None or p.generator == generator
        ]

    def sweeps(self) -> list[str]:
        return self.grid.sweeps()

    def points(self, sweep: str) -> list[grid.GridPoint]:
        return self.grid.points(sweep) if sweep in self.sweeps() else []


def where(sweep: str) -> str:
    """The report's category and subcategory of ``sweep``'s figures."""
    return f"Sweeps/{sweep.capitalize()}"


def point_kind(
    sweep: str, spec_type: type[P], outputs: dict[str, str], run: Callable[[Files, Files, P], None]
) -> JobKind[P]:
    """The job kind of one grid point of ``sweep``: generator, classifier and images in, the
    point's tables (and the figure its job draws) out; ``run`` takes the point's ``spec_type``."""

    def each(plan: Plan) -> list[Values]:
        return [Values(generator=p.generator, point=p.label) for p in plan.sweeps.points(sweep)]

    def inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
        point = plan.sweeps.point(sweep, values.generator, values.point)
        return {
            "generator": [point.generator_path],
            "classifier": [point.classifier_path],
            "images": [prepared(point.dataset, SWEEPS[sweep].split)],
        }

    def spec(plan: Plan, values: Values) -> P:
        point = plan.sweeps.point(sweep, values.generator, values.point)
        return typed_spec(spec_type, point.spec(plan.study.device), f"sweeps.{sweep}")

    drawn = {  # the image the job draws, with its report entry
        name: Output(path, report=report(f"sweeps_{sweep}", where(sweep), labels(path, None)))
        for name, path in outputs.items()
        if name == "figure"
    }
    return JobKind(
        SWEEPS[sweep].rule,
        f"one {sweep} grid point of a generator",
        outputs={**outputs, **drawn},
        each=each,
        inputs=inputs,
        spec=spec,
        spec_type=spec_type,
        run=run,
        resources={"gpu": 1},
        wildcard_constraints={"generator": NAME, "point": LABEL},
        target=False,  # the sweep's aggregate concatenates them
    )


#: one job kind per sweep of the registry, in its order: the point's spec, outputs and job function
POINT_KINDS = (
    point_kind(
        "inversion",
        points.InversionPoint,
        {
            "final": paths.INVERSION_FINAL,
            "steps": paths.INVERSION_STEPS,
            "latents": paths.INVERSION_LATENTS,
            "figure": paths.INVERSION_FIGURE,
        },
        point_jobs.invert,
    ),
    point_kind(
        "inpainting",
        points.InpaintingPoint,
        {"table": paths.INPAINTING_TABLE, "figure": paths.INPAINTING_FIGURE},
        point_jobs.inpaint,
    ),
    point_kind(
        "interpolation",
        points.InterpolationPoint,
        {
            "paths": paths.INTERPOLATION_PATHS,
            "frames": paths.INTERPOLATION_FRAMES,
            "figure": paths.INTERPOLATION_FIGURE,
        },
        point_jobs.interpolate,
    ),
    point_kind(
        "truncation",
        points.TruncationPoint,
        {"table": paths.TRUNCATION_TABLE, "samples": paths.TRUNCATION_SAMPLES},
        point_jobs.truncation,
    ),
)
if [kind.name for kind in POINT_KINDS] != [SWEEPS[sweep].rule for sweep in SWEEPS]:
    raise ValueError("the sweeps' point kinds must follow the sweep registry (advgen.sweeps.registry.SWEEPS)")


# --- one aggregate table per sweep (advgen.sweeps.point_jobs.aggregate)
def every_sweep(plan: Plan) -> list[Values]:
    return [Values(sweep=s) for s in plan.sweeps.sweeps()]


def tables(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The per-point tables, in config order (generators as listed, each with its points in grid order)."""
    return {"tables": plan.sweeps.point_files(values.sweep, SWEEPS[values.sweep].table)}


def table_spec(plan: Plan, values: Values) -> points.SweepTableSpec:
    return points.SweepTableSpec(sweep=values.sweep)


# --- the figures (advgen.plots.families, advgen.plots.sweeps)
def points_of(sweep: str) -> Callable[[Plan], list[Values]]:
    """``each`` of a per-point figure of ``sweep``: every (generator, point label)."""

    def each(plan: Plan) -> list[Values]:
        return [Values(generator=p.generator, label=p.label) for p in plan.sweeps.points(sweep)]

    return each


def point_plots(figures: list[Values]) -> tuple[PointPlot, ...]:
    """Each per-point figure's title and label."""
    return tuple(PointPlot(f"{v.generator}, point {v.label}", v.label) for v in figures)


def restarts_spec(plan: Plan, figures: list[Values]) -> RestartCurvesSpec:
    plots = plan.study.plots
    return RestartCurvesSpec(point_plots(figures), plots.inversion_images, plots.dpi)


def label_paths_spec(plan: Plan, figures: list[Values]) -> LabelPathsSpec:
    plots = plan.study.plots
    return LabelPathsSpec(point_plots(figures), plots.interpolation_pairs, plots.dpi)


def point_file(sweep: str, template_path: str) -> Callable[[Plan, Values], list[str]]:
    """``inputs`` of a per-point figure: the point's own table (its job's output)."""

    def inputs(plan: Plan, values: Values) -> list[str]:
        p = plan.sweeps.grid.by_label(sweep, values.generator, values.label)
        return [template_path.format(generator=p.generator, point=p.label)]

    return inputs


def truncation_generators(plan: Plan) -> list[Values]:
    return [Values(generator=g) for g in sorted({p.generator for p in plan.sweeps.points("truncation")})]


def truncation_rows(plan: Plan, generator: str) -> list[grid.GridPoint]:
    """The generator's truncation points, one grid row each: psi ascending, no truncation last."""
    rows = [p for p in plan.sweeps.points("truncation") if p.generator == generator]
    return sorted(rows, key=lambda p: (p.params["psi"] is None, p.params["psi"] or 0.0, p.label))


def truncation_samples(plan: Plan, values: Values) -> list[str]:
    """The samples of the generator's truncation points (one grid row each), in psi order."""
    rows = truncation_rows(plan, values.generator)
    return [paths.TRUNCATION_SAMPLES.format(generator=p.generator, point=p.label) for p in rows]


def truncation_grid_spec(plan: Plan, figures: list[Values]) -> ImageGridsSpec:
    def title(generator: str) -> Titled:
        rows = truncation_rows(plan, generator)
        return Titled(f"{generator}, seed {rows[0].params['seed']}" if rows else generator)

    titles = tuple(title(v.generator) for v in figures)
    return ImageGridsSpec(titles, plan.study.plots.sample_scale, plan.study.plots.dpi)


def if_sweep(sweep: str) -> Callable[[Plan], list[Values]]:
    """``each`` of a figure of ``sweep``'s aggregate table: one when the config runs the sweep."""

    def each(plan: Plan) -> list[Values]:
        return ONCE if sweep in plan.sweeps.sweeps() else []

    return each


def datasets_title(plan: Plan, values: Values) -> OneTableSpec:
    """The spec of a figure of a sweep's aggregate table: the data sets."""
    return OneTableSpec(f"sweeps on {', '.join(sorted(plan.study.datasets))}", plan.study.plots.dpi)


def of_aggregate(family: str, sweep: str, label: str, plot: Callable[..., None]) -> JobKind[OneTableSpec]:
    """A figure ``sweeps/<family>`` of ``sweep``'s aggregate table."""
    table = table_input(paths.fill(paths.SWEEP_AGGREGATE, sweep=sweep))
    return figure(
        family, png(f"sweeps/{family}"), where(sweep), label, if_sweep(sweep), table, datasets_title,
        OneTableSpec, families.one_table(plot),
    )  # fmt: skip


POINT_FIGURE = png("sweeps/{sweep}/{{generator}}/{{label}}")

FIGURE_KINDS = (
    figures("inversion_restarts", POINT_FIGURE.format(sweep="inversion"), where("inversion"), "loss per restart",
            points_of("inversion"), point_file("inversion", paths.INVERSION_STEPS), restarts_spec,
            RestartCurvesSpec, families.inversion_restarts),
    of_aggregate("inversion_summary", "inversion", "final MSE vs restarts", inversion_summary),
    of_aggregate("inpainting", "inpainting", "error by mask type", inpainting_errors),
    figures("interpolation_labels", POINT_FIGURE.format(sweep="interpolation"), where("interpolation"),
            "labels along the path", points_of("interpolation"),
            point_file("interpolation", paths.INTERPOLATION_FRAMES), label_paths_spec, LabelPathsSpec,
            families.interpolation_labels),
    of_aggregate("truncation", "truncation", "FID and modes vs psi", truncation_curves),
    figures("truncation_grid", png("sweeps/truncation_grid/{generator}"), where("truncation"), "samples per psi",
            truncation_generators, truncation_samples, truncation_grid_spec, ImageGridsSpec,
            families.truncation_grid),
)  # fmt: skip

KINDS = (
    *POINT_KINDS,
    JobKind(
        "aggregate_sweep",
        "check and concatenate the per-point tables of a sweep (one Parquet per sweep)",
        outputs={"table": paths.SWEEP_AGGREGATE},
        each=every_sweep,
        inputs=tables,
        spec=table_spec,
        spec_type=points.SweepTableSpec,
        run=point_jobs.aggregate,
        wildcard_constraints={"sweep": "|".join(SWEEPS)},
    ),
    *FIGURE_KINDS,
)
