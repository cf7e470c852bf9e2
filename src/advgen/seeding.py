"""Seeding and RNG state capture, so that a resumed run continues the same random stream."""

from __future__ import annotations

import random
import sys
from typing import Any

import numpy as np


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU and CUDA) and ask torch for deterministic kernels."""
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    deterministic_algorithms(torch)


def deterministic_algorithms(torch: Any) -> None:
    """``torch.use_deterministic_algorithms(True, warn_only=True)``, without its import cost.

    The public call imports ``torch._inductor.config`` (and with it TorchDynamo) only to set
    inductor's flag: about 2 s of CPU in every job (issue 16). advgen compiles nothing, so the
    eager kernels' flag is set directly; once inductor is loaded, or where torch lacks the
    private setter, the public call sets both.
    """
    setter = getattr(torch._C, "_set_deterministic_algorithms", None)
    if setter is None or "torch._inductor.config" in sys.modules:
        torch.use_deterministic_algorithms(True, warn_only=True)
        return
    setter(True, warn_only=True)


def rng_state() -> dict[str, Any]:
    """Capture every RNG state a training loop draws from (stored in checkpoints)."""
    import torch

    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore states captured by :func:`rng_state`."""
    import torch

    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
