"""Atomic output writing and checked loading.

Every file the pipeline produces is written to a temporary file in the destination
folder and renamed into place (``os.replace`` is atomic on POSIX), so a killed job never
leaves a half-written checkpoint or table behind. A full disk is one line,
``no space left on device: PATH``, and a destination that cannot be written (read-only,
no permission) ``PATH: cannot write (...)``, and an output larger than the file-size limit
(``ulimit -f``; Python ignores SIGXFSZ, so the write fails with EFBIG) ``PATH: cannot write
(larger than the file-size limit, N bytes: ulimit -f)``; either way the old file is untouched.

Checkpoints (:func:`save_torch`) and Parquet tables (:func:`write_parquet`) record which
code and which spec made them (:mod:`advgen.provenance`). Tables read back
(:func:`read_parquet`) are checked column by column: a known column (:data:`COLUMN_KINDS`)
holding values of another type is an error naming the file and the column.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from advgen.errors import AdvgenError, CheckpointError, UnsafeCheckpointError
from advgen.termination import deferred

PathLike = str | os.PathLike[str]


_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def out_of_space(exc: BaseException) -> bool:
    """Whether ``exc`` (or an exception it was raised from) is a full disk or quota.

    torch reports a full disk as ``unexpected pos`` with the ``OSError`` only in its context,
    pyarrow as an ``OSError`` whose message holds ``errno 28``."""
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in _NO_SPACE:
            return True
        text = str(e).lower()
        if "no space left on device" in text or "disk quota exceeded" in text:
            return True
    return False


def _too_large(path: PathLike) -> AdvgenError:
    """The one line for a write that failed with EFBIG: the file-size limit (``ulimit -f``,
    ``prlimit --fsize``) when one is set, else the file system's own maximum."""
    import resource

    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    if limit == resource.RLIM_INFINITY:
        return AdvgenError(f"{path}: cannot write (file too large for the file system)")
    return AdvgenError(f"{path}: cannot write (larger than the file-size limit, {limit} bytes: ulimit -f)")


def write_error(path: PathLike, exc: BaseException) -> AdvgenError | None:
    """The one-line error for a failed write of ``path``, or ``None`` when it is not the user's
    (a full disk, a read-only or forbidden destination, a file where a folder should be, an
    output over the file-size limit)."""
    if out_of_space(exc):
        return AdvgenError(f"no space left on device: {path}")
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno == errno.EFBIG:
            return _too_large(path)
        if isinstance(e, OSError) and e.errno in (
            errno.EROFS,
            errno.EACCES,
            errno.EPERM,
            errno.ENOTDIR,
            errno.EISDIR,
        ):
            return AdvgenError(f"{path}: cannot write ({os.strerror(e.errno)})")
    return None


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
    failed write (a full disk) leaves no empty output folder behind."""
    for folder in reversed(created):
        try:
            folder.rmdir()
        except OSError:
            break


@contextlib.contextmanager
def atomic_path(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success.

    On an exception the temporary file is removed, and so are the folders made for it, and
    ``path`` is left untouched; a full disk or an unwritable destination becomes a one-line
    :class:`AdvgenError`. A SIGTERM or SIGINT waits until the file is renamed or removed
    (:func:`advgen.termination.deferred`), so it never leaves the temporary file behind,
    wherever it lands. A SIGKILL can: the next successful write of ``path`` deletes what it left.
    """
    path = Path(path)
    created: list[Path] = []
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
        try:
            os.close(fd)
            # mkstemp creates 0600; give the output the mode a plain open() would (umask applies)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp_path, 0o666 & ~umask)
            yield tmp_path
            os.replace(tmp_path, path)
        except BaseException as exc:
            tmp_path.unlink(missing_ok=True)
            remove_folders(created)
            error = write_error(path, exc) if isinstance(exc, Exception) else None
            if error is not None:
                raise error from None
            raise
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


def write_parquet(df: Any, path: PathLike) -> None:
    """Write a pandas DataFrame to Parquet atomically (no index column), with the code and
    spec digests as file-level metadata (:func:`advgen.provenance.parquet_metadata`)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from advgen.provenance import parquet_metadata

    table = pa.Table.from_pandas(df, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **parquet_metadata()})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def special_kind(mode: int) -> str:
    """What a file that is not a regular file or a folder is, for a message."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def regular_input(path: PathLike) -> None:
    """Refuse an input that exists but is neither a regular file nor a folder (a FIFO, a
    socket, a device) with one line, before it is opened: opening a FIFO waits for a writer
    that may never come, and a device may never end. A missing or unreadable path passes (its
    reader names that)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return
    raise CheckpointError(f"{path}: is {special_kind(mode)}, not a regular file (refusing to read it)")


def in_place_file(path: PathLike) -> None:
    """Refuse a file a command rewrites in place (reads, then replaces atomically: ``claims
    --readme``) that exists but is not a regular file (a folder, a FIFO, a socket, a device) with
    one line, before it is opened. A missing or unreadable path passes (its reader names that)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else special_kind(mode)
        raise AdvgenError(f"{path}: is {kind}, not a regular file (refusing to rewrite it in place)")


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


def save_torch(obj: Any, path: PathLike) -> None:
    """``torch.save`` atomically; a checkpoint dict gains the key
    :data:`advgen.provenance.CHECKPOINT_KEY` (code and spec digests)."""
    import torch

    from advgen.provenance import checkpoint_record

    obj = checkpoint_record(obj)
    # through a Python file object: a full disk then surfaces as OSError(ENOSPC), which
    # torch's own writer reports only as "unexpected pos"
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        torch.save(obj, f)


def _unsafe(path: Path, exc: Exception) -> str | None:
    """What a checkpoint refused by the weights-only unpickler would have built (the globals
    its pickle names, read without unpickling anything), or ``None`` when it is not a pickle
    torch can read at all (garbage, a truncated file)."""
    from torch.serialization import get_unsafe_globals_in_checkpoint

    allowed = {f"{g.__module__}.{g.__qualname__}" for g in compatible_globals()}
    try:
        names = [n for n in get_unsafe_globals_in_checkpoint(path) if n not in allowed]
    except Exception:  # not a zip checkpoint: the legacy format, a bare pickle, garbage
        names = re.findall(r"GLOBAL ([\w.]+)", str(exc))[:1]
    if not names:
        return None
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return ", ".join(n[:80] for n in names[:3]) + more


def compatible_globals() -> list[Any]:
    """What checkpoints written by earlier advgen versions hold besides tensors and plain
    containers, allowed by :func:`load_torch`: NumPy arrays and scalars (the NumPy RNG state,
    now a list of ints) and torch's version string (a resume key's ``libraries``). Each only
    builds an array, a dtype, a scalar or a string from data the same restricted unpickler read
    (never calls anything else); taken from public objects, not NumPy's private modules."""
    import numpy as np
    from torch.torch_version import TorchVersion

    return [
        np.zeros(1).__reduce__()[0],  # the array reconstructor
        np.float64(0).__reduce__()[0],  # the scalar reconstructor
        np.ndarray,
        np.dtype,
        *{type(np.dtype(t)) for t in (np.uint32, np.int64, np.float64, np.float32, np.bool_)},
        TorchVersion,
    ]


def load_torch(path: PathLike, *, required: tuple[str, ...] = (), kind: str | None = None) -> dict[str, Any]:
    """Load a checkpoint dict saved by :func:`save_torch` and check its keys.

    The file is data, never code: it is unpickled with ``weights_only=True`` (tensors, numbers,
    strings and the plain containers, and the NumPy arrays of earlier versions'
    checkpoints: :func:`compatible_globals`), so a pickle that would build any other object,
    or call a function, is refused before anything of it runs.

    Args:
        path: file to load (mapped to CPU; move tensors to the device yourself).
        required: keys that must be present.
        kind: if given, the dict's ``"kind"`` entry must equal it (e.g. ``"gan"``).

    Raises:
        CheckpointError: naming the file, for a missing file or one that is not a regular
            file (a FIFO, a device), a file torch cannot read, one holding objects other than
            tensors and plain containers, a non-dict payload, a wrong kind or a missing key.
    """
    import pickle

    import torch

    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"{path}: file not found")
    regular_input(path)
    try:
        with torch.serialization.safe_globals(compatible_globals()):
            obj = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        unsafe = _unsafe(path, exc)
        if unsafe is not None:
            raise UnsafeCheckpointError(
                f"{path}: not a plain checkpoint: refusing to unpickle {unsafe}"
            ) from None
        raise CheckpointError(f"{path}: corrupt or not a torch file (not a pickle torch reads)") from None
    except Exception as exc:
        why = " ".join(str(exc).split())[:200]
        raise CheckpointError(f"{path}: corrupt or not a torch file ({type(exc).__name__}: {why})") from exc
    if not isinstance(obj, Mapping):
        raise CheckpointError(f"{path}: expected a checkpoint dict, found {type(obj).__name__}")
    if kind is not None and obj.get("kind") != kind:
        raise CheckpointError(f"{path}: expected a '{kind}' checkpoint, found kind={obj.get('kind')!r}")
    missing = [k for k in required if k not in obj]
    if missing:
        raise CheckpointError(f"{path}: checkpoint lacks key(s) {', '.join(missing)}")
    return dict(obj)
