"""Arguments several commands share (one definition each, the same help everywhere), and the
file arguments (:mod:`advgen.commands._files`): every argument naming a file (or folder) a
command reads is added with :func:`add_input`, every one naming what it writes with
:func:`add_output`, so that the command line refuses an output that is, holds or lies inside
an input or another output (:func:`overwritten_input`) for every command.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from advgen.commands._files import (
    DERIVED,
    FileArg,
    FileType,
    add_input,
    add_output,
    file_arg,
    file_args,
    overwritten_input,
    refuse_overwrite,
)
from advgen.device import DEVICES

__all__ = [
    "FileArg",
    "FileType",
    "SpecType",
    "add_input",
    "add_output",
    "add_spec",
    "file_args",
    "overwritten_input",
    "refuse_overwrite",
]


class SpecType:
    """The argparse ``type`` of a ``--spec`` argument: the JSON text unchanged; ``schema`` and
    ``definition`` name the schema definition that checks it (:func:`advgen.config.check_spec`,
    :func:`advgen.jobs.load_spec`), so that a test finds every spec and its definition from the parser."""

    def __init__(self, schema: str, definition: str) -> None:
        self.schema, self.definition = schema, definition

    def __call__(self, value: str) -> str:
        return value

    def __repr__(self) -> str:  # argparse names the type in some messages
        return "spec JSON"


def add_spec(p: Any, definition: str, *, schema: str = "jobs.schema.yaml", **kwargs: Any) -> argparse.Action:
    """``--spec``: a job's spec as JSON, checked against ``<schema>#/$defs/<definition>``."""
    return p.add_argument("--spec", type=SpecType(schema, definition), **kwargs)


def add_device_argument(p: argparse.ArgumentParser) -> None:
    """``--device``: the commands whose spec has no ``device`` key (see :mod:`advgen.jobs`)."""
    p.add_argument(
        "--device", default="auto", choices=list(DEVICES), help="device preference (default: auto)"
    )


def add_training_arguments(p: argparse.ArgumentParser) -> None:
    """``--resume-dir``, ``--device`` and ``--stop-after-epochs`` of the resumable trainers.

    The resume folder is an output (deleted once the outputs are written), its default too:
    it may hold no input and no other output."""
    add_output(
        p,
        "--resume-dir",
        help="output: folder for resume/last.pt while training, deleted when done "
        "(default: <checkpoint folder>/resume)",
    )
    p.set_defaults(**{DERIVED: _default_resume_dir})
    add_device_argument(p)
    p.add_argument(
        "--stop-after-epochs",
        type=int,
        help="exit with an error after this many epochs of this invocation, leaving the resume checkpoint "
        "(simulates preemption; default: $ADVGEN_STOP_AFTER_EPOCHS or never)",
    )


def _default_resume_dir(args: argparse.Namespace) -> list[FileArg]:
    if args.resume_dir or not args.checkpoint:
        return []
    return [file_arg(resume_dir(args), "output", "--resume-dir (default)")]


def resume_dir(args: argparse.Namespace) -> Path:
    """``--resume-dir``, or the ``resume`` folder beside ``--checkpoint`` when it is not given."""
    return Path(args.resume_dir) if args.resume_dir else Path(args.checkpoint).parent / "resume"


def add_sweep_job_arguments(
    p: argparse.ArgumentParser, point: str, images: str = "prepared test split (.pt)"
) -> None:
    """The inputs of a sweep job: its spec (one grid point of one generator, the typed spec
    ``point`` of :mod:`advgen.sweeps.spec`), generator, classifier and images."""
    add_spec(p, point, required=True, help="the grid point as JSON (see advgen.sweeps.spec)")
    add_input(p, "--generator", required=True, help="GAN or autoencoder checkpoint (.pt)")
    add_input(p, "--classifier", required=True, help="classifier model (.pt)")
    add_input(p, "--images", required=True, help=images)


def named_paths(values: list[str] | None, option: str) -> dict[str, str]:
    """``NAME=PATH`` arguments as {name: path}; anything else is a :class:`ConfigError` naming ``option``."""
    from advgen.errors import ConfigError

    pairs = [v.split("=", 1) for v in values or []]
    if any(len(pair) != 2 or not all(pair) for pair in pairs):
        raise ConfigError(f"{option}: expected NAME=PATH entries")
    return dict(pairs)
