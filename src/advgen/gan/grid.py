"""Sample grids as PNG (shared by the GAN and autoencoder stages)."""

from __future__ import annotations

from pathlib import Path

import torch

from advgen.io import atomic_path


def save_grid(images: torch.Tensor, path: str | Path, *, nrow: int = 8, scale: int = 1) -> None:
    """Write images in [0, 1] (N, C, H, W) as one PNG grid, atomically.

    ``scale`` > 1 upsamples by pixel repetition (nearest: no blur).
    """
    from torchvision.utils import make_grid, save_image

    images = images.detach().float().cpu().clamp(0, 1)
    if scale > 1:
        images = images.repeat_interleave(scale, dim=-1).repeat_interleave(scale, dim=-2)
    grid = make_grid(images, nrow=nrow, padding=2, pad_value=0.5)
    with atomic_path(path) as tmp:
        save_image(grid, tmp, format="PNG")
