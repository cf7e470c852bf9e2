"""Linear probes on frozen features (Alain and Bengio, "Understanding intermediate layers
using linear classifier probes", 2016): multinomial logistic regression on standardised
features, fitted full batch with L-BFGS (deterministic, a few seconds on CPU).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class LinearProbe(nn.Module):
    """``W ((f - mean) / std) + b``: logits from features; the standardisation is part of it."""

    def __init__(self, dim: int, num_classes: int) -> None:
        super().__init__()
        self.linear = nn.Linear(dim, num_classes)
        self.register_buffer("mean", torch.zeros(dim))
        self.register_buffer("std", torch.ones(dim))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.linear((features - self.mean) / self.std)


def fit_linear_probe(
    features: torch.Tensor,
    labels: torch.Tensor,
    num_classes: int,
    *,
    weight_decay: float = 1e-4,
    max_iter: int = 200,
) -> LinearProbe:
    """Fit a :class:`LinearProbe` minimising mean cross-entropy + ``weight_decay * ||W||^2``.

    Features with zero variance (dead units) are left unscaled. Returns the probe in eval
    mode with frozen parameters, on the features' device.
    """
    features = features.detach().float()
    probe = LinearProbe(features.shape[1], num_classes).to(features.device)
    nn.init.zeros_(probe.linear.weight)
    nn.init.zeros_(probe.linear.bias)
    probe.mean.copy_(features.mean(0))
    std = features.std(0)
    probe.std.copy_(torch.where(std > 1e-8, std, torch.ones_like(std)))
    z = (features - probe.mean) / probe.std
    opt = torch.optim.LBFGS(
        probe.linear.parameters(), lr=1.0, max_iter=max_iter, line_search_fn="strong_wolfe"
    )

    def closure() -> torch.Tensor:
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(probe.linear(z), labels) + weight_decay * probe.linear.weight.square().sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    return probe.eval().requires_grad_(False)


class ProbedModel(nn.Module):
    """``probe(features(x))``: a classifier of images in [0, 1] that attacks can target."""

    def __init__(self, features: nn.Module, probe: LinearProbe) -> None:
        super().__init__()
        self.features = features
        self.probe = probe

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.probe(self.features(x))


@torch.no_grad()
def probe_accuracy(probe: nn.Module, features: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of ``labels`` the probe predicts from ``features``."""
    return float((probe(features).argmax(1) == labels).float().mean())
