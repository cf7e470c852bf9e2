"""GAN objectives on discriminator logits.

* ``cross_entropy``: the minimax game of Goodfellow et al. (2014, arXiv:1406.2661):
  D minimises BCE(D(x), 1) + BCE(D(G(z)), 0); G minimises E[log(1 - sigmoid(D(G(z))))],
  which saturates when D rejects the samples confidently.
* ``non_saturating``: the same D loss; G minimises BCE(D(G(z)), 1) = -E[log sigmoid(D(G(z)))]
  (Goodfellow et al. 2014, section 3), strong gradients early in training.
* ``mse``: least squares GAN (Mao et al. 2017, arXiv:1611.04076) with a=0, b=c=1 on the
  raw outputs: D minimises ½E[(D(x) - 1)²] + ½E[D(G(z))²]; G minimises ½E[(D(G(z)) - 1)²].

``real_label`` < 1 is one-sided label smoothing of D's real target (Salimans et al. 2016,
arXiv:1606.03498; the report uses 0.9). The D loss is the sum of its real and fake terms.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from advgen.errors import ConfigError

LOSSES = ("mse", "cross_entropy", "non_saturating")


def _check(loss: str) -> None:
    if loss not in LOSSES:
        raise ConfigError(f"loss: unknown GAN loss '{loss}' (known: {', '.join(LOSSES)})")


def discriminator_loss(
    loss: str, real_logits: torch.Tensor, fake_logits: torch.Tensor, real_label: float = 1.0
) -> torch.Tensor:
    """D's loss on logits of a real and a generated batch."""
    _check(loss)
    if loss == "mse":
        return 0.5 * (real_logits - real_label).pow(2).mean() + 0.5 * fake_logits.pow(2).mean()
    real_target = torch.full_like(real_logits, real_label)
    return F.binary_cross_entropy_with_logits(real_logits, real_target) + F.binary_cross_entropy_with_logits(
        fake_logits, torch.zeros_like(fake_logits)
    )


def generator_loss(loss: str, fake_logits: torch.Tensor) -> torch.Tensor:
    """G's loss on D's logits of a generated batch."""
    _check(loss)
    if loss == "mse":
        return 0.5 * (fake_logits - 1.0).pow(2).mean()
    if loss == "cross_entropy":
        # log(1 - sigmoid(l)) = -softplus(l)
        return -F.softplus(fake_logits).mean()
    return F.softplus(-fake_logits).mean()


def mean_score(loss: str, logits: torch.Tensor) -> torch.Tensor:
    """D's mean output on the scale of the loss's targets (1 = real, 0 = fake), as a 0-dim tensor.

    A probability (sigmoid of the logit) for the cross-entropy losses, the raw output for
    the least-squares loss.
    """
    _check(loss)
    out = logits if loss == "mse" else torch.sigmoid(logits)
    return out.detach().mean()


def discriminator_score(loss: str, logits: torch.Tensor) -> float:
    """:func:`mean_score` read on the host."""
    return float(mean_score(loss, logits))
