"""The report's inpainting: invert the whole masked image and show G(z)."""

from __future__ import annotations

import torch

from advgen.sweeps.inpainting import hidden_mse, inpaint
from advgen.sweeps.inversion import InversionSettings, invert
from advgen.sweeps.masked_inversion import METHODS, apply_mask, invert_masked
from advgen.sweeps.masks import make_masks

from .sweeps_helpers import TinyGenerator

SETTINGS = InversionSettings(steps=30, restarts=2, optimizer="adam", lr=0.05)


def test_masked_inversion_fits_the_blackened_image_and_shows_g_of_z():
    g = TinyGenerator()
    x = g(torch.randn(4, 4, generator=torch.Generator().manual_seed(0))).detach()
    hidden = make_masks("crosswalk", 4, 4, 4)
    masked = apply_mask(x, hidden)
    assert torch.equal(masked[hidden.expand_as(x)], torch.zeros(int(hidden.expand_as(x).sum())))
    assert torch.equal(masked[~hidden.expand_as(x)], x[~hidden.expand_as(x)])
    got = invert_masked(g, x, hidden, SETTINGS, seed=0)
    ref = invert(g, masked, SETTINGS, seed=0)
    torch.testing.assert_close(got.inversion.z_all, ref.z_all)
    torch.testing.assert_close(got.completed, ref.images)  # G(z), nothing pasted back
    # the known-pixel method ignores the hidden pixels, so it lands elsewhere on the same input
    other = inpaint(g, x, hidden, SETTINGS, seed=0)
    assert not torch.allclose(other.inversion.z_all, got.inversion.z_all)
    assert torch.isfinite(hidden_mse(x, got.completed, hidden)).all()


def test_methods_registry_names_both_settings():
    assert set(METHODS) == {"known_pixels", "masked_inversion"}
    assert METHODS["masked_inversion"] is invert_masked and METHODS["known_pixels"] is inpaint
