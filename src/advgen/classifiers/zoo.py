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

Shape = tuple[int, int, int]


def _units(base: int, width: float) -> int:
    return max(1, int(round(base * width)))


class FCNet(nn.Module):
    """A fully connected classifier: flatten, ReLU hidden layers, linear logits."""

    def __init__(self, in_shape: Sequence[int], num_classes: int, hidden: Sequence[int] = (), width: float = 1.0):
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


def _contiguous_state(module: nn.Module, state_dict: dict, prefix: str, local_metadata: dict) -> None:
    """State-dict hook: every tensor in the default (NCHW) layout, whatever the module's."""
    for key, value in state_dict.items():
        if key.startswith(prefix) and isinstance(value, torch.Tensor):
            state_dict[key] = value.contiguous()


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
        self.conv = nn.Sequential(
            nn.Conv2d(c, c1, kernel, padding=pad),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, kernel, padding=pad),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
        )
        flat = c2 * (h // 4) * (w // 4)
        units = _units(fc, width)
        self.fc = nn.Sequential(nn.Linear(flat, units), nn.ReLU())
        self.head = nn.Linear(units, num_classes)
        self.feature_dim = units
        # NHWC weights: MKLDNN's convolutions and max-pools then run in channels_last on CPU
        # (PGD-7 training step of cnn_small, batch 64, one thread: 304 -> 209 ms CPU), inputs
        # follow the weights' layout; values only change at float rounding level. State dicts
        # (checkpoints, resume states) stay contiguous NCHW.
        self.to(memory_format=torch.channels_last)
        self.register_state_dict_post_hook(_contiguous_state)

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
