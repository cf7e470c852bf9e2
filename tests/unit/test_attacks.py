"""Sanity tests every attack must pass, plus per-attack checks against known answers.

The contract (:func:`check_contract`) runs on every entry of the attack registry, so a new attack
is run here without being listed; a planted entry whose class breaks it fails it (the negative
controls at the end). ``CASES`` adds the variants with known behaviour (norms, losses, targets)."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

import advgen.attacks as attacks
from advgen.attacks import APGD, APGDT, FAB, FGSM, LBFGS, PGD, AutoAttack, DeepFool, OnePixel, Spatial, Square
from advgen.attacks.base import AttackResult
from advgen.attacks.params import FGSMParams
from advgen.attacks.registry import REGISTRY, AttackInfo, attack_class
from tests.unit.robust_helpers import blob_split, trained_linear

pytestmark = pytest.mark.usefixtures("one_thread")


SPLIT = blob_split(90, size=8)
MODEL = trained_linear(SPLIT)
X, Y = SPLIT.images, SPLIT.labels
# four classes: the targeted DLR loss needs the 3rd and 4th largest logits
SPLIT4 = blob_split(96, size=8, num_classes=4, seed=1)
MODEL4 = trained_linear(SPLIT4)
X4, Y4 = SPLIT4.images, SPLIT4.labels


class BrightestPixel(nn.Module):
    """Class 1 iff some pixel exceeds 0.5: a model a single pixel can fool."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        peak = x.flatten(1).amax(1)
        return torch.stack([torch.full_like(peak, 0.5), peak], 1) * 10


DARK_X = 0.4 * torch.rand(40, 1, 8, 8, generator=torch.Generator().manual_seed(0))
DARK_Y = torch.zeros(40, dtype=torch.long)

# (attack factory, eps grid in the attack's own measure, (model, x, y))
CASES = {
    "FGSM": (lambda m: FGSM(m), [0.0, 0.1, 0.2, 0.3, 0.5], (MODEL, X, Y)),
    "PGD": (lambda m: PGD(m, steps=10), [0.0, 0.1, 0.2, 0.3, 0.5], (MODEL, X, Y)),
    "PGD_L2": (lambda m: PGD(m, steps=10, norm="l2", restarts=2), [0.0, 0.5, 1.0, 2.0, 4.0], (MODEL, X, Y)),
    "LBFGS": (lambda m: LBFGS(m, search_steps=3, steps=10), [0.0, 0.5, 1.0, 2.0, 4.0], (MODEL, X, Y)),
    "LBFGS_torch": (
        lambda m: LBFGS(m, search_steps=3, steps=10, solver="torch"),
        [0.0, 0.5, 1.0, 2.0, 4.0],
        (MODEL, X, Y),
    ),
    "DeepFool": (lambda m: DeepFool(m), [0.0, 0.5, 1.0, 2.0, 4.0], (MODEL, X, Y)),
    "OnePixel": (
        lambda m: OnePixel(m, population=8, steps=5),
        [0, 1, 2, 4],
        (BrightestPixel(), DARK_X, DARK_Y),
    ),
    "Spatial": (lambda m: Spatial(m, rotations=7, translations=3), [0.0, 0.5, 1.0], (MODEL, X, Y)),
    "APGD": (lambda m: APGD(m, n_iter=10), [0.0, 0.1, 0.2, 0.3, 0.5], (MODEL, X, Y)),
    "APGD_DLR_L2": (
        lambda m: APGD(m, norm="l2", loss="dlr", n_iter=10),
        [0.0, 0.5, 1.0, 2.0, 4.0],
        (MODEL, X, Y),
    ),
    "APGDT": (lambda m: APGDT(m, n_iter=10), [0.0, 0.1, 0.2, 0.3, 0.5], (MODEL4, X4, Y4)),
    "FAB": (lambda m: FAB(m, n_iter=10), [0.0, 0.1, 0.2, 0.3, 0.5], (MODEL, X, Y)),
    "FAB_T_L2": (
        lambda m: FAB(m, norm="l2", n_iter=10, targeted=True),
        [0.0, 0.5, 1.0, 2.0, 4.0],
        (MODEL4, X4, Y4),
    ),
    "Square": (lambda m: Square(m, n_queries=200), [0.0, 0.1, 0.2, 0.3, 0.5], (MODEL, X, Y)),
    "Square_L2": (lambda m: Square(m, norm="l2", n_queries=200), [0.0, 0.5, 1.0, 2.0, 4.0], (MODEL, X, Y)),
    "AutoAttack": (
        lambda m: AutoAttack(m, n_iter=10, n_queries=100),
        [0.0, 0.1, 0.2, 0.3, 0.5],
        (MODEL4, X4, Y4),
    ),
}


def test_package_exports_the_six_attacks() -> None:
    for name in ("FGSM", "PGD", "LBFGS", "DeepFool", "OnePixel", "Spatial"):
        assert name in attacks.__all__ and isinstance(getattr(attacks, name), type)


@pytest.fixture(scope="module")
def sweeps() -> dict:
    return {
        name: (make(m).sweep(x, y, grid), grid, (m, x, y)) for name, (make, grid, (m, x, y)) in CASES.items()
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_eps_zero_gives_clean_accuracy(name: str, sweeps: dict) -> None:
    results, _, (model, x, y) = sweeps[name]
    clean = (model(x).argmax(1) == y).float().mean()
    assert results[0].adv_correct.float().mean() == clean
    assert torch.equal(results[0].adv, x)


@pytest.mark.parametrize("name", sorted(CASES))
def test_robust_accuracy_is_non_increasing_and_reaches_zero_or_below_clean(name: str, sweeps: dict) -> None:
    results, _, _ = sweeps[name]
    accs = [float(r.adv_correct.float().mean()) for r in results]
    assert all(b <= a for a, b in zip(accs, accs[1:], strict=False)), accs
    assert accs[-1] < accs[0], f"{name} never fooled the model: {accs}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_perturbation_within_budget_and_inputs_in_unit_box(name: str, sweeps: dict) -> None:
    results, grid, (_, x, _) = sweeps[name]
    for res, eps in zip(results, grid, strict=True):
        assert float(res.norm.max()) <= eps + 1e-5, (name, eps, float(res.norm.max()))
        assert float(res.adv.min()) >= 0.0 and float(res.adv.max()) <= 1.0
        assert res.adv.shape == x.shape
        assert torch.equal(res.success, res.clean_correct & ~res.adv_correct)


@pytest.mark.parametrize("name", sorted(CASES))
def test_train_mode_is_restored_and_attack_runs_in_eval_mode(name: str) -> None:
    make, grid, (base, x, y) = CASES[name]
    model = nn.Sequential(
        base, nn.Dropout(0.9)
    )  # dropout on the logits: in train mode the attack would be noisy
    model.train()
    base.eval()  # a submodule in its own mode must keep it
    result = make(model).sweep(x, y, [grid[-1]])[0]
    assert model.training and model[1].training and not base.training
    reference = make(base).sweep(x, y, [grid[-1]])[0]
    assert torch.equal(result.adv, reference.adv)


@pytest.mark.parametrize(
    "name", ["PGD", "OnePixel", "LBFGS", "LBFGS_torch", "APGD", "FAB_T_L2", "Square", "AutoAttack"]
)
def test_seeded(name: str) -> None:
    make, grid, (model, x, y) = CASES[name]
    a, b = make(model).sweep(x, y, [grid[2]])[0], make(model).sweep(x, y, [grid[2]])[0]
    assert torch.equal(a.adv, b.adv)
    state = torch.get_rng_state()
    make(model)(x, y)
    assert torch.equal(torch.get_rng_state(), state), "attacks must not consume the global RNG"


def test_pgd_random_start_is_clipped_and_restarts_keep_the_worst_case() -> None:
    x = torch.zeros(6, 1, 8, 8)  # at the box corner: an unclipped start would leave [0, 1]
    adv = PGD(MODEL, eps=0.3, steps=1, alpha=1e-6).generate(x, Y[:6])
    assert float(adv.min()) >= 0.0 and float(adv.max()) <= 0.3 + 1e-6
    single = PGD(MODEL, eps=0.25, steps=3, seed=1)(X, Y)
    multi = PGD(MODEL, eps=0.25, steps=3, restarts=4, seed=1)(X, Y)
    assert float(multi.adv_correct.float().mean()) <= float(single.adv_correct.float().mean())


def test_fgsm_is_one_signed_step() -> None:
    adv = FGSM(MODEL, eps=0.1).generate(X, Y)
    delta = adv - X
    interior = (X > 0.1) & (X < 0.9)
    assert torch.allclose(delta[interior].abs(), torch.full_like(delta[interior], 0.1), atol=1e-6)


def _binary_linear() -> tuple[nn.Module, torch.Tensor, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    w = torch.randn(16)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 2))
    with torch.no_grad():
        model[1].weight.copy_(torch.stack([w / 2, -w / 2]))
        model[1].bias.zero_()
    x = 0.5 + 0.05 * torch.randn(20, 1, 4, 4)  # far from the box faces
    y = model(x).argmax(1)
    distance = (x.flatten(1) @ w).abs() / w.norm()  # exact L2 distance to the boundary
    return model.eval(), x.clamp(0, 1), y, distance


def test_deepfool_finds_the_exact_linear_boundary() -> None:
    model, x, y, distance = _binary_linear()
    res = DeepFool(model, overshoot=0.02)(x, y)
    assert bool(res.success.all())
    assert torch.allclose(res.l2, 1.02 * distance, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("solver", ["scipy", "torch"])
def test_lbfgs_is_close_to_minimal_on_a_linear_model(solver: str) -> None:
    model, x, y, distance = _binary_linear()
    res = LBFGS(model, search_steps=10, steps=30, solver=solver)(x, y)
    assert bool(res.success.all())
    assert bool((res.l2 >= distance - 1e-4).all()) and bool((res.l2 <= 1.6 * distance + 1e-3).all())


def test_onepixel_changes_at_most_eps_pixels_and_fools_a_fragile_model() -> None:
    res = OnePixel(BrightestPixel(), eps=2, population=10, steps=3)(DARK_X, DARK_Y)
    changed = (res.adv != DARK_X).any(1).flatten(1).sum(1)
    assert int(changed.max()) <= 2 and torch.equal(changed.float(), res.norm)
    assert bool(res.success.all())
    multi = OnePixel(MODEL, eps=3, population=10, steps=2)(X, Y)
    assert int((multi.adv != X).any(1).flatten(1).sum(1).max()) <= 3


def test_spatial_transform_matches_rot90_and_translation() -> None:
    x = torch.rand(2, 1, 9, 9)
    rotated = Spatial.transform(x, torch.tensor([[90.0, 0.0, 0.0], [0.0, 0.0, 0.0]]))
    assert torch.allclose(rotated[1], x[1], atol=1e-5)
    assert torch.allclose(rotated[0], torch.rot90(x[0], k=1, dims=(1, 2)), atol=1e-4) or torch.allclose(
        rotated[0], torch.rot90(x[0], k=-1, dims=(1, 2)), atol=1e-4
    )
    shifted = Spatial.transform(x, torch.tensor([[0.0, 2.0, 0.0], [0.0, 0.0, 0.0]]))
    assert torch.allclose(shifted[0, :, :, :-2], x[0, :, :, 2:], atol=1e-5) or torch.allclose(
        shifted[0, :, :, 2:], x[0, :, :, :-2], atol=1e-5
    )
    assert math.isclose(float(Spatial(MODEL).sizes(torch.tensor([[15.0, 1.5, 0.0]]))[0]), 0.5)


# --- the contract, on every registry entry ----------------------------------------------------
#: an eps grid per distance measure (a registry entry's first)
GRIDS = {
    "linf": [0.0, 0.1, 0.3, 1.0],  # 1.0: the random-sign control fools too
    "l2": [0.0, 0.5, 1.0, 4.0],
    "l0": [0, 1, 2, 4],
    "spatial": [0.0, 0.5, 1.0],
}


def registry_case(info: AttackInfo, cls: type) -> tuple:
    """(factory, grid, (model, x, y)) for a registry entry: its class at its smoke caps, on four
    classes (the targeted attacks' top wrong classes), a few-pixel attack on BrightestPixel."""
    data = (BrightestPixel(), DARK_X, DARK_Y) if info.norm == "l0" else (MODEL4, X4, Y4)
    return (lambda m, eps=None: cls(m, eps, **info.smoke, seed=0)), GRIDS[info.norm], data


def check_contract(make, grid: list, data: tuple) -> None:
    """What every attack must do, asserted: at eps 0 the clean inputs; robust accuracy non-increasing
    in eps and below clean at the grid's end; perturbations within the budget and inputs in [0, 1];
    train mode restored and the attack run in eval mode; seeded, the global RNG untouched."""
    model, x, y = data
    results = make(model).sweep(x, y, grid)
    called = make(model, grid[-1])(x, y)  # calls, at the grid's largest budget and a small one
    small = make(model, grid[1])(x, y)
    assert all(isinstance(r, AttackResult) for r in [*results, called, small]) and len(results) == len(grid)
    clean = (model(x).argmax(1) == y).float().mean()
    assert results[0].adv_correct.float().mean() == clean and torch.equal(results[0].adv, x), "eps 0"
    accs = [float(r.adv_correct.float().mean()) for r in results]
    assert all(b <= a for a, b in zip(accs, accs[1:], strict=False)), f"not non-increasing: {accs}"
    assert accs[-1] < accs[0], f"never fooled the model: {accs}"
    assert float(called.adv_correct.float().mean()) < accs[0], "never fooled the model when called"
    for res, eps in zip([*results, called, small], [*grid, grid[-1], grid[1]], strict=True):
        assert float(res.norm.max()) <= eps + 1e-5, f"over budget {eps}: {float(res.norm.max())}"
        assert float(res.adv.min()) >= 0.0 and float(res.adv.max()) <= 1.0 and res.adv.shape == x.shape
        assert torch.equal(res.success, res.clean_correct & ~res.adv_correct)
    wrapped = nn.Sequential(model, nn.Dropout(0.9)).train()
    model.eval()
    result = make(wrapped).sweep(x, y, [grid[-1]])[0]
    assert wrapped.training and wrapped[1].training and not model.training, "modes not restored"
    assert torch.equal(result.adv, make(model).sweep(x, y, [grid[-1]])[0].adv), "not run in eval mode"
    state = torch.get_rng_state()
    assert torch.equal(make(model, grid[-1])(x, y).adv, called.adv), "not seeded"
    assert torch.equal(torch.get_rng_state(), state), "consumed the global RNG"


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_registry_entry_keeps_the_contract(name: str) -> None:
    info, cls = REGISTRY[name], attack_class(name)
    assert cls.Params is info.params and set(info.smoke) <= set(info.defaults)
    check_contract(*registry_case(info, cls))


class NeverFools(FGSM):
    """Returns the clean inputs whatever the budget."""

    def __call__(self, x: torch.Tensor, y: torch.Tensor) -> AttackResult:
        return self.result(x, y, x.clone())


class OverBudget(FGSM):
    """Steps twice the budget."""

    def __call__(self, x: torch.Tensor, y: torch.Tensor) -> AttackResult:
        _, grad, _ = self.loss_and_grad(x, y)
        return self.result(x, y, (x + 2 * self.eps * grad.sign()).clamp(0, 1))


class GlobalRandom(FGSM):
    """Draws from the global RNG."""

    def __call__(self, x: torch.Tensor, y: torch.Tensor) -> AttackResult:
        torch.rand(1)
        return super().__call__(x, y)


@pytest.mark.parametrize(
    ("broken", "message"),
    [(NeverFools, "never fooled"), (OverBudget, "over budget"), (GlobalRandom, "global RNG")],
)
def test_a_planted_entry_with_a_broken_call_fails_the_contract(
    broken: type, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = AttackInfo(broken.__name__, "fgsm", "Goodfellow et al. 2015", "white-box", FGSMParams)
    monkeypatch.setitem(REGISTRY, info.name, info)
    with pytest.raises(AssertionError, match=message):
        check_contract(*registry_case(REGISTRY[info.name], broken))
