"""Gradient penalties on the discriminator.

R1 (Mescheder et al. 2018, "Which Training Methods for GANs do actually Converge?",
arXiv:1801.04406): ``gamma / 2 * E_real[||grad_x D(x)||^2]``, the squared gradient norm of
D's logit on real images, added to D's loss. It keeps D flat on the data, which makes
simultaneous gradient descent converge locally; the paper uses gamma = 10.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn


def r1_penalty(
    discriminator: nn.Module,
    real: torch.Tensor,
    gamma: float,
    *,
    prepare: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """D's logits on ``real`` and the R1 penalty ``gamma / 2 * mean ||d logit / d x||^2``.

    ``prepare`` (e.g. DiffAugment) maps the images to D's input inside the graph, so the
    penalty is taken on the images as D sees them and its gradient flows through it.
    The penalty keeps its graph (``create_graph``): D's update differentiates it.
    """
    x = real.detach().requires_grad_(True)
    logits = discriminator(prepare(x) if prepare is not None else x)
    (grad,) = torch.autograd.grad(logits.sum(), x, create_graph=True)
    return logits, 0.5 * gamma * grad.pow(2).flatten(1).sum(dim=1).mean()
