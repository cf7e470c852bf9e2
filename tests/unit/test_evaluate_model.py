"""``advgen.evaluate``: a user's model under AutoAttack or a registry attack, its table,
intervals, checks and report, and AutoAttack's numbers against the project's AutoAttack run
directly and against torchattacks' (the reference of tests/unit/test_attacks_crosscheck.py)."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
import torch
from torch import nn

import advgen
from advgen.attacks import AutoAttack
from advgen.claims.statistics.stats import wilson as claims_wilson
from advgen.columns import MASKING_COLUMNS
from advgen.errors import ConfigError
from advgen.robustness.evaluate_model import COLUMNS, FILES, budgets, evaluate, wilson
from advgen.robustness.tables import CURVE_COLUMNS
from tests.unit.robust_helpers import trained_digits_mlp

pytestmark = pytest.mark.usefixtures("one_thread")

#: AutoAttack's sizes for the fast tests (the paper's 100 / 5,000 in the reference test)
SMALL = {"n_iter": 10, "n_queries": 50}
#: the checks' sizes for the fast tests
QUICK_CHECKS = {"pgd_steps": 5, "long_steps": 10, "long_restarts": 1, "unbounded_steps": 10, "n_queries": 50}


@pytest.fixture(scope="module")
def digits() -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    model, x, y = trained_digits_mlp(n_test=60)
    return model, x, y


def test_robust_accuracy_equals_autoattack_run_directly(digits: tuple) -> None:
    model, x, y = digits
    result = advgen.evaluate(model, x, y, eps=[0.05, 0.1], params=SMALL, checks=False)
    for eps in (0.05, 0.1):
        direct = AutoAttack(model, eps, "linf", n_iter=SMALL["n_iter"], n_queries=SMALL["n_queries"], seed=0)(
            x, y
        )
        row = result.table[result.table["eps"] == eps].iloc[0]
        assert round(row["robust_acc"] * row["n"]) == int(direct.adv_correct.sum())
        assert round(row["clean_acc"] * row["n"]) == int(direct.clean_correct.sum())
    assert 0 < result.robust_accuracy[("linf", 0.05)] < result.table["clean_acc"].iloc[0]


def test_autoattack_standard_equals_torchattacks_on_the_same_examples(digits: tuple) -> None:
    torchattacks = pytest.importorskip("torchattacks")
    model, x, y = digits
    eps = 0.1
    ours = advgen.evaluate(model, x, y, eps=eps, checks=False).table["robust_acc"].iloc[0]
    ref = torchattacks.AutoAttack(model, norm="Linf", eps=eps, version="standard", n_classes=10, seed=0)
    with torch.no_grad():
        theirs = float((model(ref(x, y)).argmax(1) == y).float().mean())
    assert ours == pytest.approx(theirs, abs=1 / len(y) + 1e-9), (
        f"advgen {ours:.3f} vs torchattacks {theirs:.3f}"
    )


def test_table_has_the_curve_columns_a_row_per_norm_eps_and_seed(digits: tuple) -> None:
    model, x, y = digits
    result = evaluate(
        model,
        x,
        y,
        eps={"linf": [0.1], "l2": [0.5, 1.0]},
        attack="PGD",
        params={"steps": 5},
        seeds=[0, 1],
        checks=False,
    )
    t = result.table
    assert list(t.columns) == COLUMNS and COLUMNS[: len(CURVE_COLUMNS)] == CURVE_COLUMNS
    assert sorted(zip(t["norm"], t["eps"], t["seed"], strict=True)) == sorted(
        (n, e, s) for n, e in (("linf", 0.1), ("l2", 0.5), ("l2", 1.0)) for s in (0, 1)
    )
    assert (t["classifier"] == "model").all() and (t["attack_type"] == "PGD").all()
    for r in t.itertuples():
        k = round(r.robust_acc * r.n)
        assert (r.robust_acc_low, r.robust_acc_high) == pytest.approx(claims_wilson(k, r.n))
        assert r.robust_acc_low <= r.robust_acc <= r.robust_acc_high


def test_wilson_is_the_claims_pages_interval() -> None:
    for k, n in ((0, 10), (3, 10), (10, 10), (57, 120)):
        assert wilson(k, n) == pytest.approx(claims_wilson(k, n))
    assert all(math.isnan(v) for v in wilson(0, 0))


def test_checks_run_at_the_largest_linf_eps_and_the_report_shows_them(digits: tuple, tmp_path) -> None:
    model, x, y = digits
    result = evaluate(
        model, x[:20], y[:20], eps=[0.05, 0.1], attack="FGSM", checks=QUICK_CHECKS, name="mlp", out=tmp_path
    )
    m = result.masking
    assert list(m.columns) == MASKING_COLUMNS and len(m) == 6 and (m["model"] == "mlp").all()
    assert set(m.loc[m["check"] == "iterative_vs_single_step", "eps"]) == {0.1}
    assert "0.05:" in m.loc[m["check"] == "monotone_in_eps", "detail"].iloc[0]
    for what, name in FILES.items():
        assert (tmp_path / name).is_file(), what
    assert list(pd.read_parquet(tmp_path / FILES["table"]).columns) == COLUMNS
    md, page = (tmp_path / FILES["markdown"]).read_text(), (tmp_path / FILES["html"]).read_text()
    for text in (md, page):
        assert "mlp" in text and "Wilson" in text and "iterative_vs_single_step" in text


def test_l2_only_skips_the_linf_checks_with_a_note(digits: tuple) -> None:
    model, x, y = digits
    result = evaluate(model, x[:10], y[:10], eps=0.5, norm="l2", attack="PGD", params={"steps": 2})
    assert result.masking.empty and "Linf" in result.notes[0] and "Not run" in result.markdown()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"eps": 1.5}, "eps: 1.5 is out of range for norm linf"),
        ({"eps": -0.1, "norm": "l2"}, "eps: -0.1 is out of range for norm l2"),
        ({"attack": "Nope"}, "attack: unknown attack 'Nope'"),
        ({"attack": "FGSM", "norm": "l2"}, "norm: FGSM takes linf, not 'l2'"),
        ({"params": {"stepz": 3}, "attack": "PGD"}, "params: PGD has no parameter stepz"),
        ({"seeds": [-1]}, "seeds: expected non-negative integers"),
        ({"checks": {"pgd_stepz": 1}}, "checks: unknown key(s) pgd_stepz"),
    ],
)
def test_bad_options_are_one_line_config_errors(digits: tuple, options: dict, message: str) -> None:
    model, x, y = digits
    with pytest.raises(ConfigError, match="^" + re.escape(message)) as err:
        evaluate(model, x, y, **options)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [
        (
            torch.rand(4, 1, 4, 4),
            torch.zeros(4, dtype=torch.long),
            "x: the model does not take inputs of shape",
        ),
        (torch.rand(4, 1, 8, 8) * 2, torch.zeros(4, dtype=torch.long), r"x: x must lie in \[0, 1\]"),
        (torch.rand(4, 1, 8, 8), torch.zeros(3, dtype=torch.long), r"x: x \(N, ...\) and y \(N,\) expected"),
        (torch.rand(4, 1, 8, 8), torch.full((4,), 10), r"x: labels must lie in 0..9"),
    ],
)
def test_bad_tensors_are_one_line_config_errors(digits: tuple, x, y, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        evaluate(digits[0], x, y, checks=False)


def test_budgets_per_norm() -> None:
    assert budgets(0.3, "linf") == {"linf": (0.3,)}
    assert budgets([0.1, 0.2], ["linf", "l2"]) == {"linf": (0.1, 0.2), "l2": (0.1, 0.2)}
    assert budgets({"l2": 1, "linf": [0.1]}, "linf") == {"l2": (1.0,), "linf": (0.1,)}
    with pytest.raises(ConfigError, match="no budget"):
        budgets({"l2": []}, "linf")
