"""Arguments several commands share (one definition each, the same help everywhere), and the
file arguments: every argument naming a file (or folder) a command reads is added with
:func:`add_input`, every one naming what it writes with :func:`add_output`, so that the command
line refuses an output that is one of the inputs (:func:`overwritten_input`) for every command.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from advgen.device import DEVICES


class FileArg(str):
    """A file argument's value (a ``str``): ``role`` is "input" or "output", ``option`` names the
    argument in messages, ``path`` is the file (the PATH of a ``NAME=PATH`` value)."""

    role: str = ""
    option: str = ""
    named: bool = False

    @property
    def path(self) -> str:
        return self.split("=", 1)[1] if self.named and "=" in self else str(self)


class FileType:
    """The argparse ``type`` of a file argument: makes :class:`FileArg` values."""

    def __init__(self, role: str, option: str, named: bool) -> None:
        self.role, self.option, self.named = role, option, named

    def __call__(self, value: str) -> FileArg:
        arg = FileArg(value)
        arg.role, arg.option, arg.named = self.role, self.option, self.named
        return arg

    def __repr__(self) -> str:  # argparse names the type in some messages
        return f"{self.role} file"


def _add_file(
    role: str, p: Any, flags: tuple[str, ...], named: bool, kwargs: dict[str, Any]
) -> argparse.Action:
    option = "/".join(f for f in flags if f.startswith("-")) or flags[0]
    return p.add_argument(*flags, type=FileType(role, option, named), **kwargs)


def add_input(p: Any, *flags: str, named: bool = False, **kwargs: Any) -> argparse.Action:
    """``p.add_argument`` for a file or folder the command reads (``named``: ``NAME=PATH`` values)."""
    return _add_file("input", p, flags, named, kwargs)


def add_output(p: Any, *flags: str, named: bool = False, **kwargs: Any) -> argparse.Action:
    """``p.add_argument`` for a file or folder the command writes (``named``: ``NAME=PATH`` values)."""
    return _add_file("output", p, flags, named, kwargs)


def file_args(args: argparse.Namespace) -> Iterator[FileArg]:
    """Every file argument's value in ``args`` (lists of values included)."""

    def walk(value: Any) -> Iterator[FileArg]:
        if isinstance(value, FileArg):
            yield value
        elif isinstance(value, list | tuple):
            for v in value:
                yield from walk(v)

    for value in vars(args).values():
        yield from walk(value)


def _same_file(a: str, b: str) -> bool:
    """Whether paths ``a`` and ``b`` name one file: equal after resolving symlinks, or hard links."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def overwritten_input(args: argparse.Namespace) -> str | None:
    """The one-line error for an output argument naming an input (symlinks and hard links
    included) or another output, else ``None``."""
    files = list(file_args(args))
    outputs = [f for f in files if f.role == "output"]
    for i, out in enumerate(outputs):
        for other in [f for f in files if f.role == "input"] + outputs[:i]:
            if _same_file(out.path, other.path):
                what = "the input" if other.role == "input" else "the output"
                return (
                    f"{out.option} {out.path}: is also {what} {other.option} ({other.path}); "
                    "an output must not overwrite an input or another output"
                )
    return None


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
    """``--resume-dir``, ``--device`` and ``--stop-after-epochs`` of the resumable trainers."""
    p.add_argument(
        "--resume-dir", help="folder for resume/last.pt while training (default: <checkpoint folder>/resume)"
    )
    add_device_argument(p)
    p.add_argument(
        "--stop-after-epochs",
        type=int,
        help="exit with an error after this many epochs of this invocation, leaving the resume checkpoint "
        "(simulates preemption; default: $ADVGEN_STOP_AFTER_EPOCHS or never)",
    )


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
