"""Sweeps stage plan: the grid points of every sweep (:mod:`advgen.sweeps.grid`), one job per
(sweep, generator, grid point), named by the point's readable label; the jobs are job kinds
(:mod:`advgen.pipeline.jobkinds_sweeps`)."""

from __future__ import annotations

from advgen.errors import ConfigError
from advgen.pipeline.base import Stage
from advgen.pipeline.study import Study
from advgen.sweeps import grid

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

    def generators(self, sweep: str) -> list[str]:
        return self.grid.generators(sweep) if sweep in self.sweeps() else []
