"""The subcommands of the job kinds (:data:`advgen.pipeline.jobkinds.JOB_KINDS`).

``advgen <command> --spec JSON [--input NAME=PATH ...] --output NAME=PATH ...`` runs one job:
the spec is checked against its definition in ``jobs.schema.yaml`` and becomes the kind's typed
spec (:func:`advgen.jobs.load_spec`; a bad value, an unknown or missing field is one line, exit
status 2), the inputs and outputs are grouped by name (a name may repeat, its paths keep their
order: :class:`advgen.jobfiles.Files`) and the kind's library function writes the named
outputs. Every path is a file argument (:mod:`advgen.commands._files`): no output, state
outputs (a resume folder) included, may be, hold or lie inside an input or another output; a
kind's tree inputs (a results folder it scans) may hold its outputs. The generated rules
(``workflow/rules/jobs.smk``) call them so.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from advgen.commands._args import add_spec
from advgen.commands._files import add_input, add_output


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
        trees=frozenset(kind.trees),
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME=PATH",
        help="inputs: the named input files (a name may repeat)",
    )
    state = f"; state: {', '.join(kind.state)}" if kind.state else ""
    add_output(
        p,
        "--output",
        named=True,
        nargs="+",
        action="extend",
        required=True,
        metavar="NAME=PATH",
        help=f"outputs: {', '.join(kind.outputs)}{state}",
    )


def _pairs(values: list[str], option: str) -> list[tuple[str, str]]:
    from advgen.errors import ConfigError

    pairs = [value.split("=", 1) for value in values]
    if any(len(pair) != 2 or not all(pair) for pair in pairs):
        raise ConfigError(f"{option}: expected NAME=PATH entries")
    return [(name, path) for name, path in pairs]


def _grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, path in pairs:
        out.setdefault(name, []).append(path)
    return out


def main(kind: Any, args: argparse.Namespace) -> None:
    from advgen.errors import ConfigError
    from advgen.jobfiles import Files
    from advgen.jobs import load_spec

    spec = load_spec(args.spec, spec_type=kind.spec_type)
    inputs = Files(_grouped(_pairs(args.input, "--input")), "--input")
    outputs = _grouped(_pairs(args.output, "--output"))
    unknown = [name for name in outputs if name not in kind.output_names]
    missing = [name for name in kind.outputs if name not in outputs and kind.single(name)]
    if unknown or missing:
        got = ", ".join(outputs) or "none"
        raise ConfigError(f"--output: expected {', '.join(kind.output_names)}, got {got}")
    several = [name for name, paths in outputs.items() if len(paths) > 1 and kind.single(name)]
    if several:
        raise ConfigError(f"--output: {several[0]} given {len(outputs[several[0]])} times")
    kind.run(inputs, Files(outputs, "--output"), spec)
