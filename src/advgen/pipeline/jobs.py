"""The plan of the declared job kinds (:data:`advgen.pipeline.jobkinds.JOB_KINDS`): each
generated rule's input and params functions, and the outputs ``rule all`` asks for."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping
from typing import Any

from advgen.config import spec_json
from advgen.pipeline.base import Stage
from advgen.pipeline.jobkind import JobKind, Values, spec_dict


class JobsPlan(Stage):
    """Every declared job kind's jobs; ``stages`` (the other stage plans) serve the declarations."""

    def __init__(self, config: Mapping[str, Any], stages: Mapping[str, Stage], source: str = "config"):
        super().__init__(config, source)
        self.stages = stages

    @staticmethod
    def kinds() -> tuple[JobKind, ...]:
        from advgen.pipeline.jobkinds import JOB_KINDS

        return JOB_KINDS

    def values(self, kind: JobKind, wildcards: Any) -> Values:
        """One job's wildcard values; a job the config does not ask for is :meth:`Stage.unknown`."""
        values = {name: getattr(wildcards, name) for name in kind.wildcards}
        if values:
            known = [{k: str(v) for k, v in each.items()} for each in kind.each(self)]
            if values not in known:
                label = ", ".join(f"{k}={v}" for k, v in values.items())
                self.unknown(
                    kind.name, "job", label, [", ".join(f"{k}={v}" for k, v in e.items()) for e in known]
                )
        return values

    def inputs(self, kind: JobKind, values: Values) -> dict[str, list[str]]:
        return {name: list(files) for name, files in kind.inputs(self, values).items()}

    def spec(self, kind: JobKind, values: Values) -> str:
        """One job's typed spec as sorted JSON (``params.spec``)."""
        spec = kind.spec(self, values)
        if not isinstance(spec, kind.spec_type):
            raise TypeError(f"job kind {kind.name}: spec() returned {type(spec).__name__}")
        return spec_json(spec_dict(spec))

    def input_function(self, kind: JobKind) -> Callable:
        """Input function of the kind's rule (named inputs, each a list)."""

        def inputs(wildcards: Any) -> dict[str, list[str]]:
            return self.inputs(kind, self.values(kind, wildcards))

        inputs.__name__ = f"{kind.name}_inputs"
        return inputs

    def spec_function(self, kind: JobKind) -> Callable:
        """Params function of the kind's rule: the job's spec."""

        def spec(wildcards: Any) -> str:
            return self.spec(kind, self.values(kind, wildcards))

        spec.__name__ = f"{kind.name}_spec"
        return spec

    @staticmethod
    def file_arguments(wildcards: Any, input: Any, output: Any) -> str:
        """Params function of every generated rule: ``--input NAME=PATH ... --output NAME=PATH ...``
        from the job's named inputs and outputs (quoted for the shell)."""
        return command_files(dict(input.items()), dict(output.items()))

    def targets(self) -> list[str]:
        return [
            path
            for kind in self.kinds()
            if kind.target
            for values in kind.each(self)
            for path in kind.files(values).values()
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
