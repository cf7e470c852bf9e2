"""Discriminators for 28x28 images. Each returns one logit per image; ``forward_features``
gives the penultimate layer.

* ``M3``: the report's MNIST discriminator, FC 784-1024-512-256-1 with LeakyReLU 0.2 and
  dropout 0.3 (1,460,225 trainable parameters, as the report counts).
* ``mlp_small``: FC C*H*W-256-128-1 with dropout, for smoke runs.
* ``dcgan28``: DCGAN (Radford et al. 2015) at 28 px: two strided convolutions
  (LeakyReLU 0.2, batch norm on the second), linear head.
* ``conv_small``: two strided convolutions with dropout, FC 128, linear head.
* ``conv_sn``: ``conv_small`` with spectral normalisation on every layer and no dropout
  (Miyato et al. 2018).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from advgen.models.base import Discriminator, require_shape
from advgen.models.generators28 import hidden_activation
from advgen.models.spectral import spectral_norm


class MLPDiscriminator(Discriminator):
    """Fully connected discriminator: image -> hidden... (LeakyReLU, dropout) -> logit."""

    def __init__(
        self,
        image_shape: tuple[int, int, int] = (1, 28, 28),
        hidden: tuple[int, ...] = (1024, 512, 256),
        dropout: float = 0.3,
        slope: float = 0.2,
        activation: str = "leaky_relu",
    ) -> None:
        super().__init__(image_shape)
        sizes = [math.prod(self.image_shape), *hidden]
        layers: list[nn.Module] = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), hidden_activation(activation, slope)]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(hidden[-1], 1)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x.flatten(1))


class ConvDiscriminator(Discriminator):
    """Two strided 3x3 convolutions (28 -> 14 -> 7), FC ``hidden``, linear head."""

    def __init__(
        self,
        image_shape: tuple[int, int, int] = (1, 28, 28),
        channels: tuple[int, int] = (32, 64),
        hidden: int = 128,
        dropout: float = 0.3,
        spectral: bool = False,
    ) -> None:
        super().__init__(image_shape)
        require_shape("conv_sn" if spectral else "conv_small", self.image_shape, size=28)
        sn = spectral_norm if spectral else (lambda m: m)
        drop = [nn.Dropout(dropout)] if dropout > 0 else []
        c0, (c1, c2) = self.image_shape[0], channels
        self.body = nn.Sequential(
            sn(nn.Conv2d(c0, c1, 3, 2, 1)),
            nn.LeakyReLU(0.2, inplace=True),
            *drop,
            sn(nn.Conv2d(c1, c2, 3, 2, 1)),
            nn.LeakyReLU(0.2, inplace=True),
            *drop,
            nn.Flatten(),
            sn(nn.Linear(c2 * 49, hidden)),
            nn.LeakyReLU(0.2, inplace=True),
        )
        self.head = sn(nn.Linear(hidden, 1))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class DCGAN28Discriminator(Discriminator):
    """DCGAN-style discriminator for 28 px: conv 4x4/2 (64) -> conv 4x4/2 + BN (128) -> linear."""

    def __init__(self, image_shape: tuple[int, int, int] = (1, 28, 28), ndf: int = 64) -> None:
        super().__init__(image_shape)
        require_shape("dcgan28", self.image_shape, size=28)
        self.body = nn.Sequential(
            nn.Conv2d(self.image_shape[0], ndf, 4, 2, 1),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, 2 * ndf, 4, 2, 1),
            nn.BatchNorm2d(2 * ndf),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Flatten(),
        )
        self.head = nn.Linear(2 * ndf * 49, 1)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)
