"""Defense stage plan: purification points, discriminator probes, real->fake flips.

The expansion itself is :mod:`advgen.defense.plan`.
"""

from __future__ import annotations

from advgen.config import spec_json
from advgen.defense import plan as expansion
from advgen.pipeline import paths
from advgen.pipeline.base import Stage, classifier_model, prepared, splits
from advgen.pipeline.generative import generator_checkpoint

POINT = expansion.POINT_PATTERN
PROBE_FAMILY = "|".join(expansion.PROBE_FAMILIES)
TABLES = "purify|probe"


class DefensePlan(Stage):
    def __init__(self, config, source="config"):
        super().__init__(config, source)
        expansion.check_references(config, source)
        self.purify = {(p.purifier, p.point): p for p in expansion.purify_points(config)}
        self.probes = expansion.probe_sources(config)

    def generator_checkpoint(self, name: str) -> str:
        return generator_checkpoint(self.config, name)

    def purify_job(self, wildcards) -> dict:
        key = (wildcards.purifier, wildcards.point)
        if key not in self.purify:
            raise ValueError(f"defense.purify: no job {key[0]}/{key[1]} in the config")
        return self.purify[key].spec

    def purify_inputs(self, wildcards) -> dict[str, str]:
        spec = self.purify_job(wildcards)
        inputs = {"classifier": classifier_model(spec["classifier"]), "images": prepared(spec["dataset"], "test")}
        if spec["generator"]:
            inputs["generator"] = self.generator_checkpoint(spec["generator"])
        return inputs

    def purify_generator_option(self, wildcards) -> str:
        spec = self.purify_job(wildcards)
        return f"--generator {self.generator_checkpoint(spec['generator'])}" if spec["generator"] else ""

    def purify_spec(self, wildcards) -> str:
        return spec_json(dict(self.purify_job(wildcards), device=self.device))

    def probe_inputs(self, wildcards) -> dict[str, str]:
        spec = expansion.probe_spec(self.config, wildcards.family, wildcards.source)
        if wildcards.family == "classifier":
            model = classifier_model(wildcards.source)
        else:
            model = self.generator_checkpoint(wildcards.source)
        return {"model": model, **splits(spec["dataset"])}

    def probe_spec(self, wildcards) -> str:
        spec = expansion.probe_spec(self.config, wildcards.family, wildcards.source)
        return spec_json(dict(spec, device=self.device))

    def flip_inputs(self, wildcards) -> dict[str, str]:
        spec = expansion.flip_spec(self.config, wildcards.gan)
        return {"gan": self.generator_checkpoint(wildcards.gan), "images": prepared(spec["dataset"], "test")}

    def flip_spec(self, wildcards) -> str:
        spec = expansion.flip_spec(self.config, wildcards.gan)
        return spec_json(dict(spec, device=self.device))

    def tables(self, wildcards) -> list[str]:
        """The per-job tables that results/defense/{table}.parquet concatenates."""
        if wildcards.table == "purify":
            return [paths.PURIFY.format(purifier=p, point=pt) for p, pt in self.purify]
        return [paths.PROBE.format(family=f, source=s) for f, s in self.probes]

    def flip_tables(self, wildcards=None) -> list[str]:
        return [paths.FLIP.format(gan=gan) for gan in self.section("defense")["probe"]["gans"]]

    def datasets(self) -> list[str]:
        return sorted({p.spec["dataset"] for p in self.purify.values()})

    def targets(self) -> list[str]:
        targets = []
        if self.purify:
            targets.append(paths.DEFENSE_TABLE.format(table="purify"))
        if self.probes:
            targets += [paths.DEFENSE_TABLE.format(table="probe"), paths.FLIP_SUMMARY]
        return targets
