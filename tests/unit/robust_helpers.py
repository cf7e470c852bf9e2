"""Tiny real-format data and models for the robustness tests (no files, seeded)."""

from __future__ import annotations

import torch
from torch import nn

from advgen.data.prepared import PreparedSplit


def blob_split(
    n: int = 120, size: int = 8, num_classes: int = 3, seed: int = 0, split: str = "train"
) -> PreparedSplit:
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


def trained_digits_mlp(
    n_test: int = 120, epochs: int = 200, seed: int = 0
) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    """A 64-64-10 MLP fitted to scikit-learn's 8x8 digits (full batch, Adam, about a second).

    Returns the model in eval mode and the first ``n_test`` test digits and labels; under
    Linf attacks at eps 0.1 it keeps about a sixth of them, so attacks can be told apart.
    """
    from pathlib import Path

    from advgen.config import dataset_spec
    from advgen.data.digits import load

    train, test = load(dataset_spec({"source": "digits", "image_size": 8}), Path("."), False)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(epochs):
        opt.zero_grad()
        nn.functional.cross_entropy(model(train.images), train.labels).backward()
        opt.step()
    return model.eval(), test.images[:n_test], test.labels[:n_test]
