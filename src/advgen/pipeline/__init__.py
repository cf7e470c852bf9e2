"""The pipeline layer: per-stage plans built once from the validated config.

``build(config, source)`` checks every cross-reference of the config (one ``ConfigError``
naming the file and key) and returns a :class:`~advgen.pipeline.plan.Plan` whose stage plans
(one attribute each: ``plan.robustness``) expand the config into jobs. Every job is a job kind
(:mod:`advgen.pipeline.jobkinds`: ``workflow/rules/jobs.smk`` generates its rule), every figure
family too (:mod:`advgen.pipeline.figure_kinds`); every artifact path is spelled once, in
:mod:`advgen.paths`. No torch anywhere here: the Snakefile imports it.

Adding a stage: a ``Stage`` subclass (the config's expansion: which jobs, cross-reference
checks) in ``advgen/pipeline/<stage>.py``, its job kinds in ``advgen/pipeline/jobkinds_<stage>.py``,
one attribute in :meth:`Plan.__init__ <advgen.pipeline.plan.Plan>`; its figure families are rows
of its job kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from advgen.pipeline.plan import Plan


def build(
    config: Mapping[str, Any],
    source: str = "config",
    on_unknown: Callable[[str], NoReturn] | None = None,
    configfiles: Sequence[str] = (),
) -> Plan:
    """The plans of a validated config (raises ``ConfigError`` on a dangling reference);
    ``on_unknown(message)`` is called (``sys.exit`` in the workflow) when a requested file names
    no entry of the config (:meth:`advgen.pipeline.base.Stage.unknown`)."""
    from advgen.pipeline.jobkinds import JOB_KINDS, PAGES
    from advgen.pipeline.plan import Plan

    return Plan(config, JOB_KINDS, PAGES, source, on_unknown, configfiles)
