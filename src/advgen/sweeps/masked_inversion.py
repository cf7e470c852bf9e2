"""Inpainting as the GAN exercise report does it ("Generative Adversarial Networks - Q3"):
"we apply the chosen mask on the target image and then give it as input to the inverse GAN
and display the results".

The masked image (hidden pixels blackened, as the report's masks do) is inverted as a
whole, with the loss on *every* pixel, and the result shown is ``G(z)`` itself: no known
pixels are pasted back. This differs from :func:`advgen.sweeps.inpainting.inpaint`
(Yeh et al. 2017: loss on the known pixels only, composite), which the sweep keeps as the
``known_pixels`` method; this one is ``masked_inversion``. Because the inversion also fits
the black pixels, the generator is pulled towards a digit with holes: the report's mask
order (pepper best, crosswalk worst) is tested with its own method by the claims page.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from advgen.sweeps.inpainting import InpaintingResult, inpaint
from advgen.sweeps.inversion import InversionSettings, invert


def apply_mask(images: torch.Tensor, hidden: torch.Tensor, fill: float = 0.0) -> torch.Tensor:
    """``images`` with the ``hidden`` pixels (bool ``(N, 1, H, W)``) set to ``fill``."""
    return torch.where(hidden.expand_as(images), torch.full_like(images, fill), images)


def invert_masked(
    generator: nn.Module,
    images: torch.Tensor,
    hidden: torch.Tensor,
    settings: InversionSettings,
    *,
    seed: int = 0,
    fill: float = 0.0,
    z_init: torch.Tensor | None = None,
    z_dim: int | None = None,
) -> InpaintingResult:
    """The report's inpainting: invert the whole masked image, return ``G(z)`` as the restoration."""
    masked = apply_mask(images, hidden, fill)
    result = invert(generator, masked, settings, seed=seed, known=None, z_init=z_init, z_dim=z_dim)
    return InpaintingResult(completed=result.images, inversion=result)


#: the inpainting sweep's ``method`` axis -> function (same signature but ``fill``)
METHODS: dict[str, Callable[..., InpaintingResult]] = {
    "known_pixels": inpaint,
    "masked_inversion": invert_masked,
}
