"""Defense stage plan, over the config's expansion (:class:`advgen.defense.plan.DefenseConfig`):
the purifiers' points and the discriminator probes' sources. The jobs are job kinds
(:mod:`advgen.pipeline.jobkinds_defense`)."""

from __future__ import annotations

from advgen.defense.plan import DefenseConfig
from advgen.defense.spec import PurifySpec
from advgen.pipeline.base import Stage
from advgen.pipeline.study import Study


class DefensePlan(Stage):
    def __init__(self, study: Study, expansion: DefenseConfig) -> None:
        super().__init__(study)
        self.expansion = expansion
        expansion.check_references()
        self.purify = expansion.purify_jobs()
        self.probes = expansion.probe_sources()

    def generator_checkpoint(self, name: str) -> str:
        return self.study.generators.checkpoint(name)

    def purify_point(self, purifier: str, point: str) -> PurifySpec:
        """The spec of one point's job (:meth:`advgen.defense.plan.DefenseConfig.purify_points`)."""
        points = self.lookup(self.purify, purifier, "defense.purify.purifiers", "purifier")
        return self.lookup(points, point, f"defense.purify.purifiers.{purifier}", "point")

    def probed(self) -> tuple[list[str], list[str]]:
        """The GANs (probed, controls; each once) and the classifiers of the probe job."""
        gans = [name for family, name in self.probes if family != "classifier"]
        return list(dict.fromkeys(gans)), [name for family, name in self.probes if family == "classifier"]

    def datasets(self) -> list[str]:
        return sorted({spec.dataset for points in self.purify.values() for spec in points.values()})
