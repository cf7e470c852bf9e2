"""The report's convolutional autoencoder ("Non-Adversarial Networks - Q1").

Encoder: 3 convolutions (3x3, stride 2, batch norm, ReLU) and a linear layer to z
(``z_dim`` 100, no activation: z is unbounded, which is why the latent-forcing loss of
:mod:`advgen.ae.losses` ramps its factor up). Decoder: a linear layer and 3 ConvTranspose
layers (ReLU between, sigmoid output so images are in [0, 1]); trained with MSE.
Works for any square image side (28, 32, 64: the side is halved, rounding up, three times).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from advgen.errors import ConfigError
from advgen.models.layout import use_channels_last


def _sides(size: int) -> list[int]:
    sides = [size]
    for _ in range(3):
        sides.append(math.ceil(sides[-1] / 2))
    return sides


class ConvEncoder(nn.Module):
    """Images in [0, 1] ``(N, C, S, S)`` -> latent codes ``(N, z_dim)``."""

    def __init__(
        self, image_shape: tuple[int, int, int] = (1, 28, 28), z_dim: int = 100, width: int = 32
    ) -> None:
        super().__init__()
        c, h, w = image_shape
        if h != w or h < 8:
            raise ConfigError(f"autoencoder 'conv' needs square images of side >= 8, got {c}x{h}x{w}")
        self.image_shape, self.z_dim = (c, h, w), int(z_dim)
        widths = [c, width, 2 * width, 4 * width]
        layers: list[nn.Module] = []
        for a, b in zip(widths[:-1], widths[1:]):
            layers += [nn.Conv2d(a, b, 3, 2, 1), nn.BatchNorm2d(b), nn.ReLU(True)]
        self.conv = nn.Sequential(*layers, nn.Flatten())
        self.fc = nn.Linear(widths[-1] * _sides(h)[-1] ** 2, self.z_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.conv(x))


class ConvDecoder(nn.Module):
    """Latent codes ``(N, z_dim)`` -> images in [0, 1] (linear, 3 ConvTranspose, sigmoid)."""

    def __init__(
        self, image_shape: tuple[int, int, int] = (1, 28, 28), z_dim: int = 100, width: int = 32
    ) -> None:
        super().__init__()
        c, h, _ = image_shape
        self.image_shape, self.z_dim = tuple(image_shape), int(z_dim)
        sides = _sides(h)[::-1]  # e.g. [4, 7, 14, 28]
        widths = [4 * width, 2 * width, width, c]
        self.start = (widths[0], sides[0], sides[0])
        self.fc = nn.Sequential(nn.Linear(self.z_dim, widths[0] * sides[0] ** 2), nn.ReLU(True))
        layers: list[nn.Module] = []
        for i in range(3):
            pad = sides[i + 1] - (2 * sides[i] - 1)  # output_padding that reaches the next side
            layers.append(nn.ConvTranspose2d(widths[i], widths[i + 1], 3, 2, 1, output_padding=pad))
            if i < 2:
                layers.append(nn.ReLU(True))
        self.deconv = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.deconv(self.fc(z).view(-1, *self.start)))


class ConvAutoencoder(nn.Module):
    """Encoder + decoder; ``forward`` returns ``(reconstruction, z)`` as in the report."""

    def __init__(
        self, image_shape: tuple[int, int, int] = (1, 28, 28), z_dim: int = 100, width: int = 32
    ) -> None:
        super().__init__()
        self.z_dim = int(z_dim)
        self.encoder = ConvEncoder(image_shape, z_dim, width)
        self.decoder = ConvDecoder(image_shape, z_dim, width)
        use_channels_last(self)  # NHWC (transposed) convolutions on CPU (advgen.models.layout)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z = self.encoder(x)
        return self.decoder(z), z
