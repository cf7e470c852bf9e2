"""Autoencoders: the report's conv AE and its latent moment forcing, with resume.

The names below are loaded on first use (PEP 562): importing the torch-free
:mod:`advgen.ae.spec` (a job kind's typed spec, read by the Snakefile and the CLI) does not
import torch.
"""

from __future__ import annotations

import importlib
from typing import Any

#: name -> the submodule that defines it
_WHERE = {
    "moment_factor": "losses",
    "moment_mse": "losses",
    "moments": "losses",
    "AeSpec": "spec",
    "AeOutputs": "train",
    "AeRun": "train",
    "train_autoencoder": "train",
}

__all__ = ["AeOutputs", "AeRun", "AeSpec", "moment_factor", "moment_mse", "moments", "train_autoencoder"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})
