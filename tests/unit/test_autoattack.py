"""AutoAttack and its parts: stronger than PGD, paper schedules and losses, one-line errors."""

from __future__ import annotations

import json

import pytest
import torch

from advgen.attacks import APGD, APGDT, ATTACKS, FAB, PGD, AutoAttack, Square
from advgen.attacks.apgd import checkpoints, dlr_loss, dlr_targeted_loss
from advgen.attacks.autoattack import ORDER
from advgen.attacks.fab import project_l2, project_linf
from advgen.attacks.square import p_schedule
from advgen.errors import ConfigError
from advgen.robustness.evaluate import attack_curve
from advgen.robustness.spec import CurveAttackSpec
from tests.unit.robust_helpers import blob_split, trained_digits_mlp, trained_linear

pytestmark = pytest.mark.usefixtures("one_thread")

SPLIT = blob_split(96, size=8, num_classes=4, seed=1)
MODEL = trained_linear(SPLIT)
X, Y = SPLIT.images, SPLIT.labels
DIGITS, DX, DY = trained_digits_mlp()  # blobs are all-or-nothing; digits have a spread of margins


@pytest.mark.parametrize("eps", [0.05, 0.1])
def test_autoattack_is_at_least_as_strong_as_pgd(eps: float) -> None:
    pgd = PGD(DIGITS, eps=eps, steps=40)(DX, DY)
    aa = AutoAttack(DIGITS, eps=eps, n_iter=20, n_queries=200)(DX, DY)
    pgd_acc, aa_acc = float(pgd.adv_correct.float().mean()), float(aa.adv_correct.float().mean())
    assert (
        0 < pgd_acc < float(pgd.clean_correct.float().mean())
    )  # a budget where the comparison means something
    assert aa_acc <= pgd_acc
    assert float(aa.linf.max()) <= eps + 1e-6


def test_per_attack_counts_add_up_to_the_fooled_inputs() -> None:
    res = AutoAttack(DIGITS, eps=0.1, n_iter=20, n_queries=200)(DX, DY)
    assert list(res.per_attack) == ["apgd-ce", "apgd-t", "fab-t", "square"]
    assert sum(res.per_attack.values()) == int(res.success.sum()) > 0


@pytest.mark.parametrize(("version", "parts"), [("plus", 6), ("rand", 2)])
def test_versions_run_the_papers_components(version: str, parts: int) -> None:
    attack = AutoAttack(MODEL, eps=0.15, version=version, n_iter=5, n_queries=50, eot_iter=2)
    assert len(attack.components()) == parts
    assert tuple(name for name, _ in attack.components()) == ORDER[version]
    res = attack(X[:24], Y[:24])
    assert len(res.per_attack) == parts and float(res.linf.max()) <= 0.15 + 1e-6


def test_apgd_checkpoints_follow_the_paper() -> None:
    # p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06), times 100
    assert checkpoints(100) == [22, 41, 57, 70, 80, 87, 93, 99]


def test_dlr_losses_match_the_papers_formulas() -> None:
    z = torch.tensor([[4.0, 1.0, 3.0, 0.0], [1.0, 5.0, 2.0, -1.0]])
    y = torch.tensor([0, 2])
    # sorted: [4, 3, 1, 0] and [5, 2, 1, -1]
    expected = torch.tensor([-(4.0 - 3.0) / (4.0 - 1.0), -(2.0 - 5.0) / (5.0 - 1.0)])
    assert torch.allclose(dlr_loss(z, y), expected)
    t = torch.tensor([1, 3])
    expected_t = torch.tensor([-(4.0 - 1.0) / (4.0 - 0.5), -(2.0 + 1.0) / (5.0 - 0.0)])
    assert torch.allclose(dlr_targeted_loss(z, y, t), expected_t)


def test_square_p_schedule_halves_at_the_papers_breakpoints() -> None:
    assert p_schedule(0.8, 10, 10000) == 0.8
    assert p_schedule(0.8, 11, 10000) == 0.4
    assert p_schedule(0.8, 2500, 5000) == 0.8 / 128  # rescaled to 5,000 of 10,000: in (4000, 6000]
    assert p_schedule(0.8, 9999, 10000) == 0.8 / 512


@pytest.mark.parametrize("project", [project_linf, project_l2])
def test_fab_projection_reaches_the_plane_inside_the_box(project) -> None:
    gen = torch.Generator().manual_seed(0)
    t = torch.rand(50, 16, generator=gen)
    w = torch.randn(50, 16, generator=gen)
    point = torch.rand(50, 16, generator=gen)
    b = (w * point).sum(1)  # a plane through a point of the box
    d = project(t, w, b)
    z = t + d
    assert float(z.min()) >= -1e-5 and float(z.max()) <= 1 + 1e-5
    assert torch.allclose((w * z).sum(1), b, atol=1e-4)
    # minimal: never longer than the move to that (feasible) point
    order = float("inf") if project is project_linf else 2
    other = torch.linalg.vector_norm(point - t, ord=order, dim=1)
    assert bool((torch.linalg.vector_norm(d, ord=order, dim=1) <= other + 1e-5).all())


def test_fab_l2_projection_is_the_orthogonal_one_away_from_the_box() -> None:
    t = torch.full((3, 8), 0.5)
    w = torch.randn(3, 8, generator=torch.Generator().manual_seed(1))
    b = (w * t).sum(1) + 0.01
    d = project_l2(t, w, b)
    assert torch.allclose(d, 0.01 * w / (w * w).sum(1, keepdim=True), atol=1e-6)


def test_batched_targets_match_the_per_target_loop_in_strength() -> None:
    batched = APGDT(DIGITS, eps=0.1, n_iter=20)(DX, DY)
    looped = APGDT(DIGITS, eps=0.1, n_iter=20, batched_targets=False)(DX, DY)
    assert abs(float(batched.adv_correct.float().mean()) - float(looped.adv_correct.float().mean())) <= 0.05
    fab_b = FAB(DIGITS, eps=0.1, n_iter=20, targeted=True)(DX, DY)
    fab_l = FAB(DIGITS, eps=0.1, n_iter=20, targeted=True, batched_targets=False)(DX, DY)
    assert abs(float(fab_b.adv_correct.float().mean()) - float(fab_l.adv_correct.float().mean())) <= 0.05


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (lambda: APGD(MODEL, norm="l1"), "unknown norm 'l1'"),
        (lambda: APGD(MODEL, loss="hinge"), "unknown loss 'hinge'"),
        (lambda: AutoAttack(MODEL, version="fast"), "unknown version 'fast'"),
        (lambda: Square(MODEL, eps=-0.1), "eps must be"),
        (lambda: FAB(MODEL, n_iter=0), "n_iter must be >= 1"),
        (lambda: APGDT(MODEL, n_target_classes=0), "n_target_classes must be >= 1"),
        (lambda: Square(MODEL, n_queries=-5), "n_queries must be >= 1"),
    ],
)
def test_bad_arguments_raise_one_line_config_errors(make, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        make()
    assert key in str(info.value) and "\n" not in str(info.value)


def test_registry_and_robustness_curve_accept_autoattack() -> None:
    assert {"APGD", "APGDT", "FAB", "Square", "AutoAttack"} <= set(ATTACKS)
    spec = CurveAttackSpec("AutoAttack", {"n_iter": 10, "n_queries": 100}, 0, (0.0, 0.1))
    rows = attack_curve(DIGITS, DX, DY, spec, classifier="digits_mlp", attack="autoattack")
    assert list(rows["eps"]) == [0.0, 0.1]
    assert rows["robust_acc"].iloc[1] < rows["robust_acc"].iloc[0] == rows["clean_acc"].iloc[0]
    assert json.loads(rows["params"].iloc[0]) == {"n_iter": 10, "n_queries": 100}


def _reference_breakdown(attack: AutoAttack, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
    """fra31/auto-attack's ``run_standard_evaluation`` loop (Croce & Hein 2020), step by step:
    robust flags from the clean predictions, then each component of the version in its order on
    the inputs still robust, robust accuracy over all inputs after each; it stops when none is
    left (the components after it report nothing)."""
    with torch.no_grad():
        robust = DIGITS(x).argmax(1) == y
    out = {"clean": int(robust.sum()) / len(robust)}
    for name, part in attack.components():
        if not bool(robust.any()):
            break
        idx = robust.nonzero().flatten()
        part._generator = attack._generator
        adv = part.perturb(x[idx], y[idx]).clamp(0.0, 1.0)
        with torch.no_grad():
            robust[idx[DIGITS(adv).argmax(1) != y[idx]]] = False
        out[name] = int(robust.sum()) / len(robust)
    return out


@pytest.mark.parametrize("version", ["standard", "plus"])
def test_breakdown_is_the_reference_codes_robust_accuracy_after_each_attack(version: str) -> None:
    """The breakdown follows the official ordering (standard: APGD-CE, APGD-T, FAB-T, Square)
    and equals the reference loop's numbers on the same seed; it never rises, and its last
    entry is the ensemble's robust accuracy."""
    sizes = dict(eps=0.1, version=version, n_iter=10, n_queries=100, seed=3)
    res = AutoAttack(DIGITS, **sizes)(DX, DY)
    after = res.robust_after()
    order = {
        "standard": ["apgd-ce", "apgd-t", "fab-t", "square"],
        "plus": ["apgd-ce", "apgd-dlr", "fab", "square", "apgd-t", "fab-t"],
    }[version]
    assert list(after) == order == list(ORDER[version])
    reference = AutoAttack(DIGITS, **sizes)
    reference._generator = torch.Generator().manual_seed(3)
    expected = _reference_breakdown(reference, DX, DY)
    assert expected["clean"] == pytest.approx(float(res.clean_correct.float().mean()))
    for name, acc in expected.items():
        if name != "clean":
            assert after[name] == pytest.approx(acc, abs=1e-9), name
    values = [expected["clean"], *after.values()]
    assert all(b <= a for a, b in zip(values, values[1:], strict=False))
    assert after[order[-1]] == pytest.approx(float(res.adv_correct.float().mean()))
    assert after["apgd-ce"] < expected["clean"]  # the budget bites: the breakdown means something
