"""Base classes shared by the GAN zoo: what every generator and discriminator exposes.

* A :class:`Generator` maps ``(N, z_dim)`` noise to ``(N, C, H, W)`` images in
  ``output_range`` (``(-1, 1)`` for the tanh output of every GAN generator here, as in
  DCGAN, Radford et al. 2015); GAN training scales real data to the same range.
* A :class:`Discriminator` maps images (in the generator's range) to one logit per image
  and exposes :meth:`Discriminator.forward_features`, the penultimate features the logit
  is a linear function of.
"""

from __future__ import annotations

import torch
from torch import nn

from advgen.errors import ConfigError


class Generator(nn.Module):
    """Noise ``(N, z_dim)`` -> images ``(N, C, H, W)`` in ``output_range``."""

    output_range: tuple[float, float] = (-1.0, 1.0)

    def __init__(self, z_dim: int, image_shape: tuple[int, int, int]) -> None:
        super().__init__()
        self.z_dim = int(z_dim)
        self.image_shape = tuple(int(s) for s in image_shape)


class Discriminator(nn.Module):
    """Images -> logits ``(N,)``: ``head(forward_features(x))``."""

    input_range: tuple[float, float] = (-1.0, 1.0)
    head: nn.Module

    def __init__(self, image_shape: tuple[int, int, int]) -> None:
        super().__init__()
        self.image_shape = tuple(int(s) for s in image_shape)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate features ``(N, F)``."""
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.forward_features(x)).squeeze(1)


def require_shape(
    arch: str, image_shape: tuple[int, ...], *, size: int | None = None, channels: int | None = None
) -> None:
    """Raise :class:`ConfigError` when an architecture cannot produce/consume ``image_shape``."""
    c, h, w = image_shape
    if h != w or (size is not None and h != size) or (channels is not None and c != channels):
        want = f"{channels if channels is not None else 'C'}x{size or 'S'}x{size or 'S'}"
        raise ConfigError(f"architecture '{arch}' needs images of shape {want}, got {c}x{h}x{w}")


def count_parameters(module: nn.Module) -> int:
    """Number of trainable parameters (the report's "Trainable params")."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
