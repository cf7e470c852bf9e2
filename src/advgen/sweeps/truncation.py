"""The truncation trick (Brock et al., "Large Scale GAN Training for High Fidelity Natural
Image Synthesis", ICLR 2019, section 3.1; the report's "LargeGAN" answer).

Sample ``z ~ N(0, I)`` and resample every coordinate with ``|z_j| > psi``: the result is
the normal distribution truncated to ``[-psi, psi]``. It is drawn here in one pass by the
inverse CDF, ``z = Phi^-1(U(Phi(-psi), Phi(psi)))``, which has exactly the distribution of
the resampling loop without its data-dependent number of rounds. ``psi = None`` means no
truncation. Smaller ``psi`` trades diversity (IS, mode coverage) for sample quality.

The image grid of the sweep (one row per ``psi``, one column per latent) needs the same
latents in every row: :func:`matched_latents` maps one set of uniform draws through the
inverse CDF of each ``psi`` (``psi = None``: the untruncated normal), so a column shows one
latent squeezed towards 0 as ``psi`` shrinks.
"""

from __future__ import annotations

import torch
from torch import nn


def truncated_normal(num: int, z_dim: int, psi: float | None, *, seed: int) -> torch.Tensor:
    """``(num, z_dim)`` standard normal samples truncated to ``[-psi, psi]`` (CPU, seeded)."""
    if psi is None:
        return torch.randn(num, z_dim, generator=torch.Generator().manual_seed(seed))
    return _normal_quantiles(_uniform_draws(num, z_dim, seed), psi)


def matched_latents(num: int, z_dim: int, psi: float | None, *, seed: int) -> torch.Tensor:
    """``(num, z_dim)`` latents from the same uniform draws for every ``psi`` (CPU, seeded).

    Equal to :func:`truncated_normal` for a finite ``psi``; for ``psi = None`` the same
    draws pass through the untruncated inverse CDF (not ``randn``), so the columns of the
    truncation grid are one latent per column across all rows.
    """
    return _normal_quantiles(_uniform_draws(num, z_dim, seed), psi)


def _uniform_draws(num: int, z_dim: int, seed: int) -> torch.Tensor:
    return torch.rand(num, z_dim, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def _normal_quantiles(u: torch.Tensor, psi: float | None) -> torch.Tensor:
    """Quantiles of N(0, 1) truncated to ``[-psi, psi]`` (untruncated for ``None``) at ``u``."""
    if psi is None:
        eps = torch.finfo(torch.float64).eps
        return torch.special.ndtri(u.clamp(eps, 1.0 - eps)).float()
    if psi <= 0:
        raise ValueError(f"psi must be positive, got {psi}")
    lo = torch.special.ndtr(torch.tensor(-float(psi), dtype=torch.float64))
    z = torch.special.ndtri(lo + u * (1.0 - 2.0 * lo))
    return z.clamp(-psi, psi).float()


def truncated_variance(psi: float) -> float:
    """Variance of N(0, 1) truncated to ``[-psi, psi]``: ``1 - 2 psi phi(psi) / (2 Phi(psi) - 1)``."""
    t = torch.tensor(float(psi), dtype=torch.float64)
    pdf = torch.exp(-0.5 * t * t) / (2.0 * torch.pi) ** 0.5
    return float(1.0 - 2.0 * t * pdf / (2.0 * torch.special.ndtr(t) - 1.0))


@torch.no_grad()
def sample(
    generator: nn.Module, num: int, z_dim: int, psi: float | None, *, seed: int, batch_size: int = 500
) -> torch.Tensor:
    """``num`` images from ``generator`` with truncated latents (CPU tensor)."""
    z = truncated_normal(num, z_dim, psi, seed=seed)
    device = next(generator.parameters()).device
    return torch.cat([generator(chunk.to(device)).cpu() for chunk in z.split(batch_size)])


#: columns of the truncation image grid (the same latents in every psi row)
GRID_SAMPLES = 8


@torch.no_grad()
def grid_row(
    generator: nn.Module, z_dim: int, psi: float | None, *, seed: int, num: int = GRID_SAMPLES
) -> torch.Tensor:
    """``num`` images of :func:`matched_latents` at ``psi``: one row of the truncation grid (CPU)."""
    z = matched_latents(num, z_dim, psi, seed=seed)
    return generator(z.to(next(generator.parameters()).device)).cpu()


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """Images in [0, 1] as uint8 (rounded, clipped): what the figure files store."""
    return (images.detach().cpu().float().clamp(0, 1) * 255).round().to(torch.uint8)
