"""Sweeps stage plan: one job per (sweep, generator), running every grid point of that
generator in one process (advgen.sweeps.grid, advgen.sweeps.generator_job)."""

from __future__ import annotations

from collections.abc import Callable

from advgen import paths
from advgen.config import spec_json
from advgen.pipeline.base import Stage, prepared
from advgen.sweeps import grid
from advgen.sweeps.registry import SWEEPS

#: a grid point's readable label (figure file names; the tables' ``point`` column)
LABEL = grid.LABEL_PATTERN


class SweepsPlan(Stage):
    def __init__(self, config, source="config"):
        super().__init__(config, source)
        self.grid = grid.plan(config, source=source)

    def _points(self, sweep: str, wildcards) -> list[grid.GridPoint]:
        points = self.grid.points(sweep, wildcards.generator)
        if not points:
            raise ValueError(
                f"sweeps.{sweep}: generator {wildcards.generator!r} has no grid point in the config"
            )
        return points

    def inputs(self, sweep: str) -> Callable:
        """Input function of a sweep's rule: the generator, classifier and images of its job."""

        def inputs(wildcards) -> dict[str, str]:
            point = self._points(sweep, wildcards)[0]
            return {
                "generator": point.generator_path,
                "classifier": point.classifier_path,
                "images": prepared(point.dataset, SWEEPS[sweep].split),
            }

        inputs.__name__ = f"{sweep}_inputs"
        return inputs

    def spec(self, sweep: str) -> Callable:
        """Params function of a sweep's rule: the generator's point specs, in config order, as sorted JSON."""

        def spec(wildcards) -> str:
            return spec_json(
                {
                    "device": self.device,
                    "points": [p.spec(self.device) for p in self._points(sweep, wildcards)],
                }
            )

        spec.__name__ = f"{sweep}_spec"
        return spec

    def tables(self, wildcards) -> list[str]:
        """The per-generator tables that results/sweeps/{sweep}.parquet concatenates."""
        template = SWEEPS[wildcards.sweep].table
        return [template.format(generator=g) for g in self.grid.generators(wildcards.sweep)]

    def sweeps(self) -> list[str]:
        return self.grid.sweeps()

    def points(self, sweep: str) -> list[grid.GridPoint]:
        return self.grid.points(sweep) if sweep in self.sweeps() else []

    def generators(self, sweep: str) -> list[str]:
        return self.grid.generators(sweep) if sweep in self.sweeps() else []

    def targets(self) -> list[str]:
        return [paths.SWEEP_AGGREGATE.format(sweep=s) for s in self.sweeps()]
