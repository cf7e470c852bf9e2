"""Batched inversion equals the report's loop; best-restart gather; masked loss."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from advgen.errors import ConfigError
from advgen.specs import typed_spec
from advgen.sweeps.inpainting import complete, hidden_mse, inpaint, psnr
from advgen.sweeps.inversion import (
    InversionSettings,
    frozen,
    initial_latents,
    invert,
    invert_looped,
    per_sample_mse,
)
from advgen.sweeps.masks import make_masks
from advgen.sweeps.spec import InversionPoint

from .sweeps_helpers import IdentityGenerator, TinyGenerator


@pytest.mark.parametrize(
    "settings",
    [
        InversionSettings(steps=40, restarts=3, optimizer="adam", lr=0.05),
        InversionSettings(steps=40, restarts=2, optimizer="sgd", lr=2.0, prior_weight=0.1, clip=1.5),
    ],
    ids=["adam", "sgd-prior-clip"],
)
def test_batched_inversion_equals_looped(settings):
    g = TinyGenerator().double()
    targets = g(torch.randn(5, 4, dtype=torch.float64) * 1.5).detach()
    known = ~make_masks("pepper", 5, 4, 4, seed=2)
    for mask in (None, known):
        fast = invert(g, targets, settings, seed=7, known=mask)
        slow = invert_looped(g, targets, settings, seed=7, known=mask)
        assert fast.losses.shape == (settings.steps + 1, 5, settings.restarts)
        torch.testing.assert_close(fast.losses, slow.losses, rtol=1e-9, atol=1e-12)
        torch.testing.assert_close(fast.z_all, slow.z_all, rtol=1e-9, atol=1e-12)
        assert torch.equal(fast.best_restart, slow.best_restart)
        torch.testing.assert_close(fast.images, slow.images)
    assert fast.losses[-1].mean() < fast.losses[0].mean()  # it did optimise


def test_best_restart_is_the_argmin_and_its_z_is_gathered():
    g = IdentityGenerator(side=2)
    targets = torch.zeros(6, 1, 2, 2)
    res = invert(g, targets, InversionSettings(steps=0, restarts=4), seed=1)
    z0 = initial_latents(6, 4, 4, seed=1)
    expected_loss = z0.square().mean(2)  # G(z) = z and x = 0, no step taken
    torch.testing.assert_close(res.final_loss, expected_loss)
    best = expected_loss.argmin(1)
    assert torch.equal(res.best_restart, best)
    torch.testing.assert_close(res.z, z0[torch.arange(6), best])
    torch.testing.assert_close(res.images, res.z.view(6, 1, 2, 2))
    assert (res.final_loss.gather(1, best[:, None]) <= res.final_loss).all()


def test_restart_zero_does_not_depend_on_the_number_of_restarts():
    g = TinyGenerator().double()
    targets = g(torch.randn(3, 4, dtype=torch.float64)).detach()
    one = invert(g, targets, InversionSettings(steps=20, restarts=1, optimizer="adam", lr=0.05), seed=0)
    five = invert(g, targets, InversionSettings(steps=20, restarts=5, optimizer="adam", lr=0.05), seed=0)
    torch.testing.assert_close(one.losses[..., 0], five.losses[..., 0])
    assert (five.final_loss.min(1).values <= one.final_loss[:, 0] + 1e-12).all()


def test_encoder_initialisation_starts_restart_zero_at_z_init():
    g = IdentityGenerator(side=2)
    z_init = torch.full((3, 4), 0.25)
    res = invert(g, torch.zeros(3, 1, 2, 2), InversionSettings(steps=0, restarts=3), seed=0, z_init=z_init)
    torch.testing.assert_close(res.z_all[:, 0], z_init)
    assert not torch.allclose(res.z_all[:, 1], z_init)


def test_masked_loss_gradient_is_zero_on_hidden_pixels():
    hidden = make_masks("square", 4, 8, 8, seed=0)
    out = torch.rand(4, 3, 8, 8, requires_grad=True)
    target = torch.rand(4, 3, 8, 8)
    per_sample_mse(out, target, ~hidden).sum().backward()
    h = hidden.expand_as(out)
    assert (out.grad[h] == 0).all()
    assert (out.grad[~h] != 0).all()
    # and the value ignores what the target holds there
    other = torch.where(h, torch.rand_like(target), target)
    torch.testing.assert_close(per_sample_mse(out, target, ~hidden), per_sample_mse(out, other, ~hidden))


def test_inpainting_ignores_hidden_target_pixels_and_keeps_known_ones():
    g = TinyGenerator()
    x = g(torch.randn(4, 4)).detach()
    hidden = make_masks("crosswalk", 4, 4, 4)
    settings = InversionSettings(steps=15, restarts=2, optimizer="adam", lr=0.05)
    a = inpaint(g, x, hidden, settings, seed=0)
    noisy = torch.where(hidden, torch.rand_like(x), x)
    b = inpaint(g, noisy, hidden, settings, seed=0)
    torch.testing.assert_close(a.inversion.z_all, b.inversion.z_all)
    assert torch.equal(a.completed[~hidden], x[~hidden])
    torch.testing.assert_close(a.completed[hidden], a.inversion.images[hidden])
    assert torch.equal(complete(x, hidden, torch.zeros_like(x))[hidden], torch.zeros(int(hidden.sum())))


def test_hidden_mse_and_psnr():
    x = torch.zeros(2, 1, 2, 2)
    y = x.clone()
    hidden = torch.zeros(2, 1, 2, 2, dtype=torch.bool)
    hidden[0, 0, 0, 0] = True
    y[0, 0, 0, 0], y[0, 0, 1, 1] = 0.5, 0.9  # the known-pixel error does not count
    mse = hidden_mse(x, y, hidden)
    assert mse[0] == pytest.approx(0.25) and torch.isnan(mse[1])
    assert psnr(torch.tensor([0.01]))[0] == pytest.approx(20.0)


def test_frozen_restores_mode_and_flags():
    g = TinyGenerator().train()
    g.net[0].weight.requires_grad_(False)
    with frozen(g):
        assert not g.training and not any(p.requires_grad for p in g.parameters())
    assert g.training and not g.net[0].weight.requires_grad and g.net[0].bias.requires_grad


def test_settings_are_checked():
    with pytest.raises(ConfigError, match="optimizer"):
        InversionSettings(optimizer="lbfgs")
    with pytest.raises(ConfigError):
        InversionSettings(restarts=0)
    point = {"sweep": "inversion", "point": "p", "generator": "g", "generator_kind": "gan", "dataset": "d"}
    point |= {"classifier": "c", "seed": 0, "device": "cpu", "num_images": 4, "init": "random"}
    spec = {"steps": 3, "restarts": 2, "optimizer": "adam", "lr": 0.1, "prior_weight": 0.0, "clip": None}
    typed = typed_spec(InversionPoint, {**point, **spec})
    assert InversionSettings.from_spec(typed) == InversionSettings(3, 2, "adam", 0.1, 0.0, None)
    # an int learning rate (YAML's 30) and a clip become floats, as the optimiser takes them
    sgd = InversionSettings.from_spec(dataclasses.replace(typed, optimizer="sgd", lr=30, clip=2))
    assert sgd == InversionSettings(3, 2, "sgd", 30.0, 0.0, 2.0) and isinstance(sgd.lr, float)
