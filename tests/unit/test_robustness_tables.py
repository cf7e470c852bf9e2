"""Attack curves, the minimal-perturbation table, the transfer matrix and sweep rows."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest
import torch

from advgen.classifiers.spec import ClassifierSpec
from advgen.classifiers.subsets import eval_subset
from advgen.io import read_parquet, write_parquet
from advgen.jobfiles import Files
from advgen.robustness import jobs
from advgen.robustness.evaluate import attack_curve
from advgen.robustness.spec import AttackSpec, CurveAttackSpec, SweepSpec
from advgen.robustness.sweeps import point_table, sweep_row, sweep_table
from advgen.robustness.tables import CURVE_COLUMNS as COLUMNS
from advgen.robustness.tables import minimal_table
from advgen.robustness.transfer import gaussian_like, other_image_like, transfer_matrix
from advgen.specs import typed_spec
from tests.unit.robust_helpers import blob_split, trained_linear
from tests.unit.test_classifiers import entry

pytestmark = pytest.mark.usefixtures("one_thread")


SPLIT = blob_split(60, size=8)
X, Y = SPLIT.images, SPLIT.labels
FGSM_SPEC = CurveAttackSpec("FGSM", {}, 0, (0.0, 0.2, 0.4))
PGD_SPEC = CurveAttackSpec("PGD", {"steps": 5}, 3, (0.0, 0.2, 0.4))


def point(**fields: object) -> ClassifierSpec:
    """A sweep point's classifier spec (the fields the sweep reads, the others as trained)."""
    return typed_spec(ClassifierSpec, entry(**{"width": 1.0, "epochs": 1, **fields}))


def models() -> dict:
    half_a = blob_split(60, size=8, seed=5)
    return {
        "lin": trained_linear(SPLIT),
        "lin_b": trained_linear(half_a, seed=1),
        "weak": trained_linear(SPLIT, 3),
    }


def test_attack_curve_rows() -> None:
    table = attack_curve(models()["lin"], X, Y, PGD_SPEC, classifier="lin", attack="pgd", batch_size=16)
    assert list(table.columns) == COLUMNS
    assert list(table["eps"]) == [0.0, 0.2, 0.4]
    first = table.iloc[0]
    assert first["robust_acc"] == first["clean_acc"] and math.isnan(first["mean_l2"])
    linf = table["mean_linf"].iloc[1:]
    assert ((linf <= table["eps"].iloc[1:] + 1e-6) | linf.isna()).all() and linf.notna().any()
    assert table["robust_acc"].is_monotonic_decreasing


def test_minimal_table_reads_the_unbounded_rows() -> None:
    spec = CurveAttackSpec("DeepFool", {}, 0, (0.0, 1.0))
    curve = attack_curve(models()["lin"], X, Y, spec, classifier="lin", attack="deepfool")
    assert list(curve["eps"]) == [0.0, 1.0, math.inf]
    table = minimal_table(curve)
    assert len(table) == 1 and table["success_rate"].iloc[0] == 1.0
    rho = float(table["rho_adv"].iloc[0])
    assert 0.0 < rho < 1.0


def test_lbfgs_transfers_its_minimal_perturbations() -> None:
    """L-BFGS (Szegedy et al.) in the transfer matrix: unbounded, so it fools its own source."""
    zoo = models()
    lbfgs = AttackSpec("LBFGS", {"search_steps": 3, "steps": 10}, 0)
    table = transfer_matrix(zoo, X, Y, {"lbfgs": lbfgs}, 0.2, batch_size=16)
    assert (table["eps"] == float("inf")).all()
    diag = table[(table.source == table.target) & (table.kind == "adversarial")]["error"]
    noise = table[(table.source == table.target) & (table.kind == "gaussian")]["error"]
    assert diag.min() > 0.5 and diag.mean() > noise.mean()


def test_transfer_diagonal_equals_white_box_error() -> None:
    zoo = models()
    table = transfer_matrix(zoo, X, Y, {"fgsm": FGSM_SPEC, "pgd": PGD_SPEC}, 0.4, batch_size=16)
    assert len(table) == 3 * 2 * 3 * 3  # sources x attacks x kinds x targets
    for name, model in zoo.items():
        for attack, spec in (("fgsm", FGSM_SPEC), ("pgd", PGD_SPEC)):
            curve = attack_curve(model, X, Y, spec, classifier=name, attack=attack, batch_size=16)
            white_box = 1.0 - float(curve.loc[curve["eps"] == 0.4, "robust_acc"].iloc[0])
            diag = table[
                (table.source == name)
                & (table.target == name)
                & (table.attack == attack)
                & (table.kind == "adversarial")
            ]["error"]
            assert float(diag.iloc[0]) == pytest.approx(white_box)
            assert white_box > 0.2  # a diagonal of zeros would prove nothing
    # Gaussian noise of the same norm hurts far less than the adversarial direction
    own = table[table.source == table.target]
    adv = own[own.kind == "adversarial"]["error"].mean()
    noise = own[own.kind == "gaussian"]["error"].mean()
    other = own[own.kind == "other_image"]["error"].mean()
    assert noise < adv and other < adv


def test_other_image_moves_another_digits_perturbation_at_this_digits_norm() -> None:
    """Szegedy et al.'s transfer null: another digit's perturbation (of another class), scaled to
    this digit's perturbation norm: same norm, an adversarial magnitude map, no link to the image."""
    x = X * 0.5 + 0.25  # in [0.25, 0.75]
    y = torch.arange(len(x)) % 3
    scale = torch.linspace(0.5, 2.0, len(x)).view(-1, *([1] * (x.ndim - 1)))
    noise = torch.randn(x.shape, generator=torch.Generator().manual_seed(0))
    # a pixel of a moved perturbation is about 0.02 x this digit's scale x another's noise value,
    # inside the 0.25 margin: nothing is clipped (strictly inside the box), so the norms must match
    adv = x + 0.02 * scale * noise
    moved = other_image_like(x, adv, y, seed=0)
    assert ((adv > 0) & (adv < 1)).all() and ((moved > 0) & (moved < 1)).all()
    own, got = (adv - x).flatten(1), (moved - x).flatten(1)
    assert torch.allclose(got.norm(dim=1), own.norm(dim=1), rtol=1e-4)
    # each row is another digit's perturbation, rescaled: parallel to it, not to its own
    cos = torch.nn.functional.cosine_similarity(got.unsqueeze(1), own.unsqueeze(0), dim=2)
    source = cos.argmax(1)
    assert torch.allclose(cos.max(1).values, torch.ones(len(x)), atol=1e-4)
    assert (y[source] != y).all() and torch.equal(moved, other_image_like(x, adv, y, seed=0))
    assert not torch.equal(moved, other_image_like(x, adv, y, seed=1))


def test_random_sign_attack_moves_every_pixel_by_eps() -> None:
    from advgen.attacks.random_sign import RandomSign

    model = models()["lin"]
    x = X * 0.5 + 0.25
    out = RandomSign(model, eps=0.1, seed=3).sweep(x, Y, [0.0, 0.1])
    assert torch.equal(out[0].adv, x)
    assert torch.allclose((out[1].adv - x).abs(), torch.full_like(x, 0.1), atol=1e-6)
    again = RandomSign(model, eps=0.1, seed=3)(x, Y)
    assert torch.equal(again.adv, out[1].adv)


def test_gaussian_baseline_has_the_adversarial_norm() -> None:
    adv = (X + 0.05 * torch.randn_like(X)).clamp(0, 1)
    noisy = gaussian_like(X * 0.5 + 0.25, adv * 0.5 + 0.25, seed=0)  # away from the box: no clipping
    target = ((adv - X) * 0.5).flatten(1).norm(dim=1)
    assert torch.allclose((noisy - (X * 0.5 + 0.25)).flatten(1).norm(dim=1), target, rtol=1e-4)


def test_sweep_row_reports_train_and_test_accuracy() -> None:
    lin = models()["lin"]
    spec = point(train_fraction=0.5)

    def row_of(sweep: str, spec: ClassifierSpec) -> dict:
        """The sweep's row of the linear model trained on (X, Y) under ``spec``, PGD at eps 0.2."""
        return sweep_row(
            sweep, "lin", spec, lin, (X, Y), (X, Y), PGD_SPEC, 0.2, max_examples=None, batch_size=None
        )

    row = row_of("data_size", spec)
    assert row["n_train"] == 30 and row["train_fraction"] == 0.5
    assert row["n_test"] == len(Y)  # the count of the accuracies' digits (the claims' logit(p, n))
    assert 0.0 <= row["robust_acc"] <= row["clean_acc"] <= 1.0
    assert 0.0 <= row["train_robust_acc"] <= row["train_clean_acc"] <= 1.0
    table = sweep_table([row])
    assert table["robust_gap"].iloc[0] == row["train_robust_acc"] - row["robust_acc"]
    capacity = row_of("capacity", spec)
    assert math.isnan(capacity["train_robust_acc"]) and capacity["robust_acc"] == row["robust_acc"]
    named = row_of("data_size_cifar10", spec)
    assert named["sweep"] == "data_size_cifar10" and named["train_robust_acc"] == row["train_robust_acc"]
    table = sweep_table([row, dict(row, mode="pgd")])
    assert list(table["mode"]) == ["pgd", "standard"]
    # the run's seed: one row per point and seed of a replicated base, seeds in order per point
    assert row["seed"] == 0 and list(table.columns[:3]) == ["sweep", "classifier", "seed"]
    seeded = row_of("data_size", dataclasses.replace(spec, seed=2))
    assert seeded["seed"] == 2
    table = sweep_table([seeded, dict(row, mode="pgd"), row])
    assert list(zip(table["mode"], table["seed"], strict=True)) == [
        ("pgd", 0),
        ("standard", 0),
        ("standard", 2),
    ]
    assert table["seed"].dtype == "int64"


def test_eval_subset_is_stratified_and_seeded() -> None:
    labels = torch.arange(100) % 10
    idx = eval_subset(labels, 50)
    assert len(idx) == 50 and torch.bincount(labels[idx]).tolist() == [5] * 10
    assert torch.equal(idx, eval_subset(labels, 50)) and len(eval_subset(labels, None)) == 100


def test_mean_adv_confidence_is_the_wrong_class_probability_on_fooled_examples() -> None:
    from advgen.attacks import ATTACKS
    from advgen.robustness.evaluate import adversarial_confidence, result_row

    model = models()["lin"]
    table = attack_curve(model, X, Y, PGD_SPEC, classifier="lin", attack="pgd", batch_size=16)
    assert math.isnan(table["mean_adv_confidence"].iloc[0])  # eps 0 fools nothing
    # recompute the eps 0.4 row by hand: mean max-softmax over the fooled examples
    atk = ATTACKS["PGD"](model, steps=5, seed=3, batch_size=16)
    res = atk.sweep(X, Y, [0.0, 0.2, 0.4])[-1]
    fooled = ~res.adv_correct & (res.linf > 0)
    assert bool(fooled.any())
    probs = torch.softmax(model(res.adv).double(), 1)
    expected = float(probs.amax(1)[fooled].mean())
    assert table["mean_adv_confidence"].iloc[-1] == pytest.approx(expected, rel=1e-6)
    assert 1.0 / probs.shape[1] <= expected <= 1.0
    assert (probs.argmax(1)[fooled] != Y[fooled]).all()  # it is the confidence of a wrong label
    assert math.isnan(result_row(res, X, "linf")["mean_adv_confidence"])  # no model outputs given
    assert adversarial_confidence(model, res.adv, 7).shape == (len(X),)


def test_annotate_adds_source_and_target_metadata() -> None:
    import pandas as pd

    from advgen.robustness.transfer_table import annotate

    table = pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"], "error": [0.5, 0.2]})
    out = annotate(table, {"a": {"width": 1.0}, "b": {"width": 2.0, "mode": "pgd"}})
    assert list(out["source_width"]) == [1.0, 2.0] and out["target_width"].iloc[0] == 2.0
    assert out["target_width"].isna().iloc[1] and out["source_mode"].iloc[1] == "pgd"
    assert list(table.columns) == ["source", "target", "error"]  # input untouched


def test_sweep_row_train_max_examples_caps_the_training_set_evaluation() -> None:
    lin = models()["lin"]
    spec = point(train_fraction=1.0)
    calls = []

    class Spy(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            calls.append(len(x))
            return lin(x)

    full = sweep_row(
        "data_size", "lin", spec, Spy(), (X, Y), (X, Y), PGD_SPEC, 0.2, max_examples=None, batch_size=None
    )
    n_full = max(calls)
    calls.clear()
    capped = sweep_row(
        "data_size",
        "lin",
        spec,
        Spy(),
        (X, Y),
        (X, Y),
        PGD_SPEC,
        0.2,
        max_examples=None,
        batch_size=None,
        train_max_examples=30,
    )
    assert n_full == len(Y) and sorted(set(calls)) == [30, len(Y)]
    assert capped["robust_acc"] == full["robust_acc"] and capped["n_train"] == full["n_train"]
    assert 0.0 <= capped["train_robust_acc"] <= capped["train_clean_acc"] <= 1.0


def test_a_sweep_table_gathered_from_its_point_tables_is_the_table_of_its_rows(tmp_path) -> None:
    """Each point's job writes its row (:func:`point_table`); the sweep's job reads them back in
    name order and writes what :func:`sweep_table` makes of the rows themselves, dtypes included
    (the capacity sweep's NaN train columns too)."""
    lin = models()["lin"]
    for sweep in ("capacity", "data_size"):
        rows = {
            name: sweep_row(
                sweep, name, spec, lin, (X, Y), (X, Y), PGD_SPEC, 0.2, max_examples=None, batch_size=None
            )
            for name, spec in (("b", point(train_fraction=0.5)), ("a", point(seed=2)))
        }
        tables = []
        for name in sorted(rows):
            tables.append(tmp_path / f"{sweep}_{name}.parquet")
            write_parquet(point_table(rows[name]), tables[-1])
        out = tmp_path / f"{sweep}.parquet"
        jobs.sweep(
            Files.of({"tables": [str(t) for t in tables]}),
            Files.of({"table": str(out)}, "--output"),
            SweepSpec(sweep=sweep, points=("a", "b")),
        )
        pd.testing.assert_frame_equal(read_parquet(out), sweep_table(list(rows.values())), check_exact=True)
