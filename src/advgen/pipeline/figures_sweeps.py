"""The sweeps stage's rows of the figure table (:data:`ROWS`): one figure per grid point where a
point has its own (named by its axis values, ``init-random_restarts-5``), the summaries of the
aggregate tables, and the images each point's job draws while its tensors are in memory
(:data:`STAGE_FIGURES`: their report entries; :mod:`advgen.pipeline.jobkinds_sweeps`)."""

from __future__ import annotations

from collections.abc import Callable

from advgen import paths
from advgen.pipeline.figure import ONCE, STAGE, Figure, Options, Plot, Values, figure_png, row, summary
from advgen.pipeline.plan import Plan
from advgen.plots import families as render
from advgen.plots.families import Render
from advgen.plots.sweeps import inpainting_errors, inversion_summary, truncation_curves
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


def datasets(plan: Plan, values: Values) -> Options:
    """``options`` of a figure of a sweep's aggregate table: the data sets."""
    return {"experiment": f"sweeps on {', '.join(sorted(plan.study.datasets))}"}


def where(sweep: str) -> str:
    """The report's category and subcategory of ``sweep``'s figures."""
    return f"Sweeps/{sweep.capitalize()}"


def of_aggregate(family: str, sweep: str, label: str, plot: Plot) -> Figure:
    """A figure ``sweeps/<family>`` of ``sweep``'s aggregate table."""
    table = paths.fill(paths.SWEEP_AGGREGATE, sweep=sweep)
    return summary(family, f"sweeps/{family}", where(sweep), label, if_sweep(sweep), table, datasets, plot)


def per_point(family: str, sweep: str, label: str, table: str, draw: Render) -> Figure:
    """A figure ``sweeps/<sweep>/<generator>/<point>`` of each grid point of ``sweep``, from the
    point's own ``table``."""
    path = figure_png(f"sweeps/{sweep}/{{generator}}/{{label}}")
    each, inputs, options = points_of(sweep), point_file(sweep, table), point_options(sweep)
    return row(family, path, where(sweep), label, each, inputs, options, draw)


#: the image each point's job draws (the sweep -> its row; the job's ``figure`` output)
STAGE_FIGURES: dict[str, Figure] = {
    sweep: row(
        f"sweeps_{sweep}", path, where(sweep), None, None, None, job=STAGE, rule_name=SWEEPS[sweep].rule
    )
    for sweep, path in (
        ("inversion", paths.INVERSION_FIGURE),
        ("inpainting", paths.INPAINTING_FIGURE),
        ("interpolation", paths.INTERPOLATION_FIGURE),
    )
}

ROWS: tuple[Figure, ...] = (
    per_point("inversion_restarts", "inversion", "loss per restart", paths.INVERSION_STEPS,
              render.inversion_restarts),
    of_aggregate("inversion_summary", "inversion", "final MSE vs restarts", inversion_summary),
    of_aggregate("inpainting", "inpainting", "error by mask type", inpainting_errors),
    per_point("interpolation_labels", "interpolation", "labels along the path", paths.INTERPOLATION_FRAMES,
              render.interpolation_labels),
    of_aggregate("truncation", "truncation", "FID and modes vs psi", truncation_curves),
    row("truncation_grid", figure_png("sweeps/truncation_grid/{generator}"), where("truncation"), "samples per psi",
        truncation_generators, truncation_samples, truncation_grid, render.truncation_grid),
    *STAGE_FIGURES.values(),
)  # fmt: skip
