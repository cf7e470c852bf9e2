"""The plan of the declared job kinds (:data:`advgen.pipeline.jobkinds.JOB_KINDS`): each
generated rule's input, output and params functions, and the outputs ``rule all`` asks for."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from advgen.config import spec_json
from advgen.pipeline.base import Stage
from advgen.pipeline.jobkind import AnyJobKind, Output, Values
from advgen.specs import spec_dict

if TYPE_CHECKING:
    from advgen.pipeline.plan import Plan


class JobsPlan(Stage):
    """The jobs of every job kind of ``kinds`` (:data:`advgen.pipeline.jobkinds.JOB_KINDS`);
    ``plan`` (every stage plan) serves the declarations."""

    def __init__(self, plan: Plan, kinds: Sequence[AnyJobKind]) -> None:
        super().__init__(plan.study)
        self.plan = plan
        self.kinds = tuple(kinds)
        self._reported: dict[str, bool] = {}

    def reported(self, kind: AnyJobKind) -> bool:
        """Whether a job of ``kind`` makes an entry of the report (an output in ``report()``)."""
        if kind.name not in self._reported:
            found = False
            for value in kind.outputs.values():
                if isinstance(value, Output) and value.report is not None:
                    found = found or bool(self.each(kind))
                elif isinstance(value, Output) and value.reports is not None:
                    found = found or any(value.reports(self.plan))
            self._reported[kind.name] = found
        return self._reported[kind.name]

    def each(self, kind: AnyJobKind) -> list[Values]:
        return kind.each(self.plan)

    def values(self, kind: AnyJobKind, wildcards: Any) -> Values:
        """One job's wildcard values; a job the config does not ask for is :meth:`Stage.unknown`."""
        values = Values({name: getattr(wildcards, name) for name in kind.wildcards})
        if values:
            known = [{k: str(v) for k, v in each.items()} for each in self.each(kind)]
            if values not in known:
                label = ", ".join(f"{k}={v}" for k, v in values.items())
                self.unknown(
                    kind.name, "job", label, [", ".join(f"{k}={v}" for k, v in e.items()) for e in known]
                )
        return values

    def wildcard_constraints(self, kind: AnyJobKind) -> dict[str, str]:
        """The rule's wildcard constraints: the kind's, where a per-seed training kind leaves out
        the runs a stacked job trains and their collect kind takes only those
        (:mod:`advgen.pipeline.stacking`)."""
        from advgen.pipeline.stacking import FAMILIES

        out = dict(kind.wildcard_constraints)
        for family in FAMILIES:
            if kind.name in (family.per_seed, family.collect):
                out[family.wildcard] = self.plan.stacking.constraint(family, out[family.wildcard], kind.name)
        return out

    def inputs(self, kind: AnyJobKind, values: Values) -> dict[str, list[str]]:
        return {name: list(files) for name, files in kind.inputs(self.plan, Values(values)).items()}

    def spec(self, kind: AnyJobKind, values: Values) -> str:
        """One job's typed spec as sorted JSON (``params.spec``)."""
        spec = kind.spec(self.plan, Values(values))
        if not isinstance(spec, kind.spec_type):
            raise TypeError(f"job kind {kind.name}: spec() returned {type(spec).__name__}")
        return spec_json(spec_dict(spec))

    def outputs(self, kind: AnyJobKind) -> dict[str, str | list[str]]:
        """The rule's outputs: name -> path template, or the list of files an :class:`Output`'s
        ``each`` names (the rule wraps folders and report entries: ``workflow/rules/jobs.smk``)."""
        out: dict[str, str | list[str]] = {}
        for name, value in kind.outputs.items():
            if isinstance(value, str):
                out[name] = value
            elif value.each is not None:
                out[name] = value.each(self.plan)
            else:
                out[name] = value.path
        return out

    def input_function(self, kind: AnyJobKind) -> Callable[[Any], dict[str, list[str]]]:
        """Input function of the kind's rule (named inputs, each a list)."""

        def inputs(wildcards: Any) -> dict[str, list[str]]:
            return self.inputs(kind, self.values(kind, wildcards))

        inputs.__name__ = f"{kind.name}_inputs"
        return inputs

    def spec_function(self, kind: AnyJobKind) -> Callable[[Any], str]:
        """Params function of the kind's rule: the job's spec."""

        def spec(wildcards: Any) -> str:
            return self.spec(kind, self.values(kind, wildcards))

        spec.__name__ = f"{kind.name}_spec"
        return spec

    def file_function(self, kind: AnyJobKind) -> Callable[[Any, Any, Any], str]:
        """Params function of the kind's rule: ``--input NAME=PATH ... --output NAME=PATH ...``
        from the job's named inputs and outputs, its tree inputs and state outputs (quoted)."""

        def files(wildcards: Any, input: Any, output: Any) -> str:
            values = {name: getattr(wildcards, name) for name in kind.wildcards}
            trees = {name: path.format(**values) for name, path in kind.trees.items()}
            state = {name: path.format(**values) for name, path in kind.state.items()}
            return command_files({**dict(input.items()), **trees}, {**dict(output.items()), **state})

        files.__name__ = f"{kind.name}_files"
        return files

    def targets(self, kinds: Sequence[AnyJobKind] | None = None) -> list[str]:
        """The target outputs (``JobKind.target``) of every job of every kind (or of ``kinds``)."""
        return [
            path
            for kind in (self.kinds if kinds is None else kinds)
            if kind.target
            for values in (kind.target_jobs or kind.each)(self.plan)
            for name, files in kind.files(self.plan, values).items()
            if kind.is_target(name)
            for path in files
        ]


def command_files(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> str:
    """The file arguments of a job's command line: ``--input`` then ``--output``, ``NAME=PATH`` each."""

    def pairs(files: Mapping[str, Any]) -> list[str]:
        return [
            shlex.quote(f"{name}={path}")
            for name, value in files.items()
            for path in ([value] if isinstance(value, str) else value)
        ]

    ins, outs = pairs(inputs), pairs(outputs)
    return " ".join([*(["--input", *ins] if ins else []), "--output", *outs])


__all__ = ["JobsPlan", "command_files"]
