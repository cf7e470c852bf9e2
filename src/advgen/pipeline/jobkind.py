"""A job kind, declared once: the rule and the ``advgen`` subcommand are generated from it.

A :class:`JobKind` holds what Snakemake and the command line need to know of one kind of job:

- ``name``: the rule's name; ``advgen <name with dashes>`` runs one job;
- ``outputs``: output name -> path template of :mod:`advgen.paths` (their wildcards are the
  job's; every output has the same ones);
- ``each(plan)``: the wildcard values of every job the config asks for (``[{}]``: one job,
  ``[]``: none), whose outputs ``rule all`` asks for (unless ``target`` is false: jobs that
  only other jobs' inputs ask for, such as the downloads);
- ``inputs(plan, values)``: one job's input files by name (name -> list of paths);
- ``spec(plan, values)``: one job's typed spec, an instance of ``spec_type`` (a frozen
  dataclass of the library), built from the validated config; it crosses the command line
  as sorted JSON (the rule's ``params.spec``, so a changed value reruns exactly that job);
- ``run(inputs, outputs, spec)``: the library function that does the job and writes its
  outputs atomically (``advgen.io``);
- ``resources`` and ``threads`` of the rule; ``local``: a local rule (a small job that reads
  small files: no cluster submission of its own); ``wildcard_constraints``: the rule's;
  ``job``: the job's name in its log and benchmark paths (default: the wildcards joined by
  ``/``, or the kind's name).

``plan`` is the :class:`advgen.pipeline.jobs.JobsPlan`, whose ``stages`` reach every stage
plan. The table of job kinds is :data:`advgen.pipeline.jobkinds.JOB_KINDS`;
``workflow/rules/jobs.smk`` generates one rule per row and ``advgen.commands._jobkind`` one
subcommand. :func:`typed_spec` is the command line's boundary: unknown or missing fields of
``--spec`` are one-line errors. No torch or pandas here: the Snakefile and the CLI import it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from string import Formatter
from typing import Any

from advgen import paths
from advgen.specs import spec_dict, typed_spec

__all__ = ["ONCE", "JobKind", "Values", "spec_dict", "typed_spec"]

Values = dict[str, Any]
#: the one job of a kind without wildcards
ONCE: list[Values] = [{}]


@dataclass(frozen=True)
class JobKind:
    """One kind of job (module docstring)."""

    name: str
    help: str
    outputs: dict[str, str] = field(hash=False)
    each: Callable[[Any], list[Values]]
    inputs: Callable[[Any, Values], dict[str, list[str]]]
    spec: Callable[[Any, Values], Any]
    spec_type: type
    run: Callable[[Mapping[str, Sequence[str]], Mapping[str, str], Any], None]
    resources: dict[str, int] = field(default_factory=dict, hash=False)
    threads: int = 1
    local: bool = False
    wildcard_constraints: dict[str, str] = field(default_factory=dict, hash=False)
    job: str | None = None
    target: bool = True

    def __post_init__(self) -> None:
        if not dataclasses.is_dataclass(self.spec_type):
            raise TypeError(f"job kind {self.name}: spec_type must be a dataclass")
        shapes = {tuple(_wildcards(path)) for path in self.outputs.values()}
        if len(shapes) != 1:
            raise ValueError(f"job kind {self.name}: its outputs must have the same wildcards")

    @property
    def command(self) -> str:
        """The ``advgen`` subcommand that runs one job."""
        return self.name.replace("_", "-")

    @property
    def wildcards(self) -> list[str]:
        return _wildcards(next(iter(self.outputs.values())))

    @property
    def _job(self) -> str:
        """A job's name in its log and benchmark paths: ``job``, else the wildcards, else the
        kind's name."""
        return self.job or "/".join(f"{{{w}}}" for w in self.wildcards) or self.name

    @property
    def log(self) -> str:
        return paths.log(self.name, self._job)

    @property
    def benchmark(self) -> str:
        return paths.benchmark(self.name, self._job)

    def files(self, values: Values) -> dict[str, str]:
        """One job's outputs."""
        return {name: path.format(**values) for name, path in self.outputs.items()}


def _wildcards(path: str) -> list[str]:
    return [name for _, name, _, _ in Formatter().parse(path) if name]
