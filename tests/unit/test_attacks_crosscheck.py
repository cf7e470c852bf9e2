"""advgen's APGD-CE, APGD-T, FAB and Square against torchattacks 3.5.1 (the test extra).

Same trained digits classifier, same examples, same budget: advgen's robust accuracy must
not exceed the reference's by more than one point. Skipped when torchattacks is absent.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from advgen.attacks import APGD, APGDT, FAB, Square
from tests.unit.robust_helpers import trained_digits_mlp

torchattacks = pytest.importorskip("torchattacks")

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("one_thread")]
EPS = 0.1  # Linf on 8x8 digits: the trained MLP keeps about a sixth of the examples
N_ITER = 20  # the same for both sides (torchattacks defaults to 10, the paper to 100)
N_QUERIES = 500


@pytest.fixture(scope="module")
def digits_model() -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    model, x, y = trained_digits_mlp()
    assert float((model(x).argmax(1) == y).float().mean()) > 0.9
    return model, x, y


def _robust(model: nn.Module, adv: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(adv).argmax(1) == y).float().mean())


CASES = {
    "APGD-CE": (
        lambda m: APGD(m, EPS, "linf", "ce", n_iter=N_ITER),
        lambda m: torchattacks.APGD(m, norm="Linf", eps=EPS, steps=N_ITER, loss="ce", seed=0),
    ),
    "APGD-T": (
        lambda m: APGDT(m, EPS, "linf", n_iter=N_ITER, n_target_classes=9),
        lambda m: torchattacks.APGDT(m, norm="Linf", eps=EPS, steps=N_ITER, n_classes=10, seed=0),
    ),
    "FAB": (
        lambda m: FAB(m, EPS, "linf", n_iter=N_ITER),
        lambda m: torchattacks.FAB(m, norm="Linf", eps=EPS, steps=N_ITER, n_classes=10, seed=0),
    ),
    "FAB-T": (
        lambda m: FAB(m, EPS, "linf", n_iter=N_ITER, targeted=True),
        lambda m: torchattacks.FAB(
            m, norm="Linf", eps=EPS, steps=N_ITER, n_classes=10, multi_targeted=True, seed=0
        ),
    ),
    "Square": (
        lambda m: Square(m, EPS, "linf", n_queries=N_QUERIES),
        lambda m: torchattacks.Square(m, norm="Linf", eps=EPS, n_queries=N_QUERIES, seed=0),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_weaker_than_torchattacks(name: str, digits_model: tuple) -> None:
    model, x, y = digits_model
    ours_factory, ref_factory = CASES[name]
    ours = ours_factory(model)(x, y)
    ref = _robust(model, ref_factory(model)(x, y), y)
    mine = float(ours.adv_correct.float().mean())
    assert float(ours.linf.max()) <= EPS + 1e-6
    assert mine <= ref + 0.01, f"{name}: advgen {mine:.3f} vs torchattacks {ref:.3f}"
    assert mine < float(ours.clean_correct.float().mean()), f"{name} fooled nothing"
