"""Latent moment forcing (the report's "Non-Adversarial Networks - Q2").

To push the encoder's codes towards N(0, I), the autoencoder's loss adds
``factor * MSE([mean, var, kurtosis] of z, [0, 1, 3])`` to the image MSE. The codes are
unbounded, so the moment term is huge in the first iterations; the factor starts small
(0.001) and doubles every epoch up to 2.048 (epoch 12), letting the image term dominate
early and the moments count later.
"""

from __future__ import annotations

import torch

TARGETS = (0.0, 1.0, 3.0)  # mean, variance, (non-excess) kurtosis of N(0, 1)


def moments(z: torch.Tensor, over: str = "all") -> torch.Tensor:
    """``[mean, var, kurtosis]`` of ``z`` (N, D): pooled over every entry (``"all"``) -> (3,),
    or per latent dimension over the batch (``"per_dimension"``) -> (3, D). Population moments."""
    x = z.flatten() if over == "all" else z
    mean = x.mean(dim=0)
    centred = x - mean
    var = centred.pow(2).mean(dim=0)
    kurt = centred.pow(4).mean(dim=0) / var.pow(2).clamp_min(1e-12)
    return torch.stack([mean, var, kurt])


def moment_mse(z: torch.Tensor, over: str = "all") -> torch.Tensor:
    """MSE between the moments of ``z`` and those of N(0, 1) (averaged over dimensions)."""
    m = moments(z, over)
    target = torch.tensor(TARGETS, dtype=m.dtype, device=m.device).view(3, *([1] * (m.ndim - 1)))
    return (m - target).pow(2).mean()


def moment_factor(epoch: int, initial: float = 0.001, growth: float = 2.0, maximum: float = 2.048) -> float:
    """The factor in (1-based) ``epoch``: ``min(initial * growth**(epoch - 1), maximum)``."""
    return min(initial * growth ** (epoch - 1), maximum)
