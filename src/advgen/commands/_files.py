"""The file arguments of the commands, and the one rule between them: no output path, file or
folder, is, contains or lies inside an input or another output.

Every argument naming a file or folder a command reads is added with :func:`add_input`, every
one naming what it writes (a resume folder or file included: the command deletes it when done)
with :func:`add_output`. Before a command runs, :func:`overwritten_input` compares every output
with every input and every other output, after resolving symlinks and by device identity
(``st_dev``/``st_ino`` of the files and of the folders above them: a hard link, a bind mount or a
symlink of an input folder is that folder): an output that is an input, holds one (a folder the
command fills or deletes) or lies inside one (a folder the command reads) is one line, exit
status 2, and nothing is touched; so is an output naming a symbolic link to a folder. An input
that is a FIFO, a socket or a device is refused before it is opened (:func:`advgen.input_files.regular_input`),
and so is an output the command rewrites in place (``add_output(..., in_place=True)``) that is
not a regular file: a folder too (:func:`advgen.input_files.in_place_file`).
A command's every argument that names a file is one of these (a test walks the parsers).

Some inputs name further files only the command knows: the checkpoints a sample-quality row
names, the tables a claims page reads under its results folder, the outputs ``provenance``
scans. A folder read that way is a *tree* input (``add_input(..., tree=True)``): outputs may lie
inside it (``results/claims.html`` beside the tables under ``results``), and the command
names the files it reads there with :func:`refuse_overwrite` before it writes anything.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from advgen.jobfiles import FileArg, file_arg, first_problem

__all__ = [
    "DERIVED",
    "FileType",
    "add_input",
    "add_output",
    "file_args",
    "overwritten_input",
    "refuse_overwrite",
]


class FileType:
    """The argparse ``type`` of a file argument: makes :class:`FileArg` values. ``trees``: the
    names of ``NAME=PATH`` values that are tree inputs (a job kind's results folder)."""

    def __init__(
        self,
        role: str,
        option: str,
        named: bool,
        tree: bool = False,
        trees: frozenset[str] = frozenset(),
        in_place: bool = False,
    ) -> None:
        self.role, self.option, self.named, self.tree, self.trees = role, option, named, tree, trees
        self.in_place = in_place

    def __call__(self, value: str) -> FileArg:
        name = value.split("=", 1)[0] if self.named else ""
        arg = file_arg(value, self.role, self.option, self.tree or name in self.trees)
        arg.named, arg.in_place = self.named, self.in_place
        return arg

    def __repr__(self) -> str:  # argparse names the type in some messages
        return f"{self.role} file"


def _add_file(
    role: str,
    p: Any,
    flags: tuple[str, ...],
    named: bool,
    tree: bool,
    kwargs: dict[str, Any],
    trees: frozenset[str] = frozenset(),
    in_place: bool = False,
) -> argparse.Action:
    option = "/".join(f for f in flags if f.startswith("-")) or flags[0]
    action: argparse.Action = p.add_argument(
        *flags, type=FileType(role, option, named, tree, trees, in_place), **kwargs
    )
    return action


def add_input(
    p: Any,
    *flags: str,
    named: bool = False,
    tree: bool = False,
    trees: frozenset[str] = frozenset(),
    **kwargs: Any,
) -> argparse.Action:
    """``p.add_argument`` for a file or folder the command reads (``named``: ``NAME=PATH`` values;
    ``tree``: a folder outputs may lie inside, whose files read the command names itself;
    ``trees``: the names of the ``NAME=PATH`` values that are such folders)."""
    return _add_file("input", p, flags, named, tree, kwargs, trees)


def add_output(
    p: Any, *flags: str, named: bool = False, in_place: bool = False, **kwargs: Any
) -> argparse.Action:
    """``p.add_argument`` for a file or folder the command writes (``named``: ``NAME=PATH`` values;
    ``in_place``: a file it reads first and then replaces atomically, refused unless it is a
    regular file or missing, :func:`advgen.input_files.in_place_file`)."""
    return _add_file("output", p, flags, named, False, kwargs, in_place=in_place)


#: ``parser.set_defaults(**{DERIVED: f})``: ``f(args)`` lists outputs no argument names (a
#: default resume folder), compared like the others
DERIVED = "_derived_outputs"


def file_args(args: argparse.Namespace) -> Iterator[FileArg]:
    """Every file argument's value in ``args`` (lists of values included), and the outputs the
    command derives from them (:data:`DERIVED`)."""

    def walk(value: Any) -> Iterator[FileArg]:
        if isinstance(value, FileArg):
            yield value
        elif isinstance(value, list | tuple):
            for v in value:
                yield from walk(v)

    for value in vars(args).values():
        yield from walk(value)
    derived: Callable[[argparse.Namespace], Iterable[FileArg]] | None = getattr(args, DERIVED, None)
    if derived is not None:
        yield from derived(args)


def overwritten_input(args: argparse.Namespace) -> str | None:
    """The one-line error for an output argument that is, contains or lies inside an input
    (symlinks and hard links included) or another output, else ``None``."""
    files = [f for f in file_args(args) if f.path]
    return first_problem(
        [f for f in files if f.role == "output"], [f for f in files if f.role == "input"], []
    )


def refuse_overwrite(
    args: argparse.Namespace,
    inputs: Mapping[str, Iterable[str | Path]] | None = None,
    outputs: Mapping[str, Iterable[str | Path]] | None = None,
) -> None:
    """Raise :class:`~advgen.errors.AdvgenError` (one line) when an output meets an input or
    another output, counting the files the command found itself: ``inputs`` (what -> paths it
    reads, e.g. ``"--rows entry 0 model"``) and ``outputs`` (what -> paths it writes besides its
    output arguments). Called before the command writes anything."""
    from advgen.errors import AdvgenError

    files = [f for f in file_args(args) if f.path]
    extra_in = [file_arg(p, "input", what) for what, paths in (inputs or {}).items() for p in paths]
    extra_out = [file_arg(p, "output", what) for what, paths in (outputs or {}).items() for p in paths]
    declared_out = [f for f in files if f.role == "output"]
    declared_in = [f for f in files if f.role == "input"]
    problem = first_problem(declared_out, extra_in, []) or first_problem(
        extra_out, [*declared_in, *extra_in], declared_out
    )
    if problem is not None:
        raise AdvgenError(problem)
