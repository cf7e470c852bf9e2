"""The pipeline layer: per-stage plans built once from the validated config.

``build(config, source)`` checks every cross-reference of the config (one ``ConfigError``
naming the file and key) and returns a :class:`Pipeline` whose stage plans (one attribute
each: ``plan.robustness``) expand the config into jobs. Every job is a job kind
(:mod:`advgen.pipeline.jobkinds`: ``workflow/rules/jobs.smk`` generates its rule), every figure
family too (:mod:`advgen.pipeline.figure_kinds`); every artifact path is spelled once, in
:mod:`advgen.paths`. No torch anywhere here: the Snakefile imports it.

Adding a stage: a ``Stage`` subclass (the config's expansion: which jobs, cross-reference
checks) beside its job kinds in ``advgen/pipeline/jobkinds_<stage>.py`` (the data, sweeps and
defense stages; :class:`advgen.pipeline.plan.Plan` reads it through a view), one attribute in
:meth:`Pipeline.__init__`; its figure families are rows of its job kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

from advgen.pipeline.base import Stage


class Pipeline:
    """Every stage's plan, by attribute; ``targets()`` is what ``rule all`` asks for.

    ``configfiles``: the config files the run was started with (as the provenance page's
    rebuild command names them)."""

    def __init__(
        self,
        config: Mapping[str, Any],
        source: str = "config",
        on_unknown: Callable[[str], NoReturn] | None = None,
        configfiles: Sequence[str] = (),
    ) -> None:
        from advgen.defense.plan import DefenseConfig
        from advgen.pipeline.claims import ClaimsPlan
        from advgen.pipeline.cv import CvPlan
        from advgen.pipeline.generative import GenerativePlan
        from advgen.pipeline.jobkinds_data import DataPlan
        from advgen.pipeline.jobkinds_defense import DefensePlan
        from advgen.pipeline.jobkinds_sweeps import SweepsPlan
        from advgen.pipeline.jobs import JobsPlan
        from advgen.pipeline.robustness import RobustnessPlan
        from advgen.pipeline.stacking import Stacking
        from advgen.pipeline.study import Study

        self.source = source
        self.configfiles = tuple(configfiles)
        self.study = Study.of(config, source)
        self.data = DataPlan(self.study)
        self.generative = GenerativePlan(self.study)
        self.generative.check()
        self.cv = CvPlan(self.study)
        study = self.study
        defense = DefenseConfig(
            study.defense, study.gans, study.classifiers, study.generators, study.seed, source
        )
        self.robustness = RobustnessPlan(study, defense)  # the masking checks read the purifiers
        # which entries (and sweep points) train their seeds as one job
        self.stacking = Stacking(study, sweeps=self.robustness.expansion)
        self.sweeps = SweepsPlan(study)
        self.defense = DefensePlan(study, defense)
        self.jobs = JobsPlan(self)  # the job kinds (advgen.pipeline.jobkinds)
        from advgen.pipeline.jobkinds_claims import KINDS as PAGES

        before = (self.data, self.generative, self.cv, self.robustness, self.sweeps, self.defense)
        others = [t for stage in before for t in stage.targets()]
        others += self.jobs.targets([kind for kind in self.jobs.kinds() if kind not in PAGES])
        self.claims = ClaimsPlan(study, self.sweeps.grid, others)  # what a claim may read
        self.stages: tuple[Stage, ...] = (*before, self.jobs, self.claims)
        for stage in self.stages:  # a requested file that no entry makes: one line
            stage.on_unknown = on_unknown

    def targets(self) -> list[str]:
        """The final outputs of every stage, in stage order (each once)."""
        return list(dict.fromkeys(t for stage in self.stages for t in stage.targets()))


def build(
    config: Mapping[str, Any],
    source: str = "config",
    on_unknown: Callable[[str], NoReturn] | None = None,
    configfiles: Sequence[str] = (),
) -> Pipeline:
    """The plans of a validated config (raises ``ConfigError`` on a dangling reference);
    ``on_unknown(message)`` is called (``sys.exit`` in the workflow) when a requested file names
    no entry of the config (:meth:`advgen.pipeline.base.Stage.unknown`)."""
    return Pipeline(config, source, on_unknown, configfiles)
