"""Latent moment forcing (the report's "Non-Adversarial Networks - Q2").

To push the encoder's codes towards N(0, I), the autoencoder's loss adds
``factor * MSE([mean, var, kurtosis] of z, [0, 1, 3])`` to the image MSE. The codes are
unbounded, so the moment term is huge in the first iterations; the factor starts small
(0.001) and doubles every epoch up to 2.048 (epoch 12), letting the image term dominate
early and the moments count later.

Matching each dimension's moments leaves the codes free to be correlated: on the 4,000-digit
MNIST sample they fill a low-dimensional subspace (covariance eigenvalues from about 8 down to
0.001 after 20 epochs), so most of N(0, I) lies where the decoder never saw a code and decodes
to faint stroke fragments (docs/generators.md). ``covariance`` > 0 adds
``covariance * ||Cov(z) - I||_F^2 / D`` over the batch's codes (the covariance term of VICReg,
Bardes et al. 2022, arXiv:2105.04906, with the diagonal pulled to 1 instead of hinged), which
spreads the codes over every direction that N(0, I) samples.
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


def covariance_mse(z: torch.Tensor) -> torch.Tensor:
    """``||Cov(z) - I||_F^2 / D`` of the batch's codes ``z`` (N, D): the unbiased sample covariance."""
    centred = z - z.mean(dim=0)
    cov = centred.T @ centred / max(len(z) - 1, 1)
    eye = torch.eye(z.shape[1], dtype=z.dtype, device=z.device)
    return (cov - eye).pow(2).sum() / z.shape[1]


def moment_mse(z: torch.Tensor, over: str = "all", covariance: float = 0.0) -> torch.Tensor:
    """MSE between the moments of ``z`` and those of N(0, 1) (averaged over dimensions), plus
    ``covariance`` times :func:`covariance_mse` when it is > 0."""
    m = moments(z, over)
    target = torch.tensor(TARGETS, dtype=m.dtype, device=m.device).view(3, *([1] * (m.ndim - 1)))
    loss = (m - target).pow(2).mean()
    return loss + covariance * covariance_mse(z) if covariance > 0 else loss


def moment_factor(epoch: int, initial: float = 0.001, growth: float = 2.0, maximum: float = 2.048) -> float:
    """The factor in (1-based) ``epoch``: ``min(initial * growth**(epoch - 1), maximum)``."""
    return min(initial * growth ** (epoch - 1), maximum)
