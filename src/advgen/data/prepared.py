"""Prepared splits: the files every stage after ``prepare_data`` reads.

``results/data/<dataset>/<split>.pt`` is a plain dict::

    {"kind": "prepared_data", "dataset": name, "split": "train"|"test",
     "images": uint8 (N, C, H, W), "labels": int64 (N,), "source_index": int64 (N,),
     "num_classes": int, "image_shape": [C, H, W], "spec": {...}}

Images are stored as uint8 (a quarter of float32's size) and returned in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from advgen.checkpoints import load_torch, save_torch
from advgen.data.split import Split
from advgen.errors import CheckpointError


@dataclass
class PreparedSplit:
    """A loaded split: ``images`` float32 in [0, 1] (N, C, H, W) and ``labels`` int64."""

    images: torch.Tensor
    labels: torch.Tensor
    num_classes: int
    dataset: str
    split: str
    spec: dict[str, Any]
    source_index: torch.Tensor | None = None  # each image's index in the source's own split
    path: str = ""  # the file it was loaded from (messages)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.images.shape[1:])  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self.labels)


def save_prepared(
    split: Split, path: str | Path, *, dataset: str, name: str, num_classes: int, spec: dict
) -> None:
    """Quantise ``split`` to uint8 and write it atomically."""
    images = (split.images.clamp(0, 1) * 255.0).round().to(torch.uint8).contiguous()
    save_torch(
        {
            "kind": "prepared_data",
            "dataset": dataset,
            "split": name,
            "images": images,
            "labels": split.labels.long().contiguous(),
            "source_index": split.source_index.long().contiguous(),
            "num_classes": int(num_classes),
            "image_shape": list(images.shape[1:]),
            "spec": dict(spec),
        },
        path,
    )


def load_prepared(path: str | Path) -> PreparedSplit:
    """Load a split written by :func:`save_prepared` (clear error if missing or corrupt)."""
    obj = load_torch(path, kind="prepared_data", required=("images", "labels", "num_classes"))
    images, labels, num_classes = obj["images"], obj["labels"], obj["num_classes"]
    if images.dtype != torch.uint8 or images.ndim != 4:
        raise CheckpointError(f"{path}: 'images' must be a uint8 NCHW tensor")
    if not isinstance(labels, torch.Tensor) or labels.shape != images.shape[:1]:
        raise CheckpointError(f"{path}: 'labels' must be a tensor of one label per image")
    if len(labels) and (int(labels.min()) < 0 or int(labels.max()) >= int(num_classes)):
        bad = int(labels.min()) if int(labels.min()) < 0 else int(labels.max())
        raise CheckpointError(f"{path}: label {bad} is out of range for its {int(num_classes)} classes")
    return PreparedSplit(
        images=images.float().div_(255.0),
        labels=obj["labels"].long(),
        num_classes=int(obj["num_classes"]),
        dataset=str(obj.get("dataset", "")),
        split=str(obj.get("split", "")),
        spec=dict(obj.get("spec", {})),
        source_index=obj.get("source_index"),
        path=str(path),
    )


def check_fits(
    split: PreparedSplit,
    image_shape: Any,
    num_classes: int | None,
    model_path: str | Path,
    model: str = "classifier",
) -> None:
    """The images of ``split`` have the shape a model takes (``image_shape``, C x H x W) and its
    labels are below the model's ``num_classes`` (``None``: not checked); else a one-line
    :class:`CheckpointError` naming both files (data and a model of different datasets)."""
    where = split.path or f"the {split.split or 'prepared'} split"
    have, want = tuple(split.image_shape), tuple(int(n) for n in image_shape)
    if have != want:
        raise CheckpointError(
            f"{where}: images of {'x'.join(map(str, have))} do not fit the {model} {model_path}, which takes "
            f"{'x'.join(map(str, want))} (channels x height x width): the data and the model come from "
            "different datasets"
        )
    if num_classes is not None and len(split.labels) and int(split.labels.max()) >= num_classes:
        raise CheckpointError(
            f"{where}: label {int(split.labels.max())} is out of range for the {model} {model_path} "
            f"({num_classes} classes)"
        )


def manifest(splits: dict[str, Any], description: str) -> Any:
    """The data manifest: one row per prepared image (``index``, ``source_index``, ``label``,
    ``split``, ``description``), ``splits`` (name -> a split with ``labels`` and ``source_index``)
    in order."""
    import pandas as pd

    return pd.concat(
        [
            pd.DataFrame(
                {
                    "index": range(len(s.labels)),
                    "source_index": s.source_index.numpy(),
                    "label": s.labels.numpy(),
                    "split": name,
                    "description": description,
                }
            )
            for name, s in splits.items()
        ],
        ignore_index=True,
    )
