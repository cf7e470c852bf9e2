"""Every stage plan of a config, by attribute: :class:`Plan`, what :func:`advgen.pipeline.build`
returns and what the job kinds' plan functions read (``plan.robustness``).

A stage plan is the config's expansion into one stage's jobs, in ``advgen/pipeline/<stage>.py``
(:class:`~advgen.pipeline.data.DataPlan`, :class:`~advgen.pipeline.robustness.RobustnessPlan`,
...); the stage's job kinds are rows in ``advgen/pipeline/jobkinds_<stage>.py``. The rows' modules
import this one, so the table of job kinds is handed to :class:`Plan` by
:func:`advgen.pipeline.build` rather than imported here."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, NoReturn

from advgen.defense.plan import DefenseConfig
from advgen.pipeline.base import Stage
from advgen.pipeline.claims import ClaimsPlan
from advgen.pipeline.cv import CvPlan
from advgen.pipeline.data import DataPlan
from advgen.pipeline.defense import DefensePlan
from advgen.pipeline.generative import GenerativePlan
from advgen.pipeline.jobkind import AnyJobKind
from advgen.pipeline.jobs import JobsPlan
from advgen.pipeline.robustness import RobustnessPlan
from advgen.pipeline.stacking import Stacking
from advgen.pipeline.study import Study
from advgen.pipeline.sweeps import SweepsPlan


class Plan:
    """Every stage's plan, by attribute; ``targets()`` is what ``rule all`` asks for.

    ``kinds``: the job kinds (:data:`advgen.pipeline.jobkinds.JOB_KINDS`); ``pages``: those of them
    that read what the other jobs make (:data:`advgen.pipeline.jobkinds.PAGES`): a claim may read
    the outputs of every stage and job kind but theirs. ``configfiles``: the config files the run
    was started with (as the provenance page's rebuild command names them)."""

    def __init__(
        self,
        config: Mapping[str, Any],
        kinds: Sequence[AnyJobKind],
        pages: Collection[AnyJobKind],
        source: str = "config",
        on_unknown: Callable[[str], NoReturn] | None = None,
        configfiles: Sequence[str] = (),
    ) -> None:
        self.source = source
        self.configfiles = tuple(configfiles)
        self.study = study = Study.of(config, source)
        self.data = DataPlan(study)
        self.generative = GenerativePlan(study)
        self.generative.check()
        self.cv = CvPlan(study)
        defense = DefenseConfig(
            study.defense, study.gans, study.classifiers, study.generators, study.seed, source
        )
        self.robustness = RobustnessPlan(study, defense)  # the masking checks read the purifiers
        # which entries (and sweep points) train their seeds as one job
        self.stacking = Stacking(study, sweeps=self.robustness.expansion)
        self.sweeps = SweepsPlan(study)
        self.defense = DefensePlan(study, defense)
        self.jobs = JobsPlan(self, kinds)
        before: tuple[Stage, ...] = (
            self.data,
            self.generative,
            self.cv,
            self.robustness,
            self.sweeps,
            self.defense,
        )
        others = [t for stage in before for t in stage.targets()]
        others += self.jobs.targets([kind for kind in kinds if kind not in pages])
        self.claims = ClaimsPlan(study, self.sweeps.grid, others)  # what a claim may read
        self.stages: tuple[Stage, ...] = (*before, self.jobs, self.claims)
        for stage in self.stages:  # a requested file that no entry makes: one line
            stage.on_unknown = on_unknown

    def targets(self) -> list[str]:
        """The final outputs of every stage, in stage order (each once)."""
        return list(dict.fromkeys(t for stage in self.stages for t in stage.targets()))
