"""Seeding and RNG state capture, so that a resumed run continues the same random stream."""

from __future__ import annotations

import random
from typing import Any

import numpy as np


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU and CUDA) and ask torch for deterministic kernels.

    ``torch.set_deterministic_debug_mode("warn")`` is the public form of
    ``torch.use_deterministic_algorithms(True, warn_only=True)`` for the eager kernels, without
    loading the compiler (about 2 s of CPU) to set its flag: advgen compiles nothing.
    """
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    torch.set_deterministic_debug_mode("warn")


def rng_state() -> dict[str, Any]:
    """Capture every RNG state a training loop draws from (stored in checkpoints). Tensors,
    numbers, strings and tuples only, so that the checkpoint loads with ``weights_only=True``:
    NumPy's key array is kept as a list of ints."""
    import torch

    name, keys, pos, has_gauss, cached = np.random.get_state()
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": (str(name), [int(k) for k in keys], int(pos), int(has_gauss), float(cached)),
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore states captured by :func:`rng_state`."""
    import torch

    random.setstate(state["python"])
    name, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((name, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def forked_torch_rng(device: Any) -> Any:
    """``torch.random.fork_rng`` for the CPU and, on CUDA, ``device``: a check run inside it leaves
    the random streams as it found them, so the run that follows draws what it would have drawn."""
    import torch

    device = torch.device(device)
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return torch.random.fork_rng(devices=[index], device_type="cuda")
    return torch.random.fork_rng(devices=[])
