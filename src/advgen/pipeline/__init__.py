"""The pipeline layer: per-stage plans built once from the validated config.

``build(config, source)`` checks every cross-reference of the config (one ``ConfigError``
naming the file and key) and returns a :class:`Pipeline` whose stage plans give
``workflow/rules/*.smk`` their targets, input functions and job specs. Every artifact path
is spelled once, in :mod:`advgen.paths`; the figure table is
:mod:`advgen.pipeline.figures`. No torch anywhere here: the Snakefile imports it.

Adding a stage: a ``Stage`` subclass in ``advgen/pipeline/<stage>.py`` (its ``targets()``
and the input/spec methods of its rules), its path templates in ``advgen/paths.py``, one line in
:meth:`Pipeline.__init__`, and ``workflow/rules/<stage>.smk`` calling ``PIPE.<stage>.<method>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Pipeline:
    """Every stage's plan; ``targets()`` is what ``rule all`` asks for."""

    def __init__(self, config: Mapping[str, Any], source: str = "config", on_unknown: Any = None):
        from advgen.pipeline.claims import ClaimsPlan
        from advgen.pipeline.cv import CvPlan
        from advgen.pipeline.data import DataPlan
        from advgen.pipeline.defense import DefensePlan
        from advgen.pipeline.figures import FiguresPlan
        from advgen.pipeline.generative import GenerativePlan
        from advgen.pipeline.jobs import JobsPlan
        from advgen.pipeline.provenance import ProvenancePlan
        from advgen.pipeline.robustness import RobustnessPlan
        from advgen.pipeline.sweeps import SweepsPlan

        self.data = DataPlan(config, source)
        self.generative = GenerativePlan(config, source)
        self.generative.check()
        self.cv = CvPlan(config, source)
        self.robustness = RobustnessPlan(config, source)
        self.sweeps = SweepsPlan(config, source)
        self.defense = DefensePlan(config, source)
        stages = {
            "data": self.data,
            "generative": self.generative,
            "cv": self.cv,
            "robustness": self.robustness,
            "sweeps": self.sweeps,
            "defense": self.defense,
        }
        self.jobs = JobsPlan(config, stages, source)  # the declared job kinds (advgen.pipeline.jobkinds)
        stages = {**stages, "jobs": self.jobs}
        self.figures = FiguresPlan(config, stages, source)
        self.stages = {**stages, "figures": self.figures}
        self.claims = ClaimsPlan(config, self.stages, source)
        self.stages = {**self.stages, "claims": self.claims}
        self.provenance = ProvenancePlan(config, self.stages, source)
        self.stages = {**self.stages, "provenance": self.provenance}
        for stage in self.stages.values():  # a requested file that no entry makes: one line
            stage.on_unknown = on_unknown

    def targets(self) -> list[str]:
        """The final outputs of every stage, in stage order."""
        return [t for stage in self.stages.values() for t in stage.targets()]


def build(config: Mapping[str, Any], source: str = "config", on_unknown: Any = None) -> Pipeline:
    """The plans of a validated config (raises ``ConfigError`` on a dangling reference);
    ``on_unknown(message)`` is called (``sys.exit`` in the workflow) when a requested file names
    no entry of the config (:meth:`advgen.pipeline.base.Stage.unknown`)."""
    return Pipeline(config, source, on_unknown)
