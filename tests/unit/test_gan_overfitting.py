"""advgen.gan.overfitting: a discriminator that memorised its training images reads 1, one that
scores every image by the same function of its pixels reads about 0.5 on two samples of one
distribution."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from advgen.gan.overfitting import memorisation


class LookupD(nn.Module):
    """+3 for an image of its training set, -3 for any other: a D that memorised them."""

    def __init__(self, train: torch.Tensor) -> None:
        super().__init__()
        self.keys = {t.numpy().tobytes() for t in train}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tensor([[3.0 if t.numpy().tobytes() in self.keys else -3.0] for t in x])


class PixelMeanD(nn.Module):
    """A D that sees only each image's mean pixel: it cannot know which images it trained on."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.flatten(1).mean(1, keepdim=True) * 10


def two_samples(n: int = 400) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    images = torch.rand(2 * n, 1, 8, 8, generator=g) * 2 - 1
    return images[:n], images[n:]


def test_a_discriminator_that_memorised_its_training_images_reads_one() -> None:
    train, held_out = two_samples()
    m = memorisation(LookupD(train), train, held_out, batch_size=64)
    assert m["auc"] == 1.0
    assert m["rt_train"] == 1.0 and m["rt_held_out"] == -1.0
    assert m["mean_logit_gap"] == pytest.approx(6.0)


def test_a_discriminator_blind_to_membership_reads_about_one_half() -> None:
    train, held_out = two_samples()
    m = memorisation(PixelMeanD(), train, held_out, batch_size=64)
    # 400 x 400 images: the AUC's standard error under no difference is about 0.02
    assert abs(m["auc"] - 0.5) < 0.06
    assert abs(m["rt_train"] - m["rt_held_out"]) < 0.15


def test_the_discriminator_keeps_its_mode() -> None:
    train, held_out = two_samples(50)
    d = PixelMeanD().train()
    memorisation(d, train, held_out)
    assert d.training
