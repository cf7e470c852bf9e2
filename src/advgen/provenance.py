"""Which code and which spec built an output: the code digest and the spec digest.

Snakemake reruns a job when its ``params:`` (the spec), its inputs or its ``shell:`` change,
not when a module it imports changes, so an output built by older advgen code looks
current. Every checkpoint and Parquet table therefore records

* :func:`code_digest`: SHA-256 over the installed advgen package (every ``.py`` file and
  every package-data file: schemas, templates), by relative path, computed once per process
  (a few milliseconds);
* the digest of the config spec that made it (:func:`spec_digest`: SHA-256 of its sorted
  JSON): a checkpoint's own ``"config"``, else the spec of the running job
  (:func:`note_job_spec`, called by :func:`advgen.jobs.start_job` and
  :func:`advgen.jobs.load_spec`), else none.

Checkpoints hold them as the dict key :data:`CHECKPOINT_KEY`, Parquet files as file-level
key-value metadata (:data:`PARQUET_CODE`, :data:`PARQUET_SPEC`); :mod:`advgen.io` writes
both, so every writer records them. The resume key of training (:mod:`advgen.training.resume`)
holds the code digest, so changed code starts training afresh. ``advgen provenance
results/`` lists what other code built (:func:`scan`) and the ``snakemake`` command that
rebuilds it (:func:`rebuild_command`).

``$ADVGEN_CODE_DIGEST`` replaces the computed digest (tests and drills simulate a code
change with it; never set it for real runs). No torch here.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import shlex
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

#: environment variable that overrides :func:`code_digest` (tests simulate a code change)
CODE_ENV = "ADVGEN_CODE_DIGEST"
#: the checkpoint dict key holding ``{"code": ..., "spec": ...}``
CHECKPOINT_KEY = "provenance"
#: Parquet file-level metadata keys
PARQUET_CODE = b"advgen.code_digest"
PARQUET_SPEC = b"advgen.spec_digest"

_SKIP_DIRS = {"__pycache__"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}

_job_spec: str | None = None


def package_root() -> Path:
    """The folder of the installed ``advgen`` package."""
    return Path(__file__).resolve().parent


def package_files(root: Path | None = None) -> list[Path]:
    """Every source and package-data file under ``root`` (the advgen package), sorted."""
    root = root or package_root()
    files = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in names:
            path = Path(folder) / name
            if path.suffix not in _SKIP_SUFFIXES and not name.startswith("."):
                files.append(path)
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def digest_tree(root: Path) -> str:
    """SHA-256 over the relative path and content of every file of :func:`package_files`."""
    h = hashlib.sha256()
    for path in package_files(root):
        rel = path.relative_to(root).as_posix().encode()
        data = path.read_bytes()
        h.update(len(rel).to_bytes(4, "big") + rel + len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


@cache
def package_digest() -> str:
    """:func:`digest_tree` of the installed package, computed once per process (a warm server
    computes it before its imports, and the jobs it forks inherit it)."""
    return digest_tree(package_root())


def code_digest() -> str:
    """The digest of the installed advgen code (``$ADVGEN_CODE_DIGEST`` if set)."""
    override = os.environ.get(CODE_ENV, "").strip()
    return override or package_digest()


def _plain(spec: Any) -> Any:
    from advgen.specs import spec_dict

    return spec_dict(spec)


def spec_digest(spec: Any) -> str:
    """SHA-256 of ``spec`` as sorted JSON (the form the workflow passes in ``params:``); a typed
    spec counts as its JSON."""
    text = json.dumps(_plain(spec), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def note_job_spec(spec: Any) -> None:
    """Remember the running job's spec (a dict or a typed spec of :mod:`advgen.specs`): outputs
    without a spec of their own record its digest."""
    global _job_spec
    _job_spec = None if spec is None else spec_digest(_plain(spec))


def job_spec_digest() -> str | None:
    """The digest noted by :func:`note_job_spec`, if any."""
    return _job_spec


def record(spec: Any = None) -> dict[str, str | None]:
    """``{"code": code digest, "spec": digest of spec (else the job's)}``."""
    return {"code": code_digest(), "spec": spec_digest(spec) if spec is not None else _job_spec}


def checkpoint_record(obj: Any) -> Any:
    """``obj`` with :data:`CHECKPOINT_KEY` added when it is a dict (its ``"config"`` is the spec)."""
    if not isinstance(obj, dict):
        return obj
    return {**obj, CHECKPOINT_KEY: record(obj.get("config"))}


def parquet_metadata() -> dict[bytes, bytes]:
    """The file-level key-value metadata a Parquet table records."""
    rec = record()
    return {PARQUET_CODE: rec["code"].encode(), PARQUET_SPEC: (rec["spec"] or "").encode()}


# --- reading the records back (torch-free) ---------------------------------------------------

#: the outputs that carry a record
RECORDED_SUFFIXES = (".pt", ".parquet")
#: folders under results/ that are not outputs (resume state, Snakemake benchmarks)
SKIPPED_FOLDERS = ("resume", "benchmarks")


class _Stub:
    """Stands in for every non-builtin object of a pickled checkpoint (tensors, arrays)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __setstate__(self, state: Any) -> None:
        pass

    def __call__(self, *args: Any, **kwargs: Any) -> _Stub:
        return _Stub()


class _RecordUnpickler(pickle.Unpickler):
    """Unpickles a torch checkpoint's ``data.pkl`` without torch: plain containers and
    scalars are real, everything else (tensors, storages, arrays) a :class:`_Stub`."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name in {
            "dict",
            "list",
            "tuple",
            "set",
            "frozenset",
            "str",
            "int",
            "float",
        }:
            return super().find_class(module, name)
        if module == "collections" and name == "OrderedDict":
            return super().find_class(module, name)
        return _Stub

    def persistent_load(self, pid: Any) -> Any:
        return None


def checkpoint_provenance(path: str | Path) -> dict[str, Any] | None:
    """The :data:`CHECKPOINT_KEY` record of a checkpoint written by :func:`advgen.checkpoints.save_torch`
    (``None`` when it has none or is not a torch zip file); no torch import."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n == "data.pkl" or n.endswith("/data.pkl")]
            if not names:
                return None
            payload = archive.read(names[0])
        obj = _RecordUnpickler(io.BytesIO(payload)).load()
    except Exception:  # not a zip, a truncated file, an unpicklable payload: no readable record
        return None
    rec = obj.get(CHECKPOINT_KEY) if isinstance(obj, dict) else None
    return dict(rec) if isinstance(rec, dict) else None


def parquet_provenance(path: str | Path) -> dict[str, Any] | None:
    """The code and spec digests in a Parquet file's key-value metadata (``None`` if absent)."""
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
    except Exception:  # pyarrow raises several types for corrupt files
        return None
    if PARQUET_CODE not in meta:
        return None
    return {"code": meta[PARQUET_CODE].decode(), "spec": meta.get(PARQUET_SPEC, b"").decode() or None}


@dataclass(frozen=True)
class Output:
    """One recorded output: its path and the code digest it records (``None``: no record)."""

    path: Path
    code: str | None

    def current(self, digest: str) -> bool:
        return self.code == digest


def recorded_outputs(results: str | Path) -> list[Path]:
    """Every checkpoint and Parquet file under ``results`` (resume state and benchmarks aside)."""
    root = Path(results)
    return sorted(
        p
        for p in root.rglob("*")
        if p.suffix in RECORDED_SUFFIXES
        and p.is_file()
        and not p.name.startswith(".")
        and not any(part in SKIPPED_FOLDERS for part in p.relative_to(root).parts[:-1])
    )


def scan(results: str | Path) -> list[Output]:
    """The provenance of every recorded output under ``results`` (a missing folder is an error)."""
    from advgen.errors import AdvgenError

    root = Path(results)
    if not root.is_dir():
        raise AdvgenError(
            f"{root}: results folder not found" if not root.exists() else f"{root}: not a folder"
        )
    out = []
    for path in recorded_outputs(root):
        rec = checkpoint_provenance(path) if path.suffix == ".pt" else parquet_provenance(path)
        out.append(Output(path, (rec or {}).get("code")))
    return out


def rebuild_command(paths: Sequence[str | Path], options: str = "") -> str:
    """The ``snakemake`` command that rebuilds ``paths`` and everything made from them.

    ``--forcerun`` (``-R``) forces the jobs that make the given files and, through the DAG,
    every job downstream of them; it takes a list, so it comes last (Snakemake 9's CLI)."""
    files = " ".join(shlex.quote(str(p)) for p in paths)
    return " ".join(part for part in ("snakemake", options.strip(), "--forcerun", files) if part)
