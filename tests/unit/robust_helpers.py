"""Tiny real-format data and models for the robustness tests (no files, seeded)."""

from __future__ import annotations

import torch
from torch import nn

from advgen.data import PreparedSplit


def blob_split(n: int = 120, size: int = 8, num_classes: int = 3, seed: int = 0, split: str = "train") -> PreparedSplit:
    """Separable images: class c lights up its own horizontal band, plus noise, in [0, 1]."""
    gen = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % num_classes
    images = 0.15 * torch.rand(n, 1, size, size, generator=gen)
    band = size // num_classes
    for c in range(num_classes):
        images[labels == c, :, c * band : (c + 1) * band, :] += 0.7
    return PreparedSplit(images.clamp(0, 1), labels.long(), num_classes, "blobs", split, {})


def trained_linear(split: PreparedSplit, epochs: int = 60, seed: int = 0) -> nn.Module:
    """A softmax regression fitted to ``split`` (full batch, Adam) in eval mode."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Flatten(), nn.Linear(split.images[0].numel(), split.num_classes))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(epochs):
        opt.zero_grad()
        nn.functional.cross_entropy(model(split.images), split.labels).backward()
        opt.step()
    return model.eval()
