"""A job kind, declared once: the rule and the ``advgen`` subcommand are generated from it.

Every job of the workflow is a :class:`JobKind` (but the CV's two rules, which call the CV's
own command line). A kind holds what Snakemake and the command line need to know of one kind
of job:

- ``name``: the rule's name; ``advgen <command>`` runs one job (``command``: the name with
  dashes, unless given);
- ``outputs``: output name -> path template of :mod:`advgen.paths` (their wildcards are the
  job's; every output has the same ones), or an :class:`Output`: a folder (``directory``), a
  report entry (``report``: the keyword arguments of Snakemake's ``report()``), or a list of
  files the config names (``each(plan)``: paths, or templates with the job's wildcards; a
  report entry per file: ``reports(plan)``, in the same order). A kind whose outputs are all
  such lists has no wildcards: one job (a figure family's);
- ``state``: outputs the command writes but the rule does not declare (a training job's resume
  folder or file: Snakemake deletes declared outputs of a failed job, and a resume needs them);
  they cross the command line as ``--output NAME=PATH`` like the others;
- ``trees``: input folders the command reads without the rule declaring them (a results folder
  whose tables it finds itself; ``--input NAME=PATH``, outputs may lie inside it);
- ``each(plan)``: the wildcard values of every job the config asks for (``[{}]``: one job,
  ``[]``: none), whose outputs ``rule all`` asks for (``target``: all of them, none, or the
  named ones; ``target_jobs(plan)``: of those jobs only, e.g. the configured classifiers and not
  the sweeps' points, which the sweep tables ask for);
- ``inputs(plan, values)``: one job's input files by name (name -> list of paths);
- ``spec(plan, values)``: one job's typed spec, an instance of ``spec_type`` (a frozen
  dataclass of the library), built from the validated config; it crosses the command line
  as sorted JSON (the rule's ``params.spec``, so a changed value reruns exactly that job);
- ``run(inputs, outputs, spec)``: the library function that does the job and writes its
  outputs atomically (``advgen.io``); ``inputs`` and ``outputs`` are
  :class:`advgen.jobfiles.Files`;
- ``resources`` and ``threads`` of the rule; ``local``: a local rule (a small job that reads
  small files: no cluster submission of its own); ``wildcard_constraints``: the rule's;
  ``job``: the job's name in its log and benchmark paths (default: the wildcards joined by
  ``/``, or the kind's name).

``JobKind[S]``'s ``S`` is the spec's type: the type checker infers it per row (the stage modules
leave their tables unannotated) and reports a row whose ``spec``, ``spec_type`` and ``run``
disagree. What reads a row whatever its spec (the workflow, the command line, the job schema's
writer) takes an :class:`AnyJobKind`. :func:`no_inputs` and :func:`no_settings` serve the rows
of jobs that read no file or take no settings.

``plan`` is the :class:`advgen.pipeline.plan.Plan`:
every stage plan by attribute (``plan.robustness``). The table of job kinds is
:data:`advgen.pipeline.jobkinds.JOB_KINDS`; ``workflow/rules/jobs.smk`` generates one rule per
row and ``advgen.commands._jobkind`` one subcommand. :func:`typed_spec` is the command line's
boundary: unknown or missing fields of ``--spec`` are one-line errors. No torch or pandas here:
the Snakefile and the CLI import it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from string import Formatter
from typing import TYPE_CHECKING, Any, Generic, Never, TypeVar

from advgen import paths
from advgen.jobfiles import Files
from advgen.specs import NoSettings

if TYPE_CHECKING:
    from advgen.pipeline.plan import Plan

__all__ = ["ONCE", "AnyJobKind", "JobKind", "Output", "Values", "no_inputs", "no_settings"]


class Values(dict[str, Any]):
    """The wildcard values of one job (or figure): name -> value, read as attributes
    (``values.classifier``); every value the workflow gives is a string."""

    def __getattr__(self, name: str) -> str:
        try:
            return str(self[name])
        except KeyError:
            raise AttributeError(name) from None


#: the one job of a kind without wildcards
ONCE: list[Values] = [Values()]

S = TypeVar("S")


@dataclass(frozen=True)
class Output:
    """One output of a job kind beyond a plain file (see the module docstring)."""

    path: str = ""
    directory: bool = False
    report: Mapping[str, Any] | None = field(default=None, hash=False)
    each: Callable[[Plan], list[str]] | None = None
    reports: Callable[[Plan], list[Mapping[str, Any]]] | None = None

    def __post_init__(self) -> None:
        if bool(self.path) == (self.each is not None):
            raise ValueError("an Output is a path template or a list of files (each), not both")
        if self.reports is not None and self.each is None:
            raise ValueError("an Output's reports (one per file) need a list of files (each)")


@dataclass(frozen=True)
class AnyJobKind:
    """A job kind whatever its spec's type: what the workflow, the command line and the job
    schema read of a row (module docstring). Rows are :class:`JobKind`, whose type parameter
    ties ``spec``, ``spec_type`` and ``run`` together; here ``run`` takes no spec a caller could
    pass (``Never``): a job runs through its typed row."""

    name: str
    help: str
    outputs: Mapping[str, str | Output] = field(hash=False)
    each: Callable[[Plan], list[Values]]
    inputs: Callable[[Plan, Values], Mapping[str, list[str]]]
    spec: Callable[[Plan, Values], object]
    spec_type: type[object]
    run: Callable[[Files, Files, Never], None]
    state: Mapping[str, str] = field(default_factory=dict, hash=False)
    trees: Mapping[str, str] = field(default_factory=dict, hash=False)
    resources: Mapping[str, int] = field(default_factory=dict, hash=False)
    threads: int = 1
    local: bool = False
    wildcard_constraints: Mapping[str, str] = field(default_factory=dict, hash=False)
    job: str | None = None
    target: bool | tuple[str, ...] = True
    target_jobs: Callable[[Plan], list[Values]] | None = None
    command_name: str = ""

    def __post_init__(self) -> None:
        if not dataclasses.is_dataclass(self.spec_type):
            raise TypeError(f"job kind {self.name}: spec_type must be a dataclass")
        shapes = {tuple(_wildcards(path)) for path in self.templates.values()}
        if len(shapes) > 1:
            raise ValueError(f"job kind {self.name}: its outputs must have the same wildcards")
        if set(self.state) & set(self.outputs) or set(self.trees) & set(self.outputs):
            raise ValueError(f"job kind {self.name}: a state output or tree input reuses an output's name")
        if isinstance(self.target, tuple) and not set(self.target) <= set(self.outputs):
            raise ValueError(f"job kind {self.name}: target names no output")

    @property
    def command(self) -> str:
        """The ``advgen`` subcommand that runs one job."""
        return self.command_name or self.name.replace("_", "-")

    @property
    def templates(self) -> dict[str, str]:
        """The outputs that are path templates (name -> template)."""
        out = {}
        for name, value in self.outputs.items():
            if isinstance(value, str):
                out[name] = value
            elif value.path:
                out[name] = value.path
        return out

    @property
    def output_names(self) -> tuple[str, ...]:
        """Every name ``--output`` may give: the outputs, then the state outputs."""
        return (*self.outputs, *self.state)

    def single(self, name: str) -> bool:
        """Whether output ``name`` is one file (not a list the config names)."""
        value = self.outputs.get(name)
        return not isinstance(value, Output) or value.each is None

    @property
    def wildcards(self) -> list[str]:
        """The job's wildcards: its path templates' (none: one job)."""
        return next((_wildcards(path) for path in self.templates.values()), [])

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

    def is_target(self, name: str) -> bool:
        """Whether ``rule all`` asks for output ``name`` of every job."""
        return self.target if isinstance(self.target, bool) else name in self.target

    def files(self, plan: Plan, values: Values) -> dict[str, list[str]]:
        """One job's outputs (name -> paths), state outputs left out."""
        out: dict[str, list[str]] = {}
        for name, value in self.outputs.items():
            if isinstance(value, Output) and value.each is not None:
                out[name] = [path.format(**values) for path in value.each(plan)]
            else:
                out[name] = [(value if isinstance(value, str) else value.path).format(**values)]
        return out


@dataclass(frozen=True)
class JobKind(AnyJobKind, Generic[S]):
    """One row of the job-kind table (module docstring): its spec function's return type,
    ``spec_type`` and ``run``'s spec parameter are one type ``S``, which the type checker infers
    per row (a row whose three disagree is a type error)."""

    spec: Callable[[Plan, Values], S]
    spec_type: type[S]
    run: Callable[[Files, Files, S], None]


def no_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The inputs of a job that reads no file."""
    return {}


def no_settings(plan: Plan, values: Values) -> NoSettings:
    """The spec of a job that takes no settings (:class:`advgen.specs.NoSettings`)."""
    return NoSettings()


def _wildcards(path: str) -> list[str]:
    return [name for _, name, _, _ in Formatter().parse(path) if name]
