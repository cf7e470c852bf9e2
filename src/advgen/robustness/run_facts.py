"""What an evaluation ran on and with: the facts its report and its Parquet tables carry.

Keys (:data:`LABELS` gives each its label in the report): ``advgen_version``, ``torch_version``,
``device`` (with its CPU or GPU model), ``data`` (the data set or file, its split and size),
``subset_seed`` (the seed of the class-balanced subset), ``checkpoint`` and
``checkpoint_sha256``, ``checks`` (their level), ``command``, ``started`` (UTC) and ``seconds``
(the whole run). In a Parquet file each is a key-value entry ``advgen.evaluate.<key>``
(:func:`parquet_metadata`), beside the stage times (``advgen.evaluate.stages``, JSON).
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

#: fact -> its label in the report, in the report's order
LABELS = {
    "advgen_version": "advgen",
    "torch_version": "torch",
    "device": "device",
    "data": "data",
    "subset_seed": "subset seed",
    "checkpoint": "checkpoint",
    "checkpoint_sha256": "checkpoint sha256",
    "checks": "masking checks",
    "command": "command",
    "started": "started (UTC)",
    "seconds": "total time (s)",
}
#: the prefix of the facts' keys in a Parquet file's key-value metadata
PARQUET_PREFIX = "advgen.evaluate."


def sha256(path: str | Path) -> str:
    """The file's SHA-256, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``; else what :mod:`platform` says)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def device_text(device: Any) -> str:
    """``cpu (AMD EPYC; torch threads: 2)``, ``cuda:0 (NVIDIA H200)``."""
    import torch

    device = torch.device(device)
    if device.type == "cuda":
        return f"{device} ({torch.cuda.get_device_name(device)})"
    if device.type == "cpu":
        return f"cpu ({cpu_model()}; torch threads: {torch.get_num_threads()})"
    return str(device)


def now() -> str:
    """The time now, UTC, to the second (ISO 8601)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def advgen_version() -> str:
    """The installed advgen's version and its code's digest (:func:`advgen.provenance.code_digest`,
    which names the exact code where the version does not)."""
    from importlib.metadata import PackageNotFoundError, version

    from advgen.provenance import code_digest

    try:
        number = version("advgen")
    except PackageNotFoundError:
        number = "not installed"
    return f"{number} (code digest {code_digest()[:12]})"


def base_facts(device: Any) -> dict[str, str]:
    """The facts every evaluation knows: the versions and the device."""
    import torch

    return {
        "advgen_version": advgen_version(),
        "torch_version": torch.__version__,
        "device": device_text(device),
    }


def ordered(facts: Mapping[str, str]) -> dict[str, str]:
    """``facts`` in :data:`LABELS`' order (unknown keys last, as given)."""
    known = {k: facts[k] for k in LABELS if k in facts}
    return {**known, **{k: v for k, v in facts.items() if k not in LABELS}}


def parquet_metadata(facts: Mapping[str, str], stages: list[dict[str, Any]]) -> dict[bytes, bytes]:
    """The facts and the stage times as a Parquet file's key-value metadata."""
    out = {f"{PARQUET_PREFIX}{k}".encode(): str(v).encode() for k, v in facts.items()}
    out[f"{PARQUET_PREFIX}stages".encode()] = json.dumps(stages).encode()
    return out
