"""Differentiable augmentation of D's inputs (Zhao et al. 2020, "Differentiable Augmentation
for Data-Efficient GAN Training", arXiv:2006.10738; reference code mit-han-lab/data-efficient-gans).

With little data D memorises the real images and G's gradients stop carrying information.
DiffAugment applies the same family of random, differentiable transformations to real and
generated images before D, in D's updates and in G's (so G is trained through them):

* ``translation``: shift each image by up to ``ratio`` of its side (reference 0.125: 4 px at
  28 px), filling the uncovered pixels with ``fill``;
* ``cutout``: set a square of ``ratio`` of the side (reference 0.5) at a random centre to ``fill``.

The reference code fills with 0, the middle of its [-1, 1] images. The digits' background is
the low end of D's input range (-1): a 0 fill draws a grey frame and a grey square on every
image D sees, a pattern neither the data nor G has (docs/generators.md, "Why DiffAugment hurt").
:class:`advgen.gan.recipe.Recipe` passes the data's background by default.

The colour transform of the reference (brightness, saturation, contrast) is for colour
images; the digits use translation + cutout. Random numbers come from torch's global
generator (on the images' device), so a seeded run and its resume repeat them.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

POLICIES = ("translation", "cutout")


def translate(x: torch.Tensor, ratio: float = 0.125, fill: float = 0.0) -> torch.Tensor:
    """Shift each image of ``x`` (N, C, H, W) by a random integer offset of at most ``ratio`` of
    each side, in both directions; uncovered pixels are ``fill``."""
    n, _, h, w = x.shape
    sy, sx = int(h * ratio + 0.5), int(w * ratio + 0.5)
    if sy == 0 and sx == 0:
        return x
    dy = torch.randint(-sy, sy + 1, (n, 1), device=x.device)
    dx = torch.randint(-sx, sx + 1, (n, 1), device=x.device)
    padded = F.pad(x, [sx, sx, sy, sy], value=fill)
    rows = torch.arange(h, device=x.device) + sy + dy  # (N, H): padded row read by each output row
    cols = torch.arange(w, device=x.device) + sx + dx
    batch = torch.arange(n, device=x.device).view(n, 1, 1)
    # advanced indexing on (N, H, W) moves the channel axis last: (N, H, W, C)
    out = padded.permute(0, 2, 3, 1)[batch, rows.view(n, h, 1), cols.view(n, 1, w)]
    return out.permute(0, 3, 1, 2)


def cutout(x: torch.Tensor, ratio: float = 0.5, fill: float = 0.0) -> torch.Tensor:
    """Set one square of ``ratio`` of each side per image to ``fill``, centred at a random pixel
    (clipped at the border), as the reference's ``rand_cutout`` (which zeroes it)."""
    n, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    if ch == 0 or cw == 0:
        return x
    cy = torch.randint(0, h + (1 - ch % 2), (n, 1, 1), device=x.device)
    cx = torch.randint(0, w + (1 - cw % 2), (n, 1, 1), device=x.device)
    top, left = cy - ch // 2, cx - cw // 2
    ys = torch.arange(h, device=x.device).view(1, h, 1)
    xs = torch.arange(w, device=x.device).view(1, 1, w)
    inside = (ys >= top) & (ys < top + ch) & (xs >= left) & (xs < left + cw)
    keep = (~inside).unsqueeze(1).to(x.dtype)
    return x * keep + fill * (1 - keep)


def diff_augment(
    x: torch.Tensor,
    policy: Sequence[str],
    *,
    translation_ratio: float = 0.125,
    cutout_ratio: float = 0.5,
    fill: float = 0.0,
) -> torch.Tensor:
    """``x`` through each transformation of ``policy`` in the reference's order
    (translation, then cutout), uncovered and cut-out pixels set to ``fill``; an empty policy
    returns ``x``."""
    unknown = sorted(set(policy) - set(POLICIES))
    if unknown:
        raise ValueError(f"unknown DiffAugment transformation {unknown[0]!r} (known: {', '.join(POLICIES)})")
    if "translation" in policy:
        x = translate(x, translation_ratio, fill)
    if "cutout" in policy:
        x = cutout(x, cutout_ratio, fill)
    return x
