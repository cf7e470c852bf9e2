"""Tiny generators and classifiers for the sweeps' unit tests."""

from __future__ import annotations

import torch
from torch import nn


class TinyGenerator(nn.Module):
    """z (B, z_dim) -> images (B, 1, side, side) in [0, 1] through a small MLP."""

    def __init__(self, z_dim: int = 4, side: int = 4, hidden: int = 16, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.z_dim, self.side = z_dim, side
        self.net = nn.Sequential(
            nn.Linear(z_dim, hidden), nn.Tanh(), nn.Linear(hidden, side * side), nn.Sigmoid()
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z).view(-1, 1, self.side, self.side)


class IdentityGenerator(nn.Module):
    """G(z) = z reshaped to (1, side, side): the loss landscape is known in closed form."""

    def __init__(self, side: int = 2) -> None:
        super().__init__()
        self.z_dim, self.side = side * side, side
        self.scale = nn.Parameter(torch.ones(()))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return (self.scale * z).view(-1, 1, self.side, self.side)
