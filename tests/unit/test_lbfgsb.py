"""advgen.attacks.lbfgsb drives scipy's L-BFGS-B routine itself: the same iterates as
``scipy.optimize.minimize(method="L-BFGS-B")`` on the unit box, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.optimize import Bounds, minimize

from advgen.attacks import LBFGS
from advgen.attacks.lbfgsb import _scipy_minimize, minimize_unit_box


def quartic(target: np.ndarray):
    """A smooth non-quadratic objective whose minimiser lies partly outside [0, 1]^n."""

    def fun_and_grad(x: np.ndarray) -> tuple[float, np.ndarray]:
        d = x - target
        return float(np.sum(d**4 + 0.5 * d**2 + 0.1 * np.sin(3 * x))), 4 * d**3 + d + 0.3 * np.cos(3 * x)

    return fun_and_grad


@pytest.mark.parametrize("maxiter", [1, 3, 15, 200])
def test_same_iterates_as_scipy_minimize(maxiter):
    rng = np.random.default_rng(0)
    target = rng.uniform(-0.5, 1.5, 500)
    x0 = rng.uniform(-0.2, 1.2, 500)  # partly outside the box: both clip it first
    fun = quartic(target)
    ours = minimize_unit_box(fun, x0, maxiter)
    theirs = minimize(
        fun,
        x0,
        jac=True,
        method="L-BFGS-B",
        bounds=Bounds(np.zeros(500), np.ones(500)),
        options={"maxiter": maxiter},
    ).x
    assert np.array_equal(ours, theirs)
    assert np.array_equal(_scipy_minimize(fun, x0, maxiter), theirs)
    assert ours.min() >= 0.0 and ours.max() <= 1.0


def test_lbfgs_attack_equals_the_scipy_path(monkeypatch):
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(16, 12), torch.nn.ReLU(), torch.nn.Linear(12, 3)
    )
    x, y = torch.rand(10, 1, 4, 4), torch.randint(0, 3, (10,))
    ours = LBFGS(model, search_steps=3, steps=8)(x, y).adv
    monkeypatch.setattr("advgen.attacks.lbfgs.minimize_unit_box", _scipy_minimize)
    theirs = LBFGS(model, search_steps=3, steps=8)(x, y).adv
    assert torch.equal(ours, theirs)
