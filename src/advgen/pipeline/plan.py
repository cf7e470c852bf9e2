"""What the job kinds' and the figure rows' plan functions read: :class:`Plan`, the stage plans
by attribute (``plan.robustness``), typed as a protocol so the rows' modules depend on the stage
plans only (the :class:`advgen.pipeline.Pipeline` that implements it imports the rows)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from advgen.claims.page.page_spec import ClaimsPageSpec
from advgen.pipeline.cv import CvPlan
from advgen.pipeline.data import DataPlan
from advgen.pipeline.defense import DefensePlan
from advgen.pipeline.generative import GenerativePlan
from advgen.pipeline.robustness import RobustnessPlan
from advgen.pipeline.study import Study
from advgen.pipeline.sweeps import SweepsPlan


class ClaimsView(Protocol):
    """What the claims stage's job kinds read of its plan (:class:`advgen.pipeline.claims.ClaimsPlan`)."""

    @property
    def claims_file(self) -> str | None: ...

    @property
    def sources(self) -> list[str]: ...

    def tables(self) -> list[str]: ...

    def manifests(self) -> list[str]: ...

    def command_spec(self) -> ClaimsPageSpec: ...

    @property
    def freeze(self) -> str | None: ...


class Plan(Protocol):
    """Every stage plan of a config (:class:`advgen.pipeline.Pipeline`)."""

    @property
    def study(self) -> Study: ...

    @property
    def configfiles(self) -> Sequence[str]: ...

    @property
    def data(self) -> DataPlan: ...

    @property
    def generative(self) -> GenerativePlan: ...

    @property
    def cv(self) -> CvPlan: ...

    @property
    def robustness(self) -> RobustnessPlan: ...

    @property
    def sweeps(self) -> SweepsPlan: ...

    @property
    def defense(self) -> DefensePlan: ...

    @property
    def claims(self) -> ClaimsView: ...

    def targets(self) -> list[str]: ...
