"""Inpainting by inversion on the known pixels (GAN exercise report, "Generative Adversarial
Networks - Q3"; Yeh et al., "Semantic Image Inpainting with Deep Generative Models", CVPR 2017).

The latent code is found by :func:`~advgen.sweeps.inversion.invert` with the loss on the
known pixels only; the completed image keeps the known pixels and takes ``G(z)`` elsewhere.
Errors are measured on the hidden pixels only.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from advgen.sweeps.inversion import InversionResult, InversionSettings, invert


@dataclass
class InpaintingResult:
    completed: torch.Tensor  # (N, C, H, W) known pixels of x, G(z) on the hidden ones
    inversion: InversionResult


def complete(images: torch.Tensor, hidden: torch.Tensor, generated: torch.Tensor) -> torch.Tensor:
    """Known pixels from ``images``, hidden pixels from ``generated``."""
    return torch.where(hidden.expand_as(images), generated, images)


def inpaint(
    generator: nn.Module,
    images: torch.Tensor,
    hidden: torch.Tensor,
    settings: InversionSettings,
    *,
    seed: int = 0,
    z_init: torch.Tensor | None = None,
    z_dim: int | None = None,
) -> InpaintingResult:
    """Fill the ``hidden`` pixels (bool, ``(N, 1, H, W)``) of ``images`` from the generator."""
    result = invert(generator, images, settings, seed=seed, known=~hidden, z_init=z_init, z_dim=z_dim)
    return InpaintingResult(completed=complete(images, hidden, result.images), inversion=result)


def hidden_mse(images: torch.Tensor, restored: torch.Tensor, hidden: torch.Tensor) -> torch.Tensor:
    """Per-image MSE over the hidden pixels (all channels); NaN for an image with none hidden."""
    weight = hidden.expand_as(images).to(images.dtype)
    total = ((restored - images).square() * weight).flatten(1).sum(1)
    count = weight.flatten(1).sum(1)
    return total / count.where(count > 0, torch.full_like(count, float("nan")))


def psnr(mse: torch.Tensor, peak: float = 1.0) -> torch.Tensor:
    """Peak signal-to-noise ratio in dB for images in ``[0, peak]`` (``inf`` at zero error)."""
    return 10.0 * torch.log10(peak**2 / mse)
