"""Sweeps stage plan: one job per (generator, grid point) of each sweep (advgen.sweeps.grid)."""

from __future__ import annotations

from collections.abc import Callable

from advgen.config import spec_json
from advgen.pipeline import paths
from advgen.pipeline.base import Stage, prepared
from advgen.sweeps import grid

#: the grid point's hash id (results folders) and its readable label (figure file names)
POINT = grid.POINT_PATTERN
LABEL = r"[A-Za-z0-9_.+-]+"
SWEEPS = grid.SWEEPS


class SweepsPlan(Stage):
    def __init__(self, config, source="config"):
        super().__init__(config, source)
        self.grid = grid.plan(config, source=source)
        self.masks = self.grid.masks()

    def point(self, sweep: str, wildcards) -> grid.GridPoint:
        return self.grid.get(sweep, wildcards.generator, wildcards.point)

    def inputs(self, sweep: str) -> Callable:
        """Input function of a sweep's point rule: generator, classifier, test images (+ masks)."""

        def inputs(wildcards) -> dict[str, str]:
            point = self.point(sweep, wildcards)
            files = {"generator": point.generator_path, "classifier": point.classifier_path}
            # truncation: FID compares to the training split, as in sample_quality
            if sweep == "truncation":
                files["reference"] = prepared(point.dataset, "train")
            else:
                files["images"] = prepared(point.dataset, "test")
            if sweep == "inpainting":
                files["masks"] = point.mask_path()
            return files

        inputs.__name__ = f"{sweep}_inputs"
        return inputs

    def spec(self, sweep: str) -> Callable:
        """Params function of a sweep's point rule: the point's full spec as sorted JSON."""

        def spec(wildcards) -> str:
            return spec_json(self.point(sweep, wildcards).spec(self.device))

        spec.__name__ = f"{sweep}_spec"
        return spec

    def mask_spec(self, wildcards) -> str:
        path = paths.SWEEP_MASKS.format(dataset=wildcards.dataset, mask_id=wildcards.mask_id)
        if path not in self.masks:
            raise ValueError(f"{path}: no inpainting point of the config uses it")
        return spec_json(self.masks[path])

    def tables(self, wildcards) -> list[str]:
        """The per-point tables that results/sweeps/{sweep}.parquet concatenates."""
        template = paths.SWEEP_POINT_TABLES[wildcards.sweep]
        return [template.format(generator=p.generator, point=p.point) for p in self.grid.points(wildcards.sweep)]

    def sweeps(self) -> list[str]:
        return self.grid.sweeps()

    def points(self, sweep: str) -> list[grid.GridPoint]:
        return self.grid.points(sweep) if sweep in self.sweeps() else []

    def targets(self) -> list[str]:
        return [paths.SWEEP_AGGREGATE.format(sweep=s) for s in self.sweeps()]
