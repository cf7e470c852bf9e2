"""Sweeps stage plan: the grid points of every generator sweep (:mod:`advgen.sweeps.grid`), and the
check of the sweep registry's entry of every sweep the config runs (:func:`check_entry`). The jobs
are job kinds (:mod:`advgen.pipeline.jobkinds_sweeps`)."""

from __future__ import annotations

from typing import Any

from advgen.errors import ConfigError
from advgen.pipeline.base import Stage
from advgen.pipeline.study import Study
from advgen.plots import sweeps as sweep_plots
from advgen.sweeps import grid
from advgen.sweeps.registry import SWEEPS, Sweep
from advgen.sweeps.summary import problems


class SweepsPlan(Stage):
    def __init__(self, study: Study) -> None:
        super().__init__(study)
        datasets = {name: spec.dataset for name, spec in study.classifiers.items()}
        self.grid = grid.plan(study.sweeps, study.generators, datasets, study.seed, source=study.source)
        for sweep in self.grid.sweeps():
            check_entry(SWEEPS[sweep])

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


def check_entry(sweep: Sweep[Any]) -> None:
    """Refuse the entry of a sweep the config runs if it lacks a piece (one line)."""
    lacks = problems(sweep)
    if sweep.plot is not None and not callable(getattr(sweep_plots, sweep.plot.function, None)):
        lacks.append(
            f"advgen.sweeps.registry: sweep {sweep.name}: advgen.plots.sweeps has no {sweep.plot.function}"
        )
    if lacks:
        raise ConfigError(lacks[0])
