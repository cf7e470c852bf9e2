"""Resumable training state, shared by GAN, autoencoder and classifier training.

A training job writes ``<resume folder>/last.pt`` atomically after every epoch. The file is
not a declared output: a killed job keeps it, and its rerun continues from the last
completed epoch. It is used only when its *key* equals the key of the job at hand:

* the job spec (the rule's ``params.spec``: hyperparameters, seed, device),
* the SHA-256 of every input file (prepared splits, upstream checkpoints), by role,
* the digest of the installed advgen code (:func:`advgen.provenance.code_digest`: every
  source and package-data file), so a job killed before an edit of advgen never finishes
  with the edited code,
* the versions of torch and numpy (:func:`library_versions`), so a job killed before an
  upgrade of either never finishes with the other version's numerics.

A mismatch (other spec, changed dataset, changed code) or an unreadable file is logged on
one line and training starts afresh; a file that is not a plain checkpoint (a pickle that
would build other objects than tensors and plain containers) is refused, one line and exit
status 2. The folder is deleted once the declared outputs are written
(:meth:`ResumeState.finish`), so a forced rerun always retrains. A job killed while it wrote
the file leaves a temporary file beside it; deleting the state deletes that too. A folder
holding the state's other files without ``last.pt`` (a job killed before its first save) is
incomplete: the next run deletes it and starts afresh (:meth:`ResumeState.load`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from advgen.checkpoints import load_torch, save_torch
from advgen.errors import AdvgenError, CheckpointError, UnsafeCheckpointError
from advgen.input_files import regular_input
from advgen.io import atomic_leftovers
from advgen.termination import exit_if_signalled, settling

log = logging.getLogger(__name__)

KIND = "resume"
STOP_ENV = "ADVGEN_STOP_AFTER_EPOCHS"


class TrainingStopped(AdvgenError):
    """Training stopped on request after some epochs (simulated preemption); rerun to resume."""


def stop_after_epochs(value: int | None) -> int | None:
    """``value``, else ``$ADVGEN_STOP_AFTER_EPOCHS`` (tests and drills simulate preemption with it):
    a whole number of epochs from 1 (``-1`` or ``0`` would stop after one epoch, unasked)."""
    if value is not None:
        return value
    env = os.environ.get(STOP_ENV, "").strip()
    if not env:
        return None
    shown = env if len(env) <= 24 else env[:24] + "..."
    if not (env.isascii() and env.isdigit()) or len(env) > 12 or int(env) < 1:
        raise AdvgenError(f"${STOP_ENV}: expected a whole number of epochs from 1, got {shown!r}")
    return int(env)


def file_digest(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's content (a missing input is a :class:`CheckpointError` naming it)."""
    h = hashlib.sha256()
    regular_input(path)
    try:
        with open(path, "rb") as f:
            while block := f.read(chunk):
                h.update(block)
    except OSError as exc:
        raise CheckpointError(f"{path}: cannot read input ({exc.strerror or exc})") from exc
    return h.hexdigest()


def library_versions() -> dict[str, str]:
    """The versions of the libraries whose numerics a training run depends on."""
    import numpy
    import torch

    return {"numpy": str(numpy.__version__), "torch": str(torch.__version__)}  # torch's: a str subclass


def resume_key(spec: Mapping[str, Any], inputs: Mapping[str, str | Path] | None = None) -> dict[str, Any]:
    """The identity of a training job: spec, input digests by role, advgen code digest, and the
    torch and numpy versions.

    The code digest sits under ``"version"``, so :meth:`ResumeState.load` reports a state
    written by other code as ``written by advgen <old digest>, this is <new digest>``."""
    from advgen.provenance import code_digest

    return {
        "spec": dict(spec),
        "inputs": {role: file_digest(p) for role, p in sorted((inputs or {}).items())},
        "version": f"code {code_digest()[:16]}",
        "libraries": library_versions(),
    }


def _libraries(versions: Any) -> str:
    if not isinstance(versions, Mapping):
        return "unrecorded library versions"
    return ", ".join(f"{name} {version}" for name, version in sorted(versions.items()))


class ResumeState:
    """The resume file of one training job.

    Args:
        path: the resume file (``results/<family>/<name>/resume/last.pt``).
        spec: the job spec.
        inputs: role -> path of every input file the training reads.
        extra: further folders that belong to the resume state (e.g. per-epoch sample grids).
    """

    def __init__(
        self,
        path: str | Path,
        spec: Mapping[str, Any],
        inputs: Mapping[str, str | Path] | None = None,
        *,
        extra: tuple[str | Path, ...] = (),
    ) -> None:
        self.path = Path(path)
        self.extra = tuple(Path(p) for p in extra)
        self.key = resume_key(spec, inputs)

    def load(self) -> dict[str, Any] | None:
        """The saved training state if it belongs to this job, else ``None`` (stale state removed)."""
        exit_if_signalled()  # a signal noted while a previous run settled: no new run starts
        if not self.path.exists():
            self._clear()
            return None
        try:
            saved = load_torch(self.path, kind=KIND, required=("key", "state"))
        except UnsafeCheckpointError:  # a planted pickle: refused, never deleted unseen
            raise
        except CheckpointError as exc:
            log.warning("ignoring unreadable resume state (%s); starting afresh", exc)
            self._clear()
            return None
        old = saved["key"]
        if old == self.key:
            return dict(saved["state"])
        why = self._difference(old)
        log.warning("%s: resume state is stale (%s); starting afresh", self.path, why)
        self._clear()
        return None

    def _difference(self, old: Any) -> str:
        if not isinstance(old, Mapping):
            return "no key"
        if old.get("version") != self.key["version"]:
            return f"written by advgen {old.get('version')}, this is {self.key['version']}"
        if old.get("libraries") != self.key["libraries"]:
            return f"written with {_libraries(old.get('libraries'))}, this is {_libraries(self.key['libraries'])}"
        if old.get("spec") != self.key["spec"]:
            changed = sorted(
                k
                for k in set(old.get("spec") or {}) | set(self.key["spec"])
                if (old.get("spec") or {}).get(k) != self.key["spec"].get(k)
            )
            return f"spec changed: {', '.join(changed) or 'structure'}"
        old_inputs = old.get("inputs") or {}
        changed = sorted(
            r
            for r in set(old_inputs) | set(self.key["inputs"])
            if old_inputs.get(r) != self.key["inputs"].get(r)
        )
        return f"input changed: {', '.join(changed)}"

    def save(self, state: Mapping[str, Any]) -> None:
        """Write ``state`` (atomically) under this job's key. The first write failing (a full disk)
        takes the state's other files with it (the epoch's sample grid): a failed job leaves no
        resume folder without its ``last.pt``; a later one failing leaves the last state whole."""
        first = not self.path.exists()
        try:
            save_torch({"kind": KIND, "key": self.key, "state": dict(state)}, self.path)
        except BaseException:
            if first:
                self._clear()
            raise

    def _clear(self) -> None:
        self.path.unlink(missing_ok=True)
        for tmp in atomic_leftovers(self.path):  # a job killed while it wrote the file
            tmp.unlink(missing_ok=True)
        for folder in self.extra:
            shutil.rmtree(folder, ignore_errors=True)
        _remove_if_empty(self.path.parent)

    def finish(self) -> None:
        """Delete the resume state: call after the declared outputs are written. A signal that
        arrives meanwhile does not discard them (:func:`advgen.termination.settling`)."""
        with settling():
            self._clear()


def _remove_if_empty(folder: Path) -> None:
    """Remove ``folder`` if it holds nothing, or only the lock file of the job's own output
    (:mod:`advgen.output_lock`: ``--output resume=<folder>/last.pt`` is locked beside it)."""
    from advgen.output_lock import only_locks

    if not only_locks(folder):
        return
    for lock in folder.iterdir():
        lock.unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:
        pass
