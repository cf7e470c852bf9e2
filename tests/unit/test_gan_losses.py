"""Each GAN loss on known logits (values computed by hand)."""

from __future__ import annotations

import math

import pytest
import torch

from advgen.errors import ConfigError
from advgen.gan.losses import discriminator_loss, discriminator_score, generator_loss

REAL = torch.tensor([0.0, 2.0])
FAKE = torch.tensor([0.0, -1.0])


def _log_sigmoid(x):
    return -math.log1p(math.exp(-x))


def test_cross_entropy_losses():
    # D: -mean(log s(real)) - mean(log(1 - s(fake)))
    expected_d = -(_log_sigmoid(0) + _log_sigmoid(2)) / 2 - (_log_sigmoid(0) + _log_sigmoid(1)) / 2
    assert discriminator_loss("cross_entropy", REAL, FAKE).item() == pytest.approx(expected_d, rel=1e-6)
    # minimax G: mean(log(1 - s(fake)))
    expected_g = (_log_sigmoid(0) + _log_sigmoid(1)) / 2
    assert generator_loss("cross_entropy", FAKE).item() == pytest.approx(expected_g, rel=1e-6)


def test_non_saturating_generator_loss():
    expected = -(_log_sigmoid(0) + _log_sigmoid(-1)) / 2
    assert generator_loss("non_saturating", FAKE).item() == pytest.approx(expected, rel=1e-6)
    # at D(G(z)) = 1/2 both generator losses have value log 2 in magnitude
    assert generator_loss("non_saturating", torch.zeros(3)).item() == pytest.approx(math.log(2))
    assert generator_loss("cross_entropy", torch.zeros(3)).item() == pytest.approx(-math.log(2))


def test_label_smoothing_changes_only_the_real_target():
    zero = torch.zeros(4)
    # BCE(0 logit, 0.9) = log 2 for any target (s(0) = 1/2), so use logit 2
    real = torch.full((4,), 2.0)
    target = 0.9
    bce_real = -(target * _log_sigmoid(2) + (1 - target) * _log_sigmoid(-2))
    expected = bce_real + math.log(2)
    assert discriminator_loss("non_saturating", real, zero, real_label=target).item() == pytest.approx(
        expected, rel=1e-6
    )


def test_least_squares_losses():
    # D: 0.5 * mean((real - 1)^2) + 0.5 * mean(fake^2) = 0.5 * (1 + 1)/2 + 0.5 * (0 + 1)/2
    assert discriminator_loss("mse", REAL, FAKE).item() == pytest.approx(0.75)
    # with smoothing 0.9: 0.5 * ((0.81 + 1.21)/2) + 0.25
    assert discriminator_loss("mse", REAL, FAKE, real_label=0.9).item() == pytest.approx(0.5 * 1.01 + 0.25)
    # G: 0.5 * mean((fake - 1)^2) = 0.5 * (1 + 4)/2
    assert generator_loss("mse", FAKE).item() == pytest.approx(1.25)


def test_discriminator_scores_are_on_the_target_scale():
    assert discriminator_score("non_saturating", torch.zeros(2)) == pytest.approx(0.5)
    assert discriminator_score("mse", torch.tensor([0.2, 0.4])) == pytest.approx(0.3)


def test_unknown_loss_is_a_config_error():
    with pytest.raises(ConfigError, match="non_saturated"):
        generator_loss("non_saturated", FAKE)
