"""Defense stage plan: one purify job per (purifier, point), one probe job, one real->fake flip job.

The expansion itself is :mod:`advgen.defense.plan`.
"""

from __future__ import annotations

import dataclasses

from advgen import paths
from advgen.config import spec_json
from advgen.defense import plan as expansion
from advgen.defense.spec import PurifySpec
from advgen.generators import generator_checkpoint
from advgen.pipeline.base import Stage, classifier_model, prepared, splits
from advgen.specs import spec_dict

PURIFY_TABLE = paths.fill(paths.DEFENSE_TABLE, table="purify")
PROBE_TABLE = paths.fill(paths.DEFENSE_TABLE, table="probe")


class DefensePlan(Stage):
    def __init__(self, config, source="config"):
        super().__init__(config, source)
        expansion.check_references(config, source)
        self.purify = expansion.purify_jobs(config)
        self.probes = expansion.probe_sources(config)

    def generator_checkpoint(self, name: str) -> str:
        return generator_checkpoint(self.config, name)

    def purify_job(self, wildcards) -> PurifySpec:
        """The spec of one point's job (:func:`advgen.defense.plan.purify_points`)."""
        points = self.lookup(self.purify, wildcards.purifier, "defense.purify.purifiers", "purifier")
        point = getattr(wildcards, "point", None)
        if point not in points:
            self.unknown(f"defense.purify.purifiers.{wildcards.purifier}", "point", point, list(points))
        return points[point]

    def purify_inputs(self, wildcards) -> dict[str, str]:
        spec = self.purify_job(wildcards)
        inputs = {
            "classifier": classifier_model(spec.classifier),
            "images": prepared(spec.dataset, "test"),
        }
        if spec.generator:
            inputs["generator"] = self.generator_checkpoint(spec.generator)
        return inputs

    def purify_generator_option(self, wildcards) -> str:
        spec = self.purify_job(wildcards)
        return f"--generator {self.generator_checkpoint(spec.generator)}" if spec.generator else ""

    def _json(self, spec) -> str:
        """The ``params.spec`` of a job: its typed spec with the config's ``device``, as JSON."""
        return spec_json(spec_dict(dataclasses.replace(spec, device=self.device)))

    def purify_spec(self, wildcards) -> str:
        return self._json(self.purify_job(wildcards))

    def purify_tables(self, wildcards=None) -> list[str]:
        """The per-point tables that results/defense/purify.parquet concatenates, purifier by
        purifier, each in point order."""
        return [
            paths.PURIFY.format(purifier=name, point=point)
            for name, points in self.purify.items()
            for point in points
        ]

    def _probed(self) -> tuple[list[str], list[str]]:
        """The GANs (probed, controls) and the classifiers of the probe job."""
        gans = [name for family, name in self.probes if family != "classifier"]
        return list(dict.fromkeys(gans)), [name for family, name in self.probes if family == "classifier"]

    def probe_inputs(self, wildcards=None) -> dict[str, list[str] | str]:
        gans, classifiers = self._probed()
        return {
            "gans": [self.generator_checkpoint(g) for g in gans],
            "classifiers": [classifier_model(c) for c in classifiers],
            **splits(expansion.probe_job(self.config).sources[0].dataset),  # one for all (checked)
        }

    def probe_models(self, wildcards=None) -> str:
        """``--gans NAME=PATH ...`` and (when there are any) ``--classifiers NAME=PATH ...``."""
        gans, classifiers = self._probed()
        option = "--gans " + " ".join(f"{g}={self.generator_checkpoint(g)}" for g in gans)
        if classifiers:
            option += " --classifiers " + " ".join(f"{c}={classifier_model(c)}" for c in classifiers)
        return option

    def probe_spec(self, wildcards=None) -> str:
        return self._json(expansion.probe_job(self.config))

    def flip_inputs(self, wildcards=None) -> dict[str, list[str] | str]:
        gans = expansion.flip_job(self.config).gans
        return {
            "gans": [self.generator_checkpoint(g.gan) for g in gans],
            "images": prepared(gans[0].dataset, "test"),  # one for all (checked)
        }

    def flip_models(self, wildcards=None) -> str:
        """``NAME=PATH`` per GAN of the flip job."""
        return " ".join(
            f"{g.gan}={self.generator_checkpoint(g.gan)}" for g in expansion.flip_job(self.config).gans
        )

    def flip_spec(self, wildcards=None) -> str:
        return self._json(expansion.flip_job(self.config))

    def datasets(self) -> list[str]:
        return sorted({spec.dataset for points in self.purify.values() for spec in points.values()})

    def targets(self) -> list[str]:
        targets = []
        if self.purify:
            targets.append(PURIFY_TABLE)
        if self.probes:
            targets += [PROBE_TABLE, paths.FLIP_SUMMARY]
        return targets
