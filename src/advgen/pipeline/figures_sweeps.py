"""The sweeps stage's rows of the figure table (:data:`ROWS`): one figure per grid point where a
point has its own (named by its axis values, ``init-random_restarts-5``), the summaries of the
aggregate tables, and the images each point's job draws while its tensors are in memory
(:data:`STAGE_FIGURES`: their report entries; :mod:`advgen.pipeline.jobkinds_sweeps`)."""

from __future__ import annotations

from collections.abc import Callable

from advgen import paths
from advgen.pipeline.figure import ONCE, STAGE, Figure, Options, Values, figure_png, template
from advgen.pipeline.plan import Plan
from advgen.plots import families as render
from advgen.plots import sweeps as sweeps_plots
from advgen.plots.families import one_table
from advgen.sweeps.grid import GridPoint
from advgen.sweeps.registry import SWEEPS


# --- which figures
def points_of(sweep: str) -> Callable[[Plan], list[Values]]:
    """``each`` of a per-point figure of ``sweep``: every (generator, point label)."""

    def each(plan: Plan) -> list[Values]:
        return [Values(generator=p.generator, label=p.label) for p in plan.sweeps.points(sweep)]

    return each


def if_sweep(sweep: str) -> Callable[[Plan], list[Values]]:
    """``each`` of a figure of ``sweep``'s aggregate table: one when the config runs the sweep."""

    def each(plan: Plan) -> list[Values]:
        return ONCE if sweep in plan.sweeps.sweeps() else []

    return each


def truncation_generators(plan: Plan) -> list[Values]:
    return [Values(generator=g) for g in sorted({p.generator for p in plan.sweeps.points("truncation")})]


# --- inputs and options
def point_file(sweep: str, template_path: str) -> Callable[[Plan, Values], list[str]]:
    """``inputs`` of a per-point figure: the point's own table (its job's output)."""

    def inputs(plan: Plan, values: Values) -> list[str]:
        p = plan.sweeps.grid.by_label(sweep, values.generator, values.label)
        return [template_path.format(generator=p.generator, point=p.label)]

    return inputs


def point_options(sweep: str) -> Callable[[Plan, Values], Options]:
    """``options`` of a per-point figure: the point's title and label."""

    def options(plan: Plan, values: Values) -> Options:
        p = plan.sweeps.grid.by_label(sweep, values.generator, values.label)
        return {"experiment": f"{p.generator}, point {p.label}", "point": p.label}

    return options


def truncation_rows(plan: Plan, generator: str) -> list[GridPoint]:
    """The generator's truncation points, one grid row each: psi ascending, no truncation last."""
    points = [p for p in plan.sweeps.points("truncation") if p.generator == generator]
    return sorted(points, key=lambda p: (p.params["psi"] is None, p.params["psi"] or 0.0, p.label))


def truncation_samples(plan: Plan, values: Values) -> list[str]:
    """The samples of the generator's truncation points (one grid row each), in psi order."""
    return [
        paths.TRUNCATION_SAMPLES.format(generator=p.generator, point=p.label)
        for p in truncation_rows(plan, values.generator)
    ]


def truncation_grid(plan: Plan, values: Values) -> Options:
    rows = truncation_rows(plan, values.generator)
    generator = values.generator
    return {"experiment": f"{generator}, seed {rows[0].params['seed']}" if rows else generator}


def summary(plan: Plan, values: Values) -> Options:
    return {"experiment": f"sweeps on {', '.join(sorted(plan.study.datasets))}"}


def aggregate(sweep: str) -> Callable[[Plan, Values], list[str]]:
    return template(paths.fill(paths.SWEEP_AGGREGATE, sweep=sweep))


#: the image each point's job draws (the sweep -> its row; the job's ``figure`` output)
STAGE_FIGURES: dict[str, Figure] = {
    "inversion": Figure(
        family="sweeps_inversion",
        path=paths.INVERSION_FIGURE,
        category="Sweeps",
        subcategory="Inversion",
        labels={"generator": "{generator}", "point": "{point}"},
        job=STAGE,
        rule_name=SWEEPS["inversion"].rule,
    ),
    "inpainting": Figure(
        family="sweeps_inpainting",
        path=paths.INPAINTING_FIGURE,
        category="Sweeps",
        subcategory="Inpainting",
        labels={"generator": "{generator}", "point": "{point}"},
        job=STAGE,
        rule_name=SWEEPS["inpainting"].rule,
    ),
    "interpolation": Figure(
        family="sweeps_interpolation",
        path=paths.INTERPOLATION_FIGURE,
        category="Sweeps",
        subcategory="Interpolation",
        labels={"generator": "{generator}", "point": "{point}"},
        job=STAGE,
        rule_name=SWEEPS["interpolation"].rule,
    ),
}

ROWS: tuple[Figure, ...] = (
    Figure(
        family="inversion_restarts",
        path=figure_png("sweeps/inversion/{generator}/{label}"),
        category="Sweeps",
        subcategory="Inversion",
        labels={"generator": "{generator}", "point": "{label}", "figure": "loss per restart"},
        each=points_of("inversion"),
        inputs=point_file("inversion", paths.INVERSION_STEPS),
        options=point_options("inversion"),
        draw=render.inversion_restarts,
    ),
    Figure(
        family="inversion_summary",
        path=figure_png("sweeps/inversion_summary"),
        category="Sweeps",
        subcategory="Inversion",
        labels={"figure": "final MSE vs restarts"},
        each=if_sweep("inversion"),
        inputs=aggregate("inversion"),
        options=summary,
        draw=one_table(sweeps_plots.inversion_summary),
    ),
    Figure(
        family="inpainting",
        path=figure_png("sweeps/inpainting"),
        category="Sweeps",
        subcategory="Inpainting",
        labels={"figure": "error by mask type"},
        each=if_sweep("inpainting"),
        inputs=aggregate("inpainting"),
        options=summary,
        draw=one_table(sweeps_plots.inpainting_errors),
    ),
    Figure(
        family="interpolation_labels",
        path=figure_png("sweeps/interpolation/{generator}/{label}"),
        category="Sweeps",
        subcategory="Interpolation",
        labels={"generator": "{generator}", "point": "{label}", "figure": "labels along the path"},
        each=points_of("interpolation"),
        inputs=point_file("interpolation", paths.INTERPOLATION_FRAMES),
        options=point_options("interpolation"),
        draw=render.interpolation_labels,
    ),
    Figure(
        family="truncation",
        path=figure_png("sweeps/truncation"),
        category="Sweeps",
        subcategory="Truncation",
        labels={"figure": "FID and modes vs psi"},
        each=if_sweep("truncation"),
        inputs=aggregate("truncation"),
        options=summary,
        draw=one_table(sweeps_plots.truncation_curves),
    ),
    Figure(
        family="truncation_grid",
        path=figure_png("sweeps/truncation_grid/{generator}"),
        category="Sweeps",
        subcategory="Truncation",
        labels={"generator": "{generator}", "figure": "samples per psi"},
        each=truncation_generators,
        inputs=truncation_samples,
        options=truncation_grid,
        draw=render.truncation_grid,
    ),
    *STAGE_FIGURES.values(),
)
