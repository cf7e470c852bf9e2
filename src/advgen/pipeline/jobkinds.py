"""The job kinds: one :class:`~advgen.pipeline.jobkind.JobKind` per kind of job, every job of the
workflow (but the CV's, ``workflow/rules/cv.smk``), the figure families' included
(:mod:`advgen.pipeline.figure_kinds`).

``workflow/rules/jobs.smk`` generates each row's rule (name, ``input:``, ``output:``, ``log:``,
``benchmark:``, ``resources:``, ``params: spec``), ``advgen <command>`` runs one job through the
row's ``run`` function, and ``rule all`` asks for the target outputs of every job ``each``
lists. Each stage's rows and their small plan functions (which jobs, their inputs, their typed
spec) sit in a module of their own; they read the stage plans by attribute (``plan.robustness``).

Adding a job kind (``docs/contributing.md``): its output paths in ``advgen/paths.py``, its
library function and spec (its fields' schema metadata), one row in its stage's module, and its
line in ``docs/reruns.md``; ``python -m advgen.registries --write`` writes its spec's definition.
"""

from __future__ import annotations

from advgen.pipeline import (
    jobkinds_claims,
    jobkinds_data,
    jobkinds_defense,
    jobkinds_features,
    jobkinds_generative,
    jobkinds_robustness,
    jobkinds_robustness_figures,
    jobkinds_stacked,
    jobkinds_sweeps,
    jobkinds_transfer,
)
from advgen.pipeline.jobkind import AnyJobKind

#: every job kind, stage by stage
JOB_KINDS: tuple[AnyJobKind, ...] = (
    *jobkinds_data.KINDS,
    *jobkinds_generative.KINDS,
    *jobkinds_generative.FIGURE_KINDS,
    *jobkinds_robustness.KINDS,
    *jobkinds_robustness_figures.KINDS,
    *jobkinds_stacked.KINDS,
    *jobkinds_transfer.KINDS,
    *jobkinds_features.KINDS,
    *jobkinds_sweeps.KINDS,
    *jobkinds_sweeps.FIGURE_KINDS,
    *jobkinds_defense.KINDS,
    *jobkinds_defense.FIGURE_KINDS,
    *jobkinds_claims.KINDS,
)

#: the kinds that read what the other jobs make (the claims page, the GAN report's facts the claims
#: read, the findings, the provenance page): a claim may read the outputs of every kind but these
PAGES: tuple[AnyJobKind, ...] = jobkinds_claims.KINDS

#: the rows by name
BY_NAME: dict[str, AnyJobKind] = {kind.name: kind for kind in JOB_KINDS}
