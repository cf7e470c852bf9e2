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
    """PGD without the budget-0 shortcut: the iterations the shortcut skips (every step and
    restart at budget 0, through the tensor-budget form that has no shortcut)."""

    def perturb(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.perturb_budget(x, y, *self.budget(x))


@pytest.mark.parametrize(
    "params", [{}, {"norm": "l2", "restarts": 2}, {"alpha": 0.05, "random_start": False}]
)
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


@pytest.mark.parametrize("params", [{}, {"norm": "l2"}, {"restarts": 3}])
def test_early_stop_keeps_never_fooled_examples_and_fools_at_least_as_many(params: dict) -> None:
    eps = 2.0 if params.get("norm") == "l2" else 0.3
    full = PGD(MODEL, eps=eps, steps=10, **params)(X, Y)
    counting = Counting(MODEL)
    early = PGD(counting, eps=eps, steps=10, early_stop=True, **params)(X, Y)
    assert 0 < int(early.adv_correct.sum()) < len(Y), "the case must leave some examples robust"
    assert bool((full.adv_correct | ~early.adv_correct).all()), "early stopping fooled fewer examples"
    robust = early.adv_correct
    assert torch.allclose(early.adv[robust], full.adv[robust], atol=1e-6), (
        "never-fooled examples left their path"
    )
    assert (
        float(early.norm.max()) <= eps + 1e-5 and float(early.adv.min()) >= 0 and float(early.adv.max()) <= 1
    )
    full_rows = (10 + 1) * len(Y) * int(params.get("restarts", 1)) + 2 * len(
        Y
    )  # steps + ranking, clean + adv
    assert counting.rows < full_rows


def test_early_stop_returns_the_first_fooling_iterate() -> None:
    class Log(PGD):
        def loss_and_grad(self, x, y):  # noqa: ANN001, ANN202
            out = super().loss_and_grad(x, y)
            self.seen.append(x.clone())
            return out

    atk = Log(MODEL, eps=0.3, steps=10, early_stop=True)
    atk.seen = []
    adv = atk.generate(X[:1], Y[:1])
    assert (MODEL(adv).argmax(1) != Y[:1]).all()
    assert torch.equal(adv, atk.seen[-1]), "the iterate that was first misclassified is returned"
    assert len(atk.seen) < 10, "it stopped iterating once fooled"


def test_early_stop_is_evaluation_only() -> None:
    from advgen.robustness.evaluate import make_attack
    from advgen.robustness.spec import AttackSpec

    spec = AttackSpec("PGD", {"steps": 5, "early_stop": True}, 0)
    assert make_attack(spec, MODEL, evaluation=True).early_stop
    crafted = make_attack(spec, MODEL)  # transfer and example figures craft with every step
    assert not crafted.early_stop and crafted.steps == 5
