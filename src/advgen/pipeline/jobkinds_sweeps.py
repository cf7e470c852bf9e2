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
generator). The image a job draws while its tensors are in memory is a row of the figure table
(:mod:`advgen.pipeline.figures_sweeps`), whose report entry its output carries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from advgen import paths
from advgen.errors import ConfigError
from advgen.jobfiles import Files
from advgen.pipeline.base import NAME, Stage, prepared
from advgen.pipeline.figures_sweeps import STAGE_FIGURES
from advgen.pipeline.jobkind import JobKind, Output, Values
from advgen.pipeline.plan import Plan
from advgen.pipeline.study import Study
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

    figure = STAGE_FIGURES.get(sweep)
    figures = {"figure": Output(figure.path, report=figure.report())} if figure is not None else {}
    return JobKind(
        SWEEPS[sweep].rule,
        f"one {sweep} grid point of a generator",
        outputs={**outputs, **figures},
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
        {"final": paths.INVERSION_FINAL, "steps": paths.INVERSION_STEPS, "latents": paths.INVERSION_LATENTS},
        point_jobs.invert,
    ),
    point_kind("inpainting", points.InpaintingPoint, {"table": paths.INPAINTING_TABLE}, point_jobs.inpaint),
    point_kind(
        "interpolation",
        points.InterpolationPoint,
        {"paths": paths.INTERPOLATION_PATHS, "frames": paths.INTERPOLATION_FRAMES},
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
)
