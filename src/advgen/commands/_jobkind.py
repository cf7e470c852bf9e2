"""The subcommands of the declared job kinds (:data:`advgen.pipeline.jobkinds.JOB_KINDS`).

``advgen <kind name with dashes> --spec JSON [--input NAME=PATH ...] --output NAME=PATH ...``
runs one job: the spec is checked against its definition in ``jobs.schema.yaml`` and becomes the
kind's typed spec (:func:`advgen.jobs.load_spec`; a bad value, an unknown or missing field is one
line, exit status 2), the inputs are grouped by name (a name may repeat, its paths keep their order)
and the kind's library function writes the named outputs. The generated rules
(``workflow/rules/jobs.smk``) call them so.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from advgen.commands._args import add_input, add_output, add_spec


def commands() -> dict[str, Any]:
    """Subcommand -> its job kind."""
    from advgen.pipeline.jobkinds import JOB_KINDS

    return {kind.command: kind for kind in JOB_KINDS}


def add_arguments(p: argparse.ArgumentParser, kind: Any) -> None:
    fields = ", ".join(f.name for f in dataclasses.fields(kind.spec_type))
    add_spec(
        p,
        kind.spec_type.__name__,
        required=True,
        help=f"the job's spec as JSON ({kind.spec_type.__name__}: {fields})",
    )
    add_input(
        p,
        "--input",
        named=True,
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME=PATH",
        help="inputs: the named input files (a name may repeat)",
    )
    add_output(
        p,
        "--output",
        named=True,
        nargs="+",
        action="extend",
        required=True,
        metavar="NAME=PATH",
        help=f"outputs: {', '.join(kind.outputs)}",
    )


def _pairs(values: list[str], option: str) -> list[tuple[str, str]]:
    from advgen.errors import ConfigError

    pairs = [tuple(v.split("=", 1)) for v in values]
    if any(len(pair) != 2 or not all(pair) for pair in pairs):
        raise ConfigError(f"{option}: expected NAME=PATH entries")
    return pairs  # type: ignore[return-value]


def main(kind: Any, args: argparse.Namespace) -> None:
    from advgen.errors import ConfigError
    from advgen.jobs import load_spec

    spec = load_spec(args.spec, spec_type=kind.spec_type)
    inputs: dict[str, list[str]] = {}
    for name, path in _pairs(args.input, "--input"):
        inputs.setdefault(name, []).append(path)
    outputs = dict(_pairs(args.output, "--output"))
    if sorted(outputs) != sorted(kind.outputs):
        raise ConfigError(f"--output: expected {', '.join(kind.outputs)}, got {', '.join(outputs) or 'none'}")
    kind.run(inputs, outputs, spec)
