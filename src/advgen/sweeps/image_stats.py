"""Per-image statistics of generated and real digits that the report's claims name.

* :func:`sharpness`: the variance of the Laplacian (Pech-Pacheco, Cristobal, Chamorro-Martinez
  and Fernandez-Valdivia, "Diatom autofocusing in brightfield microscopy: a comparative study",
  ICPR 2000): blur flattens edges and lowers it (the report: the forced autoencoder's samples
  are "a lot sharper (less blur)" than the GAN's). Isolated noise pixels raise it as well, so
  it is read beside :func:`speckle`.
* :func:`speckle`: the share of isolated impulse pixels, those brighter than all 8 neighbours
  (salt) or darker than all of them (pepper) by more than 0.25 (impulse noise, Gonzalez &
  Woods, "Digital Image Processing", Sec. 5.3; a stroke's pixel, corners included, always has
  a neighbour on the stroke): the report's fully connected generator drew "a lot of salt and
  pepper noise ... where it should be completely black".
* :func:`ink`: the share of pixels above 0.5, the digit's area (the report: inversion
  preserved "the size of the digit").
* :func:`hidden_ink` and :func:`mask_centre`: how much of a digit a mask hides and where the
  hidden region lies (the report: with a square mask "it depends on the precise location of the
  square (and how much of the image it covers)").

Images are ``(N, C, H, W)`` in [0, 1]; each function returns ``(N,)``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

#: an impulse is brighter (darker) than every one of its 8 neighbours by more than this (images in [0, 1])
IMPULSE = 0.25
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
    """Share of isolated impulse pixels: more than :data:`IMPULSE` above the brightest of their
    8 neighbours, or below the darkest (a border pixel has fewer neighbours)."""
    x = _gray(images)
    centre = x.flatten(1)

    def neighbours(fill: float) -> torch.Tensor:  # (N, 8, H * W); outside the image: ``fill``
        patches = F.unfold(F.pad(x, (1, 1, 1, 1), value=fill), kernel_size=3)
        return torch.cat([patches[:, :4], patches[:, 5:]], dim=1)

    salt = centre - neighbours(-2.0).max(dim=1).values > IMPULSE
    pepper = neighbours(3.0).min(dim=1).values - centre > IMPULSE
    return (salt | pepper).float().mean(dim=1)


def ink(images: torch.Tensor) -> torch.Tensor:
    """Share of pixels above :data:`INK` (the digit's area)."""
    return (_gray(images).flatten(1) > INK).float().mean(dim=1)


def hidden_ink(images: torch.Tensor, hidden: torch.Tensor) -> torch.Tensor:
    """Share of each image's ink pixels (above :data:`INK`) that the mask ``hidden`` ``(N, 1, H, W)``
    hides (NaN for an image without ink)."""
    ink_pixels = (_gray(images) > INK).flatten(1)
    covered = (ink_pixels & hidden.flatten(1)).sum(1).float()
    total = ink_pixels.sum(1).float()
    return torch.where(total > 0, covered / total.clamp_min(1), torch.full_like(total, float("nan")))


def mask_centre(hidden: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Row and column (pixels, 0 = top / left) of the centroid of each mask's hidden pixels."""
    h, w = hidden.shape[-2:]
    m = hidden.flatten(1).float()
    count = m.sum(1).clamp_min(1)
    rows = torch.arange(h, dtype=torch.float32).repeat_interleave(w)
    cols = torch.arange(w, dtype=torch.float32).repeat(h)
    return (m * rows).sum(1) / count, (m * cols).sum(1) / count
