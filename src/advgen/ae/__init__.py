"""Autoencoders: the report's conv AE and its latent moment forcing, with resume.

Its names load on first use (:mod:`advgen.lazy_exports`): the torch-free :mod:`advgen.ae.spec`
imports no torch.
"""

from __future__ import annotations

from typing import Any

from advgen.lazy_exports import load_export

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

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    return load_export(__name__, _WHERE, globals(), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})
