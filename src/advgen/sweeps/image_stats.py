"""Per-image statistics of generated and real digits that the report's claims name.

* :func:`sharpness`: the variance of the Laplacian (Pech-Pacheco, Cristobal, Chamorro-Martinez
  and Fernandez-Valdivia, "Diatom autofocusing in brightfield microscopy: a comparative study",
  ICPR 2000): blur flattens edges and lowers it (the report: the forced autoencoder's samples
  are "a lot sharper (less blur)" than the GAN's). Isolated noise pixels raise it as well, so
  it is read beside :func:`speckle`.
* :func:`speckle`: the share of impulse pixels, those that differ from the median of their
  3x3 neighbourhood by more than 0.5 (salt-and-pepper noise as a median filter removes it;
  Gonzalez & Woods, "Digital Image Processing", Sec. 5.3): the report's fully connected
  generator drew "a lot of salt and pepper noise ... where it should be completely black".
* :func:`ink`: the share of pixels above 0.5, the digit's area (the report: inversion
  preserved "the size of the digit").

Images are ``(N, C, H, W)`` in [0, 1]; each function returns ``(N,)``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

#: an impulse differs from its neighbourhood's median by more than this (images in [0, 1])
IMPULSE = 0.5
#: a pixel counts as ink above this
INK = 0.5


def _gray(images: torch.Tensor) -> torch.Tensor:
    return images.float().mean(dim=1, keepdim=True)


def sharpness(images: torch.Tensor) -> torch.Tensor:
    """Variance of the 3x3 Laplacian response per image (valid region)."""
    kernel = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]).view(1, 1, 3, 3)
    response = F.conv2d(_gray(images), kernel.to(images.device))
    return response.flatten(1).var(dim=1)


def speckle(images: torch.Tensor) -> torch.Tensor:
    """Share of impulse pixels: ``|x - median_3x3(x)| > IMPULSE`` (replicate padding)."""
    x = _gray(images)
    padded = F.pad(x, (1, 1, 1, 1), mode="replicate")
    patches = F.unfold(padded, kernel_size=3)  # (N, 9, H * W)
    median = patches.median(dim=1).values.view_as(x.flatten(1))
    return ((x.flatten(1) - median).abs() > IMPULSE).float().mean(dim=1)


def ink(images: torch.Tensor) -> torch.Tensor:
    """Share of pixels above :data:`INK` (the digit's area)."""
    return (_gray(images).flatten(1) > INK).float().mean(dim=1)
