"""Classifier checkpoints: plain dicts that rebuild and explain the model on their own.

``results/classifiers/<name>/model.pt``::

    {"kind": "classifier", "name": str, "arch": str,
     "arch_kwargs": {"in_shape": [C, H, W], "num_classes": int, "width": float},
     "state_dict": {...}, "config": <the job spec>, "epoch": int, "rng": {...}}
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from advgen.checkpoints import load_torch, save_torch
from advgen.classifiers.zoo import build_classifier
from advgen.errors import CheckpointError

if TYPE_CHECKING:
    from advgen.data.prepared import PreparedSplit

KIND = "classifier"
REQUIRED = ("arch", "arch_kwargs", "state_dict", "config")


def checkpoint_dict(
    model: nn.Module,
    *,
    name: str,
    arch: str,
    arch_kwargs: dict[str, Any],
    config: dict[str, Any],
    epoch: int,
    rng: Any,
) -> dict[str, Any]:
    """The checkpoint dict of a trained classifier (tensors moved to the CPU)."""
    return {
        "kind": KIND,
        "name": name,
        "arch": arch,
        "arch_kwargs": dict(arch_kwargs),
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "config": dict(config),
        "epoch": int(epoch),
        "rng": rng,
    }


def save_classifier(path: str | Path, checkpoint: dict[str, Any]) -> None:
    """Write a checkpoint dict atomically."""
    save_torch(checkpoint, path)


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Load and check a classifier checkpoint dict (no model built)."""
    return load_torch(path, kind=KIND, required=REQUIRED)


def load_classifier(
    path: str | Path, device: str | torch.device = "cpu", *, data: Iterable[PreparedSplit] = ()
) -> nn.Module:
    """Rebuild a trained classifier from ``results/classifiers/<name>/model.pt``.

    Returns the model on ``device`` in eval mode; it maps inputs in [0, 1] (NCHW) to
    logits and has ``forward_features(x)`` / ``features(x)`` (penultimate activations).
    ``data``: the prepared splits it will see, checked to fit its input shape and classes
    (:func:`advgen.data.prepared.check_fits`).

    Raises:
        CheckpointError: naming the file, when it is missing, corrupt, of another kind,
            or its weights do not fit its architecture, or a split of ``data`` does not fit it.
    """
    from advgen.data.prepared import check_fits

    ckpt = load_checkpoint(path)
    kwargs = dict(ckpt["arch_kwargs"])
    for split in data:
        check_fits(split, kwargs.get("in_shape", ()), kwargs.get("num_classes"), path)
    try:
        model = build_classifier(
            ckpt["arch"], kwargs["in_shape"], kwargs["num_classes"], kwargs.get("width", 1.0)
        )
        model.load_state_dict(ckpt["state_dict"])
    except (KeyError, RuntimeError, TypeError) as exc:
        why = " ".join(str(exc).split())  # torch's size-mismatch message spans lines
        raise CheckpointError(f"{path}: cannot rebuild classifier '{ckpt['arch']}' ({why})") from exc
    return model.to(device).eval()
