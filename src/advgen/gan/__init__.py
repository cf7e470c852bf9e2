"""GAN training: losses, unrolling, status detection, the training loop and its outputs.

Its names load on first use (:mod:`advgen.lazy_exports`): the torch-free :mod:`advgen.gan.spec`
imports no torch.
"""

from __future__ import annotations

from typing import Any

from advgen.lazy_exports import load_export

#: name -> the submodule that defines it
_WHERE = {
    "LOSSES": "losses",
    "discriminator_loss": "losses",
    "discriminator_score": "losses",
    "generator_loss": "losses",
    "GanOutputs": "runner",
    "TrainingStopped": "runner",
    "train_gan": "runner",
    "GanSpec": "spec",
    "RecipeSpec": "spec",
    "STATUSES": "status",
    "StatusTracker": "status",
    "COLUMNS": "train",
    "GanRun": "train",
    "grad_norm": "unroll",
    "restored": "unroll",
    "second_order_generator_loss": "unroll",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    return load_export(__name__, _WHERE, globals(), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})
