"""The classifier zoo: fully connected nets (Szegedy et al. 2013) and CNNs (Madry et al. 2017).

Every model maps images in [0, 1] (N, C, H, W) to **logits** (never probabilities: a
softmax output masks gradients, a known attack pitfall) and exposes its penultimate
activations through ``forward_features(x)`` (alias ``features``), which the generative
stage uses as the feature space of its Frechet classifier distance.

``CLASSIFIERS`` maps an architecture name to a constructor
``(in_shape, num_classes, width=1.0) -> nn.Module``; ``width`` multiplies every hidden
layer's units or channels (Madry et al.'s capacity scale).

* ``fc10``: softmax regression (Szegedy's FC10(lambda); lambda is the ``weight_decay``).
* ``fc100_100``, ``fc200_200``, ``fc123_456``: Szegedy's FC100-100-10, FC200-200-10 and
  FC123-456-10 (ReLU hidden layers).
* ``cnn_small``: conv 16 3x3, pool, conv 32 3x3, pool, fc 64 (a CPU-sized CNN).
* ``cnn_madry``: conv 32 5x5, pool, conv 64 5x5, pool, fc 1024 (Madry et al.'s MNIST net).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from advgen.models.layout import use_channels_last

Shape = tuple[int, int, int]


def _units(base: int, width: float) -> int:
    return max(1, int(round(base * width)))


class FCNet(nn.Module):
    """A fully connected classifier: flatten, ReLU hidden layers, linear logits."""

    def __init__(
        self, in_shape: Sequence[int], num_classes: int, hidden: Sequence[int] = (), width: float = 1.0
    ):
        super().__init__()
        c, h, w = (int(v) for v in in_shape)
        layers: list[nn.Module] = [nn.Flatten()]
        fan_in = c * h * w
        for units in hidden:
            units = _units(units, width)
            layers += [nn.Linear(fan_in, units), nn.ReLU()]
            fan_in = units
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(fan_in, num_classes)
        self.feature_dim = fan_in

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate activations (the flattened input for softmax regression)."""
        return self.body(x)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_features(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.forward_features(x))


class ConvNet(nn.Module):
    """Two conv + max-pool blocks and one hidden fully connected layer (Madry et al. 2017)."""

    def __init__(
        self,
        in_shape: Sequence[int],
        num_classes: int,
        channels: tuple[int, int] = (32, 64),
        kernel: int = 5,
        fc: int = 1024,
        width: float = 1.0,
    ):
        super().__init__()
        c, h, w = (int(v) for v in in_shape)
        c1, c2 = (_units(ch, width) for ch in channels)
        pad = kernel // 2
        # max-pool before ReLU: the two commute exactly (max(relu(a)) == relu(max(a)), and the
        # gradient reaches the same first maximum, or nothing when the maximum is <= 0), so the
        # function and its gradients are those of conv -> ReLU -> pool, with ReLU on 4x fewer values.
        self.conv = nn.Sequential(
            nn.Conv2d(c, c1, kernel, padding=pad),
            nn.MaxPool2d(2),
            nn.ReLU(),
            nn.Conv2d(c1, c2, kernel, padding=pad),
            nn.MaxPool2d(2),
            nn.ReLU(),
            nn.Flatten(),
        )
        flat = c2 * (h // 4) * (w // 4)
        units = _units(fc, width)
        self.fc = nn.Sequential(nn.Linear(flat, units), nn.ReLU())
        self.head = nn.Linear(units, num_classes)
        self.feature_dim = units
        use_channels_last(self)  # NHWC conv / max-pool on CPU (advgen.models.layout)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate activations: the hidden fully connected layer."""
        return self.fc(self.conv(x))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_features(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.forward_features(x))


def _fc(hidden: tuple[int, ...]) -> Callable[..., nn.Module]:
    def build(in_shape: Sequence[int], num_classes: int, width: float = 1.0) -> nn.Module:
        return FCNet(in_shape, num_classes, hidden=hidden, width=width)

    return build


def _cnn(channels: tuple[int, int], kernel: int, fc: int) -> Callable[..., nn.Module]:
    def build(in_shape: Sequence[int], num_classes: int, width: float = 1.0) -> nn.Module:
        return ConvNet(in_shape, num_classes, channels=channels, kernel=kernel, fc=fc, width=width)

    return build


CLASSIFIERS: dict[str, Callable[..., nn.Module]] = {
    "fc10": _fc(()),
    "fc100_100": _fc((100, 100)),
    "fc200_200": _fc((200, 200)),
    "fc123_456": _fc((123, 456)),
    "cnn_small": _cnn((16, 32), 3, 64),
    "cnn_madry": _cnn((32, 64), 5, 1024),
}


def build_classifier(arch: str, in_shape: Sequence[int], num_classes: int, width: float = 1.0) -> nn.Module:
    """Instantiate a zoo architecture by name.

    Raises:
        KeyError: naming the known architectures, for an unknown ``arch``.
    """
    if arch not in CLASSIFIERS:
        raise KeyError(f"unknown classifier architecture '{arch}' (known: {', '.join(sorted(CLASSIFIERS))})")
    return CLASSIFIERS[arch](tuple(int(v) for v in in_shape), int(num_classes), width=float(width))


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
