"""Atomic output writing and checked loading.

Every file the pipeline produces is written to a temporary file in the destination
folder and renamed into place (``os.replace`` is atomic on POSIX), so a killed job never
leaves a half-written checkpoint or table behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from advgen.errors import CheckpointError

PathLike = str | os.PathLike[str]


@contextlib.contextmanager
def atomic_path(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success.

    On an exception the temporary file is removed and ``path`` is left untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    # mkstemp creates 0600; give the output the mode a plain open() would (umask applies)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


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
    """Write a pandas DataFrame to Parquet atomically (no index column)."""
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False)


def read_parquet(path: PathLike) -> Any:
    """Read a Parquet table; a missing or corrupt file raises :class:`CheckpointError`."""
    import pandas as pd

    try:
        return pd.read_parquet(path)
    except FileNotFoundError as exc:
        raise CheckpointError(f"{path}: table not found") from exc
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise CheckpointError(f"{path}: not a readable Parquet file ({exc})") from exc


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
    """``torch.save`` atomically (checkpoints are plain dicts)."""
    import torch

    with atomic_path(path) as tmp:
        torch.save(obj, tmp)


def load_torch(path: PathLike, *, required: tuple[str, ...] = (), kind: str | None = None) -> dict[str, Any]:
    """Load a checkpoint dict saved by :func:`save_torch` and check its keys.

    Args:
        path: file to load (mapped to CPU; move tensors to the device yourself).
        required: keys that must be present.
        kind: if given, the dict's ``"kind"`` entry must equal it (e.g. ``"gan"``).

    Raises:
        CheckpointError: naming the file, for a missing file, a file torch cannot read,
            a non-dict payload, a wrong kind or a missing key.
    """
    import torch

    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"{path}: file not found")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:
        raise CheckpointError(f"{path}: corrupt or not a torch file ({type(exc).__name__}: {exc})") from exc
    if not isinstance(obj, Mapping):
        raise CheckpointError(f"{path}: expected a checkpoint dict, found {type(obj).__name__}")
    if kind is not None and obj.get("kind") != kind:
        raise CheckpointError(f"{path}: expected a '{kind}' checkpoint, found kind={obj.get('kind')!r}")
    missing = [k for k in required if k not in obj]
    if missing:
        raise CheckpointError(f"{path}: checkpoint lacks key(s) {', '.join(missing)}")
    return dict(obj)
