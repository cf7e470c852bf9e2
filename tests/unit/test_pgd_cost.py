"""PGD's cost shortcuts: the budget-0 shortcut (output-equal) and evaluation early stopping."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from advgen.attacks import PGD
from tests.unit.robust_helpers import blob_split, trained_linear

pytestmark = pytest.mark.usefixtures("one_thread")

SPLIT = blob_split(90, size=8)
MODEL = trained_linear(SPLIT)
X, Y = SPLIT.images, SPLIT.labels


class Counting(nn.Module):
    """Wraps a model and counts the input rows it is called on."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model, self.rows = model, 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.rows += x.shape[0]
        return self.model(x)


class Unshortcut(PGD):
    """PGD without the budget-0 shortcut: the iterations the shortcut skips."""

    def perturb(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        eps, self.eps = self.eps, 1.0  # get past the shortcut, then iterate at budget 0
        try:
            zero = torch.zeros((x.shape[0],) + (1,) * (x.ndim - 1), dtype=x.dtype)
            best, best_score = self._run(x, y, zero)
            for _ in range(self.restarts - 1):
                adv, score = self._run(x, y, zero)
                better = score > best_score
                best = torch.where(better.view(-1, *([1] * (x.ndim - 1))), adv, best)
                best_score = torch.maximum(best_score, score)
        finally:
            self.eps = eps
        return best


@pytest.mark.parametrize("params", [{}, {"norm": "l2", "restarts": 2}, {"alpha": 0.05, "random_start": False}])
def test_budget_zero_returns_the_iterated_result_without_iterating(params: dict) -> None:
    counting = Counting(MODEL)
    shortcut = PGD(counting, eps=0.0, steps=5, **params).generate(X, Y)
    assert counting.rows == 0
    assert torch.equal(shortcut, Unshortcut(MODEL, eps=0.0, steps=5, **params).generate(X, Y))
    assert torch.equal(shortcut, X)


def test_budget_zero_in_a_grid_leaves_the_other_budgets_unchanged() -> None:
    with_zero = PGD(MODEL, steps=5).sweep(X, Y, [0.0, 0.1, 0.3])
    without = PGD(MODEL, steps=5).sweep(X, Y, [0.1, 0.3])
    for a, b in zip(with_zero[1:], without, strict=True):
        assert torch.equal(a.adv, b.adv)
