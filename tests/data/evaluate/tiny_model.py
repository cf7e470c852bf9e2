"""A user's own model for ``advgen evaluate``'s tests: a tiny CNN for 1x28x28 digits."""

from torch import nn


class TinyCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3, stride=2), nn.ReLU(), nn.Flatten())
        self.head = nn.Linear(4 * 13 * 13, 10)

    def forward(self, x):
        return self.head(self.features(x))


def make_model() -> nn.Module:
    """The factory form (``tiny_model.py:make_model``)."""
    return TinyCNN()
