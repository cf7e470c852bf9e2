"""GPU slots: lease one device per job.

``snakemake --resources gpu=N`` only counts GPU jobs; it does not tell a job which device
to use (Snakemake's resources are counts, not device ids). Every GPU rule declares
``resources: gpu=1`` and its job calls :func:`lease_device`, which takes an exclusive file lock per device index under a
lock folder shared by all jobs on the machine, exports ``CUDA_VISIBLE_DEVICES`` for the
leased device (for child processes) and returns ``cuda:<position>``. With at most N GPU jobs running and N devices, a
free device always exists; a job that finds none waits.

* An existing ``CUDA_VISIBLE_DEVICES`` (set by the user or by SLURM) limits the
  candidates. Under SLURM the scheduler already gave the job its devices, and with
  cgroup-constrained devices every job sees index 0, so the locks are namespaced by
  ``SLURM_JOB_ID``.
* Without CUDA the job runs on the CPU and says so in its log.
* ``ADVGEN_JOBS_PER_GPU=K`` (default 1) lets K jobs share each device (K locks per device):
  on a large GPU many small jobs (the launch-bound sweeps) fit at once. Pair it with
  ``--resources gpu=N*K``.
* ``ADVGEN_FAKE_GPUS=N`` pretends N devices exist (locks and ``CUDA_VISIBLE_DEVICES``
  are real, the returned device is the CPU): the test of slot exclusion uses it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from advgen.errors import DeviceError

log = logging.getLogger(__name__)

LOCK_DIR_ENV = "ADVGEN_GPU_LOCK_DIR"
FAKE_GPUS_ENV = "ADVGEN_FAKE_GPUS"
JOBS_PER_GPU_ENV = "ADVGEN_JOBS_PER_GPU"
DEVICE_ENV = "ADVGEN_DEVICE"
DEVICES = ("auto", "cpu", "cuda")


def default_lock_dir() -> Path:
    """``$ADVGEN_GPU_LOCK_DIR`` or ``<tmp>/advgen-gpu-locks-<uid>`` (one per machine and user)."""
    env = os.environ.get(LOCK_DIR_ENV)
    if env:
        return Path(env)
    return Path(tempfile.gettempdir()) / f"advgen-gpu-locks-{os.getuid()}"


def candidate_devices() -> tuple[list[str], bool]:
    """Device ids this job may use, and whether they are fake.

    Returns the entries of ``CUDA_VISIBLE_DEVICES`` when it is set, else
    ``0..count-1`` for the CUDA device count (or ``$ADVGEN_FAKE_GPUS``).
    """
    fake = os.environ.get(FAKE_GPUS_ENV)
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        ids = [v.strip() for v in visible.split(",") if v.strip() and v.strip() != "-1"]
        if fake is not None:
            return ids, True
        return (ids if _cuda_count() > 0 else []), False
    if fake is not None:
        return [str(i) for i in range(int(fake))], True
    return [str(i) for i in range(_cuda_count())], False


def _cuda_count() -> int:
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def jobs_per_gpu() -> int:
    """``$ADVGEN_JOBS_PER_GPU`` (default 1): how many jobs may share one device."""
    raw = os.environ.get(JOBS_PER_GPU_ENV, "1")
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise DeviceError(f"{JOBS_PER_GPU_ENV}: '{raw}' is not a positive integer")
    return value


def _lock_name(device_id: str, slot: int = 0) -> str:
    job = os.environ.get("SLURM_JOB_ID")
    prefix = f"slurm-{job}-" if job and "CUDA_VISIBLE_DEVICES" in os.environ else ""
    suffix = f"-slot{slot}" if slot else ""
    return f"{prefix}gpu{device_id}{suffix}.lock"


@contextlib.contextmanager
def lease_device(
    prefer: str | None = "auto", *, lock_dir: Path | None = None, poll_seconds: float = 0.5
) -> Iterator[str]:
    """Lease a device for the duration of the ``with`` block.

    Args:
        prefer: ``"auto"`` (a free GPU if any, else CPU), ``"cpu"`` or ``"cuda"``
            (:class:`~advgen.errors.DeviceError` when no GPU exists). ``$ADVGEN_DEVICE``
            overrides ``"auto"`` (and ``None``).
        lock_dir: folder holding one lock file per device (default: :func:`default_lock_dir`).
        poll_seconds: how often to retry while every device is taken.

    Yields:
        A torch device string: ``"cuda:<i>"`` (the leased device) or ``"cpu"``.
    """
    from filelock import FileLock, Timeout

    if prefer is None or prefer == "auto":
        prefer = os.environ.get(DEVICE_ENV, "auto")
    if prefer not in DEVICES:
        raise DeviceError(f"device '{prefer}' is not one of {', '.join(DEVICES)}")
    if prefer == "cpu":
        log.info("device: cpu (requested)")
        yield "cpu"
        return
    ids, fake = candidate_devices()
    if not ids:
        if prefer == "cuda":
            raise DeviceError(
                "device 'cuda' requested but no CUDA device is available here (use device 'auto' or 'cpu')"
            )
        log.info("device: no CUDA device found, running on CPU")
        yield "cpu"
        return
    lock_dir = Path(lock_dir) if lock_dir is not None else default_lock_dir()
    lock_dir.mkdir(parents=True, exist_ok=True)
    slots = jobs_per_gpu()
    waited = False
    while True:
        for slot, device_id in ((s, d) for s in range(slots) for d in ids):
            lock = FileLock(str(lock_dir / _lock_name(device_id, slot)))
            try:
                lock.acquire(timeout=0)
            except Timeout:
                continue
            # CUDA was initialised by candidate_devices(), so the export below informs
            # child processes only; this process addresses the device by its position.
            position = ids.index(device_id)
            previous = os.environ.get("CUDA_VISIBLE_DEVICES")
            os.environ["CUDA_VISIBLE_DEVICES"] = device_id
            log.info(
                "device: leased GPU %s%s (lock %s)", device_id, " [fake]" if fake else "", lock.lock_file
            )
            try:
                yield "cpu" if fake else f"cuda:{position}"
            finally:
                if previous is None:
                    os.environ.pop("CUDA_VISIBLE_DEVICES", None)
                else:
                    os.environ["CUDA_VISIBLE_DEVICES"] = previous
                lock.release()
            return
        if not waited:
            log.info("device: all of GPUs %s are leased, waiting", ",".join(ids))
            waited = True
        time.sleep(poll_seconds)
