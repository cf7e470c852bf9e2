"""The declared job kinds: one :class:`~advgen.pipeline.jobkind.JobKind` per kind of job.

``workflow/rules/jobs.smk`` generates each row's rule (name, ``input:``, ``output:``,
``log:``, ``benchmark:``, ``resources:``, ``params: spec``), ``advgen <name with dashes>`` runs
one job through the row's ``run`` function, and ``rule all`` asks for the outputs of every job
``each`` lists. A row's small plan functions (which jobs, their inputs, their typed spec) sit
next to it; they read the other stages' plans through ``plan.stages``.

Adding a job kind (``docs/contributing.md``): its output paths in ``advgen/paths.py``, its
library function and spec dataclass, one row here, and its line in ``docs/reruns.md``.
"""

from __future__ import annotations

from advgen.pipeline.jobkind import JobKind

JOB_KINDS: tuple[JobKind, ...] = ()

#: the rows by name
BY_NAME: dict[str, JobKind] = {kind.name: kind for kind in JOB_KINDS}
