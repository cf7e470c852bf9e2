"""``advgen.evaluate``: a user's model under AutoAttack or a registry attack, its table,
intervals, checks and report, and AutoAttack's numbers against the project's AutoAttack run
directly and against torchattacks' (the reference of tests/unit/test_attacks_crosscheck.py)."""

from __future__ import annotations

import copy
import html
import json
import logging
import math
import re

import pandas as pd
import pyarrow.parquet as pq
import pytest
import torch
from torch import nn

import advgen
from advgen.attacks import AutoAttack
from advgen.claims.statistics.proportions import wilson as claims_wilson
from advgen.columns import MASKING_COLUMNS
from advgen.errors import ConfigError
from advgen.robustness.evaluate_inputs import budgets
from advgen.robustness.evaluate_model import evaluate, wilson
from advgen.robustness.evaluation_table import BREAKDOWN, COLUMNS, FILES, STAGE_COLUMNS
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
        ({"seeds": [-1]}, "seeds: expected integers in 0..4294967295, got -1"),
        ({"seeds": [2**70]}, "seeds: expected integers in 0..4294967295"),
        ({"checks": "thorough"}, "checks: unknown level 'thorough'"),
        ({"device": "meta"}, "device: meta: expected cpu, cuda or cuda:N"),
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
        (torch.rand(4, 1, 8, 8), torch.zeros(3, dtype=torch.long), r"x: y must be \(N,\) = \(4,\) labels"),
        (
            torch.rand(4, 8, 8),
            torch.zeros(4, dtype=torch.long),
            r"x: x must be \(N, C, H, W\), got shape \(4, 8, 8\)",
        ),
        (torch.rand(4, 1, 8, 8), torch.zeros(4, dtype=torch.bool), "x: y must be integer class labels"),
        (
            torch.full((4, 1, 8, 8), math.nan),
            torch.zeros(4, dtype=torch.long),
            "x: x holds 256 non-finite values",
        ),
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


def test_numpy_inputs_are_converted(digits: tuple) -> None:
    """NumPy arrays (float64 images, int32 labels) give the tensors' numbers; other types one line."""
    model, x, y = digits
    options = dict(eps=0.1, attack="PGD", params={"steps": 3}, checks=False)
    as_numpy = evaluate(model, x.double().numpy(), y.int().numpy(), **options).table
    as_tensors = evaluate(model, x, y, **options).table
    assert list(as_numpy["robust_acc"]) == list(as_tensors["robust_acc"])
    with pytest.raises(ConfigError, match="x must be a torch tensor or a NumPy array, got str"):
        evaluate(model, "images", y, **options)


def test_attack_names_are_taken_case_aside(digits: tuple) -> None:
    model, x, y = digits
    t = evaluate(model, x[:10], y[:10], eps=0.1, attack="pgd", params={"steps": 2}, checks="none").table
    assert (t["attack"] == "PGD").all()


def test_non_finite_weights_and_logits_are_refused(digits: tuple) -> None:
    """A model with a NaN weight, or whose logits are NaN, has no robust accuracy: refused."""
    model, x, y = digits
    broken = copy.deepcopy(model)
    with torch.no_grad():
        next(broken.parameters()).view(-1)[0] = math.nan
    with pytest.raises(ConfigError, match=r"^model: .* holds 1 non-finite values"):
        evaluate(broken, x, y, checks=False)

    class NanHead(nn.Module):
        def forward(self, z: torch.Tensor) -> torch.Tensor:
            return model(z) * torch.where(z.flatten(1)[:, :1] > 2.0, 1.0, math.nan)

    with pytest.raises(
        ConfigError, match=f"^model: its logits are not finite .* on {len(x)} of {len(x)} inputs"
    ):
        evaluate(NanHead(), x, y, checks=False)


def test_the_breakdown_columns_are_autoattacks_robust_accuracy_after_each_attack(digits: tuple) -> None:
    model, x, y = digits
    t = evaluate(model, x, y, eps=[0.05, 0.1], params=SMALL, checks=False).table
    for eps, row in zip((0.05, 0.1), t.itertuples(), strict=True):
        direct = AutoAttack(model, eps, "linf", **SMALL, seed=0)(x, y)
        for component, acc in direct.robust_after().items():
            assert getattr(row, BREAKDOWN[component]) == pytest.approx(acc)
        assert math.isnan(getattr(row, BREAKDOWN["apgd-dlr"]))  # not a component of "standard"
        assert getattr(row, BREAKDOWN["square"]) == pytest.approx(row.robust_acc)
    pgd = evaluate(model, x[:10], y[:10], eps=0.1, attack="PGD", params={"steps": 2}, checks=False).table
    assert pgd[list(BREAKDOWN.values())].isna().all().all()


def test_check_levels_set_the_checks_sizes(digits: tuple) -> None:
    from advgen.robustness.evaluate_inputs import check_level
    from advgen.robustness.masking_spec import CHECK_LEVELS

    assert check_level("quick") == ("quick", CHECK_LEVELS["quick"])
    assert check_level(True) == check_level("quick") and check_level(False) == ("none", None)
    assert check_level({"level": "full", "pgd_steps": 7}) == ("full", {"pgd_steps": 7})
    assert check_level({"n_queries": 10})[1] == {**CHECK_LEVELS["quick"], "n_queries": 10}
    model, x, y = digits
    quick = evaluate(model, x[:20], y[:20], eps=0.1, attack="FGSM", checks={**QUICK_CHECKS, "level": "quick"})
    assert "PGD-10 x 1 restarts" in quick.masking.set_index("check").loc["more_steps_restarts", "detail"]
    assert "stops early" in quick.checks_text
    none = evaluate(model, x[:20], y[:20], eps=0.1, attack="FGSM", checks="none")
    assert none.masking.empty and "checks='none'" in none.notes[0]


def test_each_stage_logs_a_line_and_the_report_has_their_times(digits: tuple, caplog) -> None:
    """One line per attack run (norm and seed) and per check, with the time so far and left."""
    model, x, y = digits
    with caplog.at_level(logging.INFO, logger="advgen.evaluate"):
        result = evaluate(model, x[:20], y[:20], eps=0.1, params=SMALL, seeds=[0, 1], checks=QUICK_CHECKS)
    lines = [r.getMessage() for r in caplog.records if re.match(r"\[\d+/\d+\] ", r.getMessage())]
    names = ["AutoAttack-standard linf seed 0", "AutoAttack-standard linf seed 1"]
    names += [f"check {c}" for c in result.masking["check"]]
    assert [line.split(":")[0].split("] ")[1] for line in lines] == names
    assert all(re.search(r"elapsed, (~.* left|done|time left not known yet)$", line) for line in lines)
    assert lines[-1].endswith("elapsed, done")
    components = [r.getMessage() for r in caplog.records if "inputs still robust" in r.getMessage()]
    assert any("APGD-CE fooled" in c for c in components)
    stages = result.stages
    assert list(stages.columns) == STAGE_COLUMNS
    assert [s for s in stages["stage"] if ": " not in s] == names
    assert "AutoAttack-standard linf seed 0: APGD-CE" in set(stages["stage"])
    assert stages.loc[[": " not in s for s in stages["stage"]], "share"].sum() == pytest.approx(1.0)
    assert "Stage times" in result.markdown() and "check more_steps_restarts" in result.markdown()


def test_markdown_and_html_carry_the_same_words_and_numbers(digits: tuple, tmp_path) -> None:
    """One formatter: the table cells of report.md equal those of report.html, the facts included."""
    model, x, y = digits
    result = evaluate(model, x[:20], y[:20], eps=0.1, params=SMALL, checks=QUICK_CHECKS, out=tmp_path)
    md = (tmp_path / FILES["markdown"]).read_text()
    page = (tmp_path / FILES["html"]).read_text()
    md_cells = [
        c.strip().replace("\\|", "|")
        for line in md.splitlines()
        if line.startswith("| ")
        for c in line.strip("|").split(" | ")
    ]
    html_cells = [html.unescape(c) for c in re.findall(r"<t[hd]>(.*?)</t[hd]>", page)]
    assert md_cells == html_cells and len(md_cells) > 50
    assert "pass" in html_cells and "True" not in html_cells and "nan" not in " ".join(html_cells).lower()
    assert result._repr_markdown_() == md and "<table>" in result._repr_html_()
    for key in ("advgen_version", "torch_version", "device", "started", "seconds", "checks"):
        assert key in result.facts
    meta = pq.read_schema(tmp_path / FILES["table"]).metadata
    assert meta[b"advgen.evaluate.torch_version"] == torch.__version__.encode()
    assert json.loads(meta[b"advgen.evaluate.stages"])[0]["stage"] == "AutoAttack-standard linf seed 0"


def test_evaluate_has_its_real_signature_and_docstring() -> None:
    import inspect

    params = inspect.signature(advgen.evaluate).parameters
    assert list(params)[:3] == ["model", "x", "y"] and "options" not in params
    assert params["checks"].default == "quick" and params["attack"].default == "AutoAttack"
    assert "Croce & Hein 2020" in (advgen.evaluate.__doc__ or "")
