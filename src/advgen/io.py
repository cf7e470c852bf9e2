"""Atomic output writing and checked loading of tables.

Every file the pipeline produces is written to a temporary file in the destination
folder and renamed into place (``os.replace`` is atomic on POSIX), so a killed job never
leaves a half-written checkpoint or table behind. A write that fails for a reason of the user's
(a full disk, an unwritable destination, the file-size limit) is one line
(:mod:`advgen.write_errors`); either way the old file is untouched.

Parquet tables (:func:`write_parquet`), like checkpoints (:mod:`advgen.checkpoints`), record
which code and which spec made them (:mod:`advgen.provenance`). Tables read back
(:func:`read_parquet`) are checked column by column: a known column (:data:`COLUMN_KINDS`)
holding values of another type is an error naming the file and the column. An input that is not
a regular file is refused before it is opened (:mod:`advgen.input_files`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from advgen import output_set
from advgen.errors import AdvgenError, CheckpointError
from advgen.input_files import refuse_special_output, regular_input
from advgen.termination import deferred
from advgen.write_errors import PathLike, write_error

_TMP_SUFFIX = ".tmp"


#: the random part of a :func:`tempfile.mkstemp` / :func:`tempfile.mkdtemp` name (8 of these
#: characters; no dot, so ``.a.pt.`` never matches the temporary file of ``a.pt.x.pt``)
_RANDOM = "[a-z0-9_]+"


def leftovers(folder: PathLike, prefix: str, suffix: str = "") -> list[Path]:
    """Entries of ``folder`` named ``PREFIX<random characters>SUFFIX``: the temporary files or
    folders that a writer killed by SIGKILL left behind (``tempfile``'s names)."""
    pattern = re.compile(re.escape(prefix) + _RANDOM + re.escape(suffix))
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(Path(folder) / n for n in names if pattern.fullmatch(n))


def remove_leftovers(folder: PathLike, prefix: str, suffix: str = "") -> None:
    """Delete :func:`leftovers` (files and folders): a successful write of the output they
    belong to calls this, so a SIGKILL's leftovers go with the next run."""
    for left in leftovers(folder, prefix, suffix):
        if left.is_dir() and not left.is_symlink():
            shutil.rmtree(left, ignore_errors=True)
        else:
            left.unlink(missing_ok=True)


def atomic_leftovers(path: PathLike) -> list[Path]:
    """Temporary files of :func:`atomic_path` for ``path`` that a killed writer left behind."""
    path = Path(path)
    return leftovers(path.parent, f".{path.name}.", _TMP_SUFFIX)


def make_folder(folder: PathLike) -> list[Path]:
    """``mkdir -p folder``; returns the folders it created, outermost first (for
    :func:`remove_folders` when the write they were made for fails)."""
    folder = Path(folder)
    missing = []
    for parent in (folder, *folder.parents):
        if parent.exists() or parent.is_symlink():
            break
        missing.append(parent)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        remove_folders(missing[::-1])
        raise
    return missing[::-1]


def remove_folders(created: list[Path]) -> None:
    """Remove the folders :func:`make_folder` created, innermost first, where still empty: a
    failed write (a full disk) leaves no empty output folder behind. ``created`` may join the
    lists of several calls (a later call's folders lie inside or beside an earlier one's): each
    folder is tried, one already gone or not empty is passed over."""
    for folder in reversed(created):
        try:
            folder.rmdir()
        except OSError:
            continue


@contextlib.contextmanager
def atomic_path(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success.

    On an exception the temporary file is removed, and so are the folders made for it, and
    ``path`` is left untouched; a full disk or an unwritable destination becomes a one-line
    :class:`AdvgenError`, and so does a ``path`` that is a FIFO, a socket or a device. A SIGTERM
    or SIGINT waits until the file is renamed or removed (:func:`advgen.termination.deferred`), so
    it never leaves the temporary file behind, wherever it lands. A SIGKILL can: the next
    successful write of ``path`` deletes what it left. Inside an output set
    (:func:`advgen.output_set.output_set`) the complete temporary file waits there, to be renamed
    with the set's other outputs.
    """
    path = Path(path)
    created: list[Path] = []
    refuse_special_output(path)  # a FIFO, a socket or a device is never replaced by a file
    with deferred():
        try:
            created = make_folder(path.parent)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=_TMP_SUFFIX, dir=path.parent)
        except FileExistsError as exc:  # mkdir: a file where a folder of the path should be
            raise AdvgenError(
                f"{path}: cannot write ({exc.filename or path.parent} is not a folder)"
            ) from None
        except OSError as exc:
            remove_folders(created)
            error = write_error(path, exc)
            if error is None:
                raise
            raise error from None
        tmp_path = Path(tmp)
        staged = output_set.active()
        try:
            os.close(fd)
            # mkstemp creates 0600; give the output the mode a plain open() would (umask applies)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp_path, 0o666 & ~umask)
            yield tmp_path
            if staged:  # renamed with the set's other outputs
                output_set.stage(tmp_path, path, lambda: remove_folders(created), lambda: _tidy(path))
                return
            os.replace(tmp_path, path)
        except BaseException as exc:
            tmp_path.unlink(missing_ok=True)
            remove_folders(created)
            error = write_error(path, exc) if isinstance(exc, Exception) else None
            if error is not None:
                raise error from None
            raise
        _tidy(path)


def _tidy(path: Path) -> None:
    for left in atomic_leftovers(path):  # a SIGKILLed earlier write's temporary file
        left.unlink(missing_ok=True)


def publish_folder(src: PathLike, dest: PathLike) -> None:
    """Copy folder ``src`` to ``dest`` and swap it in with a rename: ``dest`` is the old folder
    or the whole new one, never a half-copied one. On an exception the copy is removed (a full
    disk is one line); a SIGTERM or SIGINT waits until the swap is done or the copy removed; the
    next successful publish deletes the copy a SIGKILL left (``.NAME.<random suffix>.tmp``)."""
    src, dest = Path(src), Path(dest)
    created: list[Path] = []
    with deferred():
        try:
            created = make_folder(dest.parent)
            tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=_TMP_SUFFIX, dir=dest.parent))
        except OSError as exc:
            remove_folders(created)
            raise write_error(dest, exc) or exc from None
        try:
            shutil.copytree(src, tmp, dirs_exist_ok=True)
            if dest.exists():
                shutil.rmtree(dest)
            os.replace(tmp, dest)
        except OSError as exc:
            raise write_error(dest, exc) or exc from None
        finally:  # an error or a signal part-way leaves no half-copied folder
            shutil.rmtree(tmp, ignore_errors=True)
            if not dest.exists():
                remove_folders(created)
        remove_leftovers(dest.parent, f".{dest.name}.", _TMP_SUFFIX)


def write_text(path: PathLike, text: str) -> None:
    """Write ``text`` atomically (UTF-8)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(path: PathLike, data: bytes) -> None:
    """Write ``data`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_json(path: PathLike, obj: Any) -> None:
    """Write ``obj`` as sorted, indented JSON, atomically."""
    write_text(path, json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n")


def write_parquet(df: Any, path: PathLike, metadata: Mapping[bytes, bytes] | None = None) -> None:
    """Write a pandas DataFrame to Parquet atomically (no index column), with the code and
    spec digests as file-level metadata (:func:`advgen.provenance.parquet_metadata`) and
    ``metadata``'s key-value entries beside them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from advgen.provenance import parquet_metadata

    table = pa.Table.from_pandas(df, preserve_index=False)
    entries = {**(table.schema.metadata or {}), **parquet_metadata(), **(metadata or {})}
    table = table.replace_schema_metadata(entries)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def read_parquet(path: PathLike) -> Any:
    """Read a Parquet table; a missing or corrupt file, or a known column holding values of
    another type (:mod:`advgen.columns`), raises :class:`CheckpointError` naming the file."""
    import pandas as pd

    from advgen.columns import column_problem

    regular_input(path)
    try:
        df = pd.read_parquet(path)
    except FileNotFoundError as exc:
        raise CheckpointError(f"{path}: table not found") from exc
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise CheckpointError(f"{path}: not a readable Parquet file ({exc})") from exc
    if len(df):
        for name in df.columns:
            problem = column_problem(str(name), df[name])
            if problem is not None:
                raise CheckpointError(f"{path}: column '{name}' {problem}")
    return df


def read_table(path: PathLike, columns: Sequence[str]) -> Any:
    """:func:`read_parquet`, then check that the table has ``columns`` (missing ones are named)."""
    df = read_parquet(path)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        found = ", ".join(map(str, df.columns)) or "none"
        raise CheckpointError(f"{path}: missing column(s) {', '.join(missing)} (found: {found})")
    return df


def write_npz(path: PathLike, **arrays: Any) -> None:
    """NumPy arrays as one compressed ``.npz`` file, atomically (small image sets for figures)."""
    import numpy as np

    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez_compressed(f, **arrays)


def read_npz(path: PathLike, required: Sequence[str] = ()) -> dict[str, Any]:
    """The arrays of an ``.npz`` file; a missing or corrupt file or a missing key raises
    :class:`CheckpointError` naming the file."""
    import numpy as np

    regular_input(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except FileNotFoundError as exc:
        raise CheckpointError(f"{path}: file not found") from exc
    except Exception as exc:  # zipfile and numpy raise several types for corrupt files
        raise CheckpointError(f"{path}: not a readable .npz file ({type(exc).__name__}: {exc})") from exc
    missing = [k for k in required if k not in arrays]
    if missing:
        raise CheckpointError(f"{path}: lacks array(s) {', '.join(missing)}")
    return arrays
