"""Checkpoints: written atomically with the code and spec that made them, read as data, never code.

:func:`save_torch` writes a checkpoint dict through :func:`advgen.io.atomic_path`, recording
which code and which spec made it (:func:`advgen.provenance.checkpoint_record`);
:func:`load_torch` reads one with torch's weights-only unpickler (tensors, numbers, strings, plain
containers and :func:`compatible_globals`), so a pickle that would build any other object is
refused, naming what it would have built, before anything of it runs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from advgen.errors import CheckpointError, UnsafeCheckpointError
from advgen.input_files import regular_input
from advgen.io import atomic_path
from advgen.write_errors import PathLike


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
