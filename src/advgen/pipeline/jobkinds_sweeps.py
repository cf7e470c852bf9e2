"""The sweeps stage's job kinds (rows of :data:`advgen.pipeline.jobkinds.JOB_KINDS`; its plan is
:class:`advgen.pipeline.sweeps.SweepsPlan`, the grid points of every sweep, which checks the entry
of every sweep the config runs), made from each sweep's entry of the sweep registry
(:data:`advgen.sweeps.registry.SWEEPS`): one job per (sweep, generator, grid point)
(:func:`point_kind`: the entry's point spec, job function and outputs), one ``aggregate_sweep`` job
per sweep (:func:`advgen.sweeps.summary.aggregate_sweep`) and the figure of its aggregate
(:func:`summary_plot`).

The unit of recomputation is the point: adding a point runs only its jobs, removing one reruns
only the aggregate. ``{point}`` is the point's readable label, its values on the grid axes
(:mod:`advgen.sweeps.grid`), also the ``point`` column of its tables; the spec is that point's
(:mod:`advgen.sweeps.spec`). Each job seeds its point from the point's own seed once its models
are loaded; inpainting masks are drawn in the job from their spec (the same for every
generator). The image a job draws while its tensors are in memory carries its report entry.

The stage's other figure families (:data:`FIGURE_KINDS`, :mod:`advgen.pipeline.figure_kinds`):
one figure per grid point where a point has its own (named by its axis values,
``init-random_restarts-5``) and the truncation grids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from advgen import paths
from advgen.pipeline.base import NAME, prepared
from advgen.pipeline.figure_kinds import figure, figures, labels, png, report, table_input
from advgen.pipeline.jobkind import ONCE, JobKind, Output, Values
from advgen.pipeline.plan import Plan
from advgen.plots import families
from advgen.plots import sweeps as sweep_plots
from advgen.plots.figure_specs import (
    ImageGridsSpec,
    LabelPathsSpec,
    OneTableSpec,
    PointPlot,
    RestartCurvesSpec,
    Titled,
)
from advgen.specs import typed_spec
from advgen.sweeps import grid
from advgen.sweeps.registry import SWEEPS, Sweep
from advgen.sweeps.spec import PointSpec, SweepTableSpec
from advgen.sweeps.summary import aggregate_sweep

P = TypeVar("P", bound=PointSpec)

#: a grid point's readable label (the ``{point}`` wildcard; the tables' ``point`` column)
LABEL = grid.LABEL_PATTERN


def where(sweep: str) -> str:
    """The report's category and subcategory of ``sweep``'s figures."""
    return f"Sweeps/{sweep.capitalize()}"


def point_kind(sweep: Sweep[P]) -> JobKind[P]:
    """The job kind of one grid point of ``sweep`` (its entry): generator, classifier and images
    in, the point's tables (and the image its job draws, with its report entry) out."""
    name = sweep.name

    def each(plan: Plan) -> list[Values]:
        return [Values(generator=p.generator, point=p.label) for p in plan.sweeps.points(name)]

    def inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
        point = plan.sweeps.point(name, values.generator, values.point)
        return {
            "generator": [point.generator_path],
            "classifier": [point.classifier_path],
            "images": [prepared(point.dataset, sweep.split)],
        }

    def spec(plan: Plan, values: Values) -> P:
        point = plan.sweeps.point(name, values.generator, values.point)
        return typed_spec(sweep.spec, point.spec(plan.study.device), f"sweeps.{name}")

    def output(key: str, path: str) -> str | Output:
        if key != "figure":
            return path
        return Output(path, report=report(f"sweeps_{name}", where(name), labels(path, None)))

    return JobKind(
        sweep.rule,
        f"one {name} grid point of a generator",
        outputs={key: output(key, path) for key, path in sweep.outputs.items()},
        each=each,
        inputs=inputs,
        spec=spec,
        spec_type=sweep.spec,
        run=sweep.run,
        resources={"gpu": 1},
        wildcard_constraints={"generator": NAME, "point": LABEL},
        target=False,  # the sweep's aggregate concatenates them
    )


# --- one aggregate table per sweep (advgen.sweeps.summary.aggregate_sweep)
def every_sweep(plan: Plan) -> list[Values]:
    return [Values(sweep=s) for s in plan.sweeps.sweeps()]


def tables(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The per-point tables, in config order (generators as listed, each with its points in grid order)."""
    sweep = SWEEPS[values.sweep]
    return {"tables": plan.sweeps.point_files(sweep.name, sweep.outputs[sweep.table])}


def table_spec(plan: Plan, values: Values) -> SweepTableSpec:
    return SweepTableSpec(sweep=values.sweep)


def datasets_title(plan: Plan, values: Values) -> OneTableSpec:
    """The spec of a figure of a sweep's aggregate table: the data sets."""
    return OneTableSpec(f"sweeps on {', '.join(sorted(plan.study.datasets))}", plan.study.plots.dpi)


def summary_plot(sweep: Sweep[Any]) -> JobKind[OneTableSpec] | None:
    """The figure family of ``sweep``'s aggregate table (its entry's ``plot``):
    ``results/figures/sweeps/<family>.png`` when the config runs the sweep; none where the entry
    draws none, or names no plotting function (the plan refuses a config that runs it:
    :func:`advgen.pipeline.sweeps.check_entry`)."""
    plot, name = sweep.plot, sweep.name
    function = getattr(sweep_plots, plot.function, None) if plot is not None else None
    if plot is None or function is None:
        return None

    def if_sweep(plan: Plan) -> list[Values]:
        return ONCE if name in plan.sweeps.sweeps() else []

    table = table_input(paths.fill(paths.SWEEP_AGGREGATE, sweep=name))
    return figure(
        plot.family, png(f"sweeps/{plot.family}"), where(name), plot.label, if_sweep, table, datasets_title,
        OneTableSpec, families.one_table(function),
    )  # fmt: skip


KINDS = (
    *(point_kind(sweep) for sweep in SWEEPS.values()),
    JobKind(
        "aggregate_sweep",
        "check and concatenate the per-point tables of a sweep (one Parquet per sweep)",
        outputs={"table": paths.SWEEP_AGGREGATE},
        wildcard_constraints={"sweep": "|".join(SWEEPS)},
        each=every_sweep,
        inputs=tables,
        spec=table_spec,
        spec_type=SweepTableSpec,
        run=aggregate_sweep,
    ),
    *filter(None, map(summary_plot, SWEEPS.values())),
)


# --- the figures of the points (advgen.plots.families)
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


POINT_FIGURE = png("sweeps/{sweep}/{{generator}}/{{label}}")

FIGURE_KINDS = (
    figures("inversion_restarts", POINT_FIGURE.format(sweep="inversion"), where("inversion"), "loss per restart",
            points_of("inversion"), point_file("inversion", paths.INVERSION_STEPS), restarts_spec,
            RestartCurvesSpec, families.inversion_restarts),
    figures("interpolation_labels", POINT_FIGURE.format(sweep="interpolation"), where("interpolation"),
            "labels along the path", points_of("interpolation"),
            point_file("interpolation", paths.INTERPOLATION_FRAMES), label_paths_spec, LabelPathsSpec,
            families.interpolation_labels),
    figures("truncation_grid", png("sweeps/truncation_grid/{generator}"), where("truncation"), "samples per psi",
            truncation_generators, truncation_samples, truncation_grid_spec, ImageGridsSpec,
            families.truncation_grid),
)  # fmt: skip
