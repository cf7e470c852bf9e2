"""One split of a dataset as the sources return it (before it is saved as a prepared split)."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass
class Split:
    """One split of a dataset: ``images`` float in [0, 1], (N, C, H, W); ``labels`` int64, (N,)."""

    images: torch.Tensor
    labels: torch.Tensor
    source_index: torch.Tensor  # index of each example in the source's own split

    def __post_init__(self) -> None:
        if self.images.ndim != 4:
            raise ValueError(f"images must be NCHW, got shape {tuple(self.images.shape)}")
        if len(self.images) != len(self.labels) or len(self.labels) != len(self.source_index):
            raise ValueError("images, labels and source_index differ in length")
