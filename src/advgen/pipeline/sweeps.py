"""Sweeps stage plan: one job per (sweep, generator, grid point), named by the point's
readable label (advgen.sweeps.grid); each job runs its one point (advgen.sweeps.generator_job),
and one aggregate per sweep concatenates the points' tables in config order."""

from __future__ import annotations

from collections.abc import Callable

from advgen import paths
from advgen.config import spec_json
from advgen.errors import ConfigError
from advgen.pipeline.base import Stage, prepared
from advgen.sweeps import grid
from advgen.sweeps.registry import SWEEPS

#: a grid point's readable label (the ``{point}`` wildcard; the tables' ``point`` column)
LABEL = grid.LABEL_PATTERN


class SweepsPlan(Stage):
    def __init__(self, config, source="config"):
        super().__init__(config, source)
        self.grid = grid.plan(config, source=source)

    def _point(self, sweep: str, wildcards) -> grid.GridPoint:
        try:
            return self.grid.by_label(sweep, wildcards.generator, wildcards.point)
        except ConfigError:
            labels = [p.label for p in self.grid.points(sweep, wildcards.generator)]
            where, what = f"sweeps.{sweep}", f"grid point of generator '{wildcards.generator}' named"
            self.unknown(where, what, wildcards.point, labels)

    def inputs(self, sweep: str) -> Callable:
        """Input function of a sweep's rule: the generator, classifier and images of a point's job."""

        def inputs(wildcards) -> dict[str, str]:
            point = self._point(sweep, wildcards)
            return {
                "generator": point.generator_path,
                "classifier": point.classifier_path,
                "images": prepared(point.dataset, SWEEPS[sweep].split),
            }

        inputs.__name__ = f"{sweep}_inputs"
        return inputs

    def spec(self, sweep: str) -> Callable:
        """Params function of a sweep's rule: the job's point spec (advgen.sweeps.spec), as sorted JSON."""

        def spec(wildcards) -> str:
            return spec_json(self._point(sweep, wildcards).spec(self.device))

        spec.__name__ = f"{sweep}_spec"
        return spec

    def point_files(self, sweep: str, template: str, generator: str | None = None) -> list[str]:
        """``template`` filled for each point of the sweep (or of one generator), in config order."""
        return [
            template.format(generator=p.generator, point=p.label)
            for p in self.points(sweep)
            if generator is None or p.generator == generator
        ]

    def tables(self, wildcards) -> list[str]:
        """The per-point tables that results/sweeps/{sweep}.parquet concatenates, in config
        order (generators as listed, each with its points in grid order)."""
        return self.point_files(wildcards.sweep, SWEEPS[wildcards.sweep].table)

    def sweeps(self) -> list[str]:
        return self.grid.sweeps()

    def points(self, sweep: str) -> list[grid.GridPoint]:
        return self.grid.points(sweep) if sweep in self.sweeps() else []

    def generators(self, sweep: str) -> list[str]:
        return self.grid.generators(sweep) if sweep in self.sweeps() else []

    def targets(self) -> list[str]:
        return [paths.SWEEP_AGGREGATE.format(sweep=s) for s in self.sweeps()]
