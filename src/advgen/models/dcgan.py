"""DCGAN (Radford et al. 2015, arXiv:1511.06434) for square power-of-two colour images.

The generator projects z to a 4x4 map with a 4x4 ConvTranspose and doubles the side with
strided 4x4 ConvTranspose layers (batch norm, ReLU; tanh output) until ``image_size``;
the discriminator mirrors it with strided convolutions (LeakyReLU 0.2, batch norm except
on the first layer). Widths halve per up-sampling from ``8 * ngf`` (64 px) or ``4 * ngf``
(32 px), as in the paper's CelebA/LSUN and CIFAR-10 models. Weights start from
N(0, 0.02), batch-norm scales from N(1, 0.02).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from advgen.errors import ConfigError
from advgen.models.base import Discriminator, Generator


def _levels(arch: str, image_shape: tuple[int, ...]) -> int:
    c, h, w = image_shape
    n = int(round(math.log2(h))) if h > 0 else 0
    if h != w or h < 16 or 2**n != h:
        raise ConfigError(f"architecture '{arch}' needs square power-of-two images >= 16 px, got {c}x{h}x{w}")
    return n - 2  # number of 2x up/down-samplings between 4x4 and the image


def dcgan_init(module: nn.Module) -> None:
    """The DCGAN initialisation: conv weights N(0, 0.02); batch norm N(1, 0.02), bias 0."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


class DCGANGenerator(Generator):
    """z -> 4x4 -> ... -> ``image_size`` (ConvTranspose 4x4, stride 2, BN, ReLU), tanh."""

    def __init__(
        self, z_dim: int = 100, image_shape: tuple[int, int, int] = (3, 64, 64), ngf: int = 64
    ) -> None:
        super().__init__(z_dim, image_shape)
        ups = _levels("dcgan", self.image_shape)
        width = ngf * 2 ** (ups - 1)
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(self.z_dim, width, 4, 1, 0, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(True),
        ]
        for _ in range(ups - 1):
            layers += [
                nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(width // 2),
                nn.ReLU(True),
            ]
            width //= 2
        layers.append(nn.ConvTranspose2d(width, self.image_shape[0], 4, 2, 1, bias=False))
        self.net = nn.Sequential(*layers)
        dcgan_init(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.net(z.view(-1, self.z_dim, 1, 1)))


class DCGANDiscriminator(Discriminator):
    """image -> ... -> 4x4 (Conv 4x4, stride 2, LeakyReLU 0.2, BN after the first) -> linear logit."""

    def __init__(self, image_shape: tuple[int, int, int] = (3, 64, 64), ndf: int = 64) -> None:
        super().__init__(image_shape)
        downs = _levels("dcgan", self.image_shape)
        width = ndf
        layers: list[nn.Module] = [
            nn.Conv2d(self.image_shape[0], width, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, True),
        ]
        for _ in range(downs - 1):
            layers += [
                nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False),
                nn.BatchNorm2d(2 * width),
                nn.LeakyReLU(0.2, True),
            ]
            width *= 2
        layers.append(nn.Flatten())
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width * 16, 1)
        dcgan_init(self)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)
