"""What the job kinds' and the figure rows' plan functions read: :class:`Plan`, the stage plans
by attribute (``plan.robustness``), typed as a protocol so the rows' modules depend on the stage
plans only (the :class:`advgen.pipeline.Pipeline` that implements it imports the rows).

The data, sweeps and defense stages' plans share their module with the stage's rows
(``jobkinds_<stage>.py``, one module per stage); :class:`Plan` reads them through a view (the
part of the plan the rows call), so that this module does not import the rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from advgen.claims.page.page_spec import ClaimsPageSpec
from advgen.data.spec import DatasetSpec
from advgen.defense.plan import DefenseConfig
from advgen.defense.spec import PurifySpec
from advgen.pipeline.cv import CvPlan
from advgen.pipeline.generative import GenerativePlan
from advgen.pipeline.robustness import RobustnessPlan
from advgen.pipeline.stacking import Stacking
from advgen.pipeline.study import Study
from advgen.sweeps.grid import GridPoint, SweepPlan


class DataView(Protocol):
    """What the data stage's job kinds read of its plan (:class:`advgen.pipeline.jobkinds_data.DataPlan`)."""

    def dataset(self, name: str) -> DatasetSpec: ...

    def names(self) -> list[str]: ...

    def downloads(self, name: str) -> bool: ...


class SweepsView(Protocol):
    """What the sweeps' job kinds and figure rows read of its plan
    (:class:`advgen.pipeline.jobkinds_sweeps.SweepsPlan`)."""

    @property
    def grid(self) -> SweepPlan: ...

    def point(self, sweep: str, generator: str, label: str) -> GridPoint: ...

    def point_files(self, sweep: str, template: str, generator: str | None = None) -> list[str]: ...

    def sweeps(self) -> list[str]: ...

    def points(self, sweep: str) -> list[GridPoint]: ...


class DefenseView(Protocol):
    """What the defense stage's job kinds and figure rows read of its plan
    (:class:`advgen.pipeline.jobkinds_defense.DefensePlan`)."""

    @property
    def expansion(self) -> DefenseConfig: ...

    @property
    def purify(self) -> dict[str, dict[str, PurifySpec]]: ...

    @property
    def probes(self) -> list[tuple[str, str]]: ...

    def generator_checkpoint(self, name: str) -> str: ...

    def purify_point(self, purifier: str, point: str) -> PurifySpec: ...

    def probed(self) -> tuple[list[str], list[str]]: ...

    def datasets(self) -> list[str]: ...


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
    """Every stage plan of a config (:class:`advgen.pipeline.Pipeline`); the rows read them, never
    set them."""

    study: Study
    stacking: Stacking
    generative: GenerativePlan
    cv: CvPlan
    robustness: RobustnessPlan

    @property
    def data(self) -> DataView: ...

    @property
    def sweeps(self) -> SweepsView: ...

    @property
    def defense(self) -> DefenseView: ...

    @property
    def configfiles(self) -> Sequence[str]: ...

    @property
    def claims(self) -> ClaimsView: ...

    def targets(self) -> list[str]: ...
