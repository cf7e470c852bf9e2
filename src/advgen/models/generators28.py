"""Generators for 28x28 images (MNIST, Fashion-MNIST, digits at 28 px).

* ``mlp``: the fully connected GAN generator of Goodfellow et al. (2014), as in the
  common MNIST recipes (z -> 256 -> 512 -> 1024 -> C*H*W, LeakyReLU 0.2, tanh).
* ``mlp_small``: a narrower MLP (z -> 128 -> 256 -> C*H*W) for smoke runs.
* ``mlp_bn``: the MLP with batch normalisation and ReLU (the DCGAN guidelines,
  Radford et al. 2015, applied to an MLP).
* ``M1``: the report's MNIST generator, 3 FC layers then 3 ConvTranspose
  (z -> 256 -> 512 -> 784 -> 16x7x7 -> 64x14x14 -> 64x28x28 -> 1x28x28): the layout
  that gives the report's 675,025 trainable parameters at z = 50 (its FC part matches
  the MLP recipe; the ConvTranspose layers remove the salt-and-pepper noise of a pure MLP).
* ``dcgan28``: DCGAN (Radford et al. 2015) at 28 px: FC -> 128x7x7, two strided
  ConvTranspose with batch norm and ReLU, tanh.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from advgen.errors import ConfigError
from advgen.models.base import Generator, require_shape

#: hidden-layer activations of the MLPs (``activation`` of ``mlp`` / ``mlp_small`` and of the MLP
#: discriminators): LeakyReLU 0.2 (the recipes'), or the logistic sigmoid the GAN report tried
#: ("for both the generator and discriminator, the sigmoid activation function did not manage to
#: yield any results")
ACTIVATIONS = ("leaky_relu", "sigmoid")


def hidden_activation(name: str, slope: float = 0.2) -> nn.Module:
    """The hidden-layer activation ``name`` (:data:`ACTIVATIONS`)."""
    if name == "leaky_relu":
        return nn.LeakyReLU(slope, inplace=True)
    if name == "sigmoid":
        return nn.Sigmoid()
    raise ConfigError(f"activation: unknown {name!r} (known: {', '.join(ACTIVATIONS)})")


def _mlp(
    sizes: list[int], *, batch_norm: bool = False, slope: float = 0.2, activation: str = "leaky_relu"
) -> nn.Sequential:
    layers: list[nn.Module] = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers.append(nn.Linear(a, b))
        if batch_norm:
            layers += [nn.BatchNorm1d(b), nn.ReLU(inplace=True)]
        else:
            layers.append(hidden_activation(activation, slope))
    return nn.Sequential(*layers)


class MLPGenerator(Generator):
    """Fully connected generator (Goodfellow et al. 2014): z -> hidden... -> C*H*W, tanh."""

    def __init__(
        self,
        z_dim: int = 100,
        image_shape: tuple[int, int, int] = (1, 28, 28),
        hidden: tuple[int, ...] = (256, 512, 1024),
        batch_norm: bool = False,
        activation: str = "leaky_relu",
    ) -> None:
        super().__init__(z_dim, image_shape)
        out = math.prod(self.image_shape)
        self.body = _mlp([self.z_dim, *hidden], batch_norm=batch_norm, activation=activation)
        self.out = nn.Linear(hidden[-1], out)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.out(self.body(z))).view(-1, *self.image_shape)


class M1Generator(Generator):
    """The report's M1: 3 FC (LeakyReLU 0.2) then 3 ConvTranspose, tanh; 1x28x28 only."""

    def __init__(self, z_dim: int = 50, image_shape: tuple[int, int, int] = (1, 28, 28)) -> None:
        super().__init__(z_dim, image_shape)
        require_shape("M1", self.image_shape, size=28, channels=1)
        self.fc = _mlp([self.z_dim, 256, 512, 784])
        self.deconv = nn.Sequential(
            nn.ConvTranspose2d(16, 64, 5, stride=2, padding=2, output_padding=1),  # 7 -> 14
            nn.LeakyReLU(0.2, inplace=True),
            nn.ConvTranspose2d(64, 64, 5, stride=2, padding=2, output_padding=1),  # 14 -> 28
            nn.LeakyReLU(0.2, inplace=True),
            nn.ConvTranspose2d(64, 1, 1),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.deconv(self.fc(z).view(-1, 16, 7, 7)))


class DCGAN28Generator(Generator):
    """DCGAN-style generator for 28 px (Radford et al. 2015): FC -> 7x7 -> 14 -> 28."""

    def __init__(
        self, z_dim: int = 100, image_shape: tuple[int, int, int] = (1, 28, 28), ngf: int = 64
    ) -> None:
        super().__init__(z_dim, image_shape)
        require_shape("dcgan28", self.image_shape, size=28)
        self.ngf = ngf
        self.fc = nn.Sequential(
            nn.Linear(self.z_dim, 2 * ngf * 49), nn.BatchNorm1d(2 * ngf * 49), nn.ReLU(True)
        )
        self.deconv = nn.Sequential(
            nn.ConvTranspose2d(2 * ngf, ngf, 4, 2, 1),
            nn.BatchNorm2d(ngf),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf, self.image_shape[0], 4, 2, 1),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.deconv(self.fc(z).view(-1, 2 * self.ngf, 7, 7)))
