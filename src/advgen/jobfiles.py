"""A job's named files: what ``--input NAME=PATH`` and ``--output NAME=PATH`` hand a job function.

Every declared job kind (:mod:`advgen.pipeline.jobkind`) runs ``run(inputs, outputs, spec)``:
``inputs`` and ``outputs`` are :class:`Files`, name -> the paths given under that name, in
command-line order (a name may repeat: ``--input tables=a.parquet tables=b.parquet``). A job
function asks for what it needs, :meth:`Files.one` for a single file, :meth:`Files.all` for a
list, :meth:`Files.optional` for a file the job may go without; a wrong count is one line
naming the option and the name. A leaf module: the library's job functions import it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from advgen.errors import AdvgenError, ConfigError


class Files(Mapping[str, tuple[str, ...]]):
    """Name -> paths of a job's inputs or outputs (``option`` names the command-line option)."""

    def __init__(self, files: Mapping[str, Sequence[str]] | None = None, option: str = "--input") -> None:
        self._files = {name: tuple(str(p) for p in paths) for name, paths in (files or {}).items()}
        self.option = option

    @classmethod
    def of(cls, files: Mapping[str, str | Sequence[str]], option: str = "--input") -> Files:
        """From name -> one path or a list of paths (a test's or a caller's shorthand)."""
        return cls({k: [v] if isinstance(v, str) else list(v) for k, v in files.items()}, option)

    def __getitem__(self, name: str) -> tuple[str, ...]:
        return self._files[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def all(self, name: str) -> tuple[str, ...]:
        """Every path given under ``name`` (none: empty)."""
        return self._files.get(name, ())

    def one(self, name: str) -> str:
        """The one path given under ``name``; none or several is a :class:`ConfigError`."""
        paths = self.all(name)
        if len(paths) != 1:
            raise ConfigError(f"{self.option}: expected one {name}=PATH, got {len(paths)}")
        return paths[0]

    def by_name(self, name: str, names: Sequence[str]) -> dict[str, str]:
        """The paths given under ``name`` keyed by ``names`` (the spec's models, in the order the
        paths are given); another count is a :class:`ConfigError`."""
        paths = self.all(name)
        if len(paths) != len(names):
            listing = ", ".join(names) or "none"
            raise ConfigError(
                f"{self.option}: {len(paths)} {name}=PATH for {len(names)} in the spec ({listing})"
            )
        return dict(zip(names, paths, strict=True))

    def optional(self, name: str) -> str | None:
        """The path given under ``name``, or ``None``; several is a :class:`ConfigError`."""
        return self.one(name) if name in self._files else None

    def __repr__(self) -> str:
        return f"Files({self._files!r})"


def refuse_found(outputs: Files, found: Mapping[str, Iterable[str | Path]]) -> None:
    """Raise :class:`~advgen.errors.AdvgenError` (one line) when an output of a job is, holds or
    lies inside a file the job found itself (``found``: what -> paths, e.g. the tables a claims
    page read under its results folder). Called before the job writes anything; the command
    line has compared its declared outputs and inputs already."""
    outs = [file_arg(p, "output", f"{outputs.option} {name}") for name in outputs for p in outputs[name]]
    extra = [file_arg(p, "input", what) for what, paths in found.items() for p in paths]
    problem = first_problem(outs, extra, [])
    if problem is not None:
        raise AdvgenError(problem)


# --- the rule between file arguments (advgen.commands._files): no output is, holds or lies inside
# an input or another output


class FileArg(str):
    """A file argument's value (a ``str``): ``role`` is "input" or "output", ``option`` names the
    argument in messages, ``path`` is the file (the PATH of a ``NAME=PATH`` value); ``tree``: an
    input folder outputs may lie inside (see the module docstring); ``in_place``: an output the
    command reads first and then replaces atomically (``claims --readme``)."""

    role: str = ""
    option: str = ""
    named: bool = False
    tree: bool = False
    in_place: bool = False

    @property
    def path(self) -> str:
        return self.split("=", 1)[1] if self.named and "=" in self else str(self)


def file_arg(path: str | Path, role: str, option: str, tree: bool = False) -> FileArg:
    """A :class:`FileArg` for ``path``."""
    arg = FileArg(str(path))
    arg.role, arg.option, arg.tree = role, option, tree
    return arg


def _identity(path: str) -> tuple[int, int] | None:
    """The (device, inode) of ``path`` (symlinks followed), None where it does not exist."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def _folders_above(path: str) -> set[tuple[int, int]]:
    """The (device, inode) of every existing folder above ``path``, by its spelling and by its
    resolved path: a bind mount or a symlink of a folder has its folder's identity."""
    out = set()
    for spelled in {os.path.abspath(path), os.path.realpath(path)}:
        for parent in Path(spelled).parents:
            found = _identity(str(parent))
            if found is not None:
                out.add(found)
    return out


def _same_file(a: str, b: str) -> bool:
    """Whether paths ``a`` and ``b`` name one file or folder: equal after resolving symlinks,
    or one device and inode (a hard link, a bind mount)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    ia = _identity(a)
    return ia is not None and ia == _identity(b)


def _below(path: str, folder: str) -> bool:
    """Whether ``path`` lies inside ``folder``: by their resolved paths, or ``folder``'s device
    and inode is one of the folders above ``path`` (a bind mount of ``folder``)."""
    a, b = os.path.realpath(path), os.path.realpath(folder)
    if a != b and os.path.commonpath([a, b]) == b:
        return True
    found = _identity(folder)
    return found is not None and not _same_file(path, folder) and found in _folders_above(path)


def _relation(out: FileArg, other: FileArg) -> str | None:
    """How output ``out`` meets ``other``: "is also", "contains", "lies inside" or ``None``."""
    if _same_file(out.path, other.path):
        return "is also"
    if _below(other.path, out.path):
        return "contains"
    if _below(out.path, other.path) and not other.tree:
        return "lies inside"
    return None


#: what an output's temporary name adds to its own (``.NAME.<8 random characters>.tmp``,
#: :func:`advgen.io.atomic_path`): the output is written under that name first
TEMPORARY_NAME_EXTRA = len("..") + 8 + len(".tmp")
#: the longest file name where the file system does not say (Linux's NAME_MAX)
DEFAULT_NAME_MAX = 255


def _name_max(path: str) -> int:
    """The longest file name (bytes) the file system under ``path`` takes: NAME_MAX of the
    nearest folder that exists."""
    folder = os.path.dirname(os.path.abspath(path))
    while folder and not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    try:
        return int(os.pathconf(folder or "/", "PC_NAME_MAX"))
    except (OSError, ValueError):
        return DEFAULT_NAME_MAX


def name_problem(arg: FileArg) -> str | None:
    """The one-line error for a path with a part longer than the file system takes (an output's
    last part: with its temporary name's extra characters), else ``None``: found before the
    command works, not when it writes its first output."""
    parts = [p for p in arg.path.split(os.sep) if p]
    if not parts:
        return None
    limit = _name_max(arg.path)
    for i, part in enumerate(parts):
        size = len(os.fsencode(part))
        extra = TEMPORARY_NAME_EXTRA if arg.role == "output" and i == len(parts) - 1 else 0
        if size + extra > limit:
            shown = part if len(part) <= 24 else part[:24] + "..."
            why = f", less {extra} for the temporary name it is written under first" if extra else ""
            return (
                f"{arg.option} {arg.path}: the name {shown!r} is {size} bytes, more than the "
                f"{limit - extra} the file system takes here (NAME_MAX {limit}{why})"
            )
    return None


def first_problem(outputs: list[FileArg], inputs: list[FileArg], earlier: list[FileArg]) -> str | None:
    """The first output of ``outputs`` meeting an input, an output of ``earlier`` or one before it,
    or naming a symbolic link to a folder (a folder output is replaced as a whole, which a link
    cannot be: the command would fail after its first outputs were written); first of all, a
    path with a name too long for the file system (:func:`name_problem`)."""
    for arg in [*outputs, *inputs]:
        problem = name_problem(arg)
        if problem is not None:
            return problem
    for i, out in enumerate(outputs):
        if os.path.islink(out.path) and os.path.isdir(out.path):
            return (
                f"{out.option} {out.path}: is a symbolic link to a folder ({os.path.realpath(out.path)}); "
                "give the folder itself"
            )
        for other in [*inputs, *earlier, *outputs[:i]]:
            relation = _relation(out, other)
            if relation is not None:
                return (
                    f"{out.option} {out.path}: {relation} the {other.role} {other.option} ({other.path}); "
                    "an output must not overwrite, hold or lie inside an input or another output"
                )
    return None
