"""The power plan (advgen.claims.statistics.power, ``advgen power-plan``): textbook sample sizes, a simulated
power at the planned n, and the reading of a claims-page row."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm, t

from advgen.claims.statistics.power import (
    CONSERVATIVE,
    POWER,
    Design,
    budget_status,
    mirrored,
    one_sided_power,
    plan,
    required_n,
    row_plan,
    tost_power,
)
from advgen.cli import main as cli_main


def _n(power_at, target: float = 0.8) -> int:
    n = required_n(power_at, target)
    assert n is not None
    return n


def test_textbook_sample_sizes() -> None:
    """d = 0.5 at one-sided 2.5 %, 80 % power: z-test ceil((1.960 + 0.842)^2 / 0.25) = 32; one-sample
    t test 34 and two-sample t test 64 per group (Cohen 1988, Table 2.4.1; G*Power gives the same)."""
    z = (norm.ppf(0.975) + norm.ppf(0.8)) ** 2 / 0.25
    assert _n(lambda n: one_sided_power(0.5, 1.0, n, 0.025, Design(normal=True))) == math.ceil(z) == 32
    assert _n(lambda n: one_sided_power(0.5, 1.0, n, 0.025, Design())) == 34
    assert _n(lambda n: one_sided_power(0.5, 1.0, n, 0.025, Design(two_sample=True))) == 64


def test_the_t_power_at_n_is_the_noncentral_t_tail() -> None:
    """By hand: n = 34, df 33, ncp = 0.5 sqrt(34) = 2.9155, t(0.975, 33) = 2.0345; P(T' > 2.0345) = 0.8078."""
    assert t.ppf(0.975, 33) == pytest.approx(2.0345, abs=1e-4)
    assert one_sided_power(0.5, 1.0, 34, 0.025, Design()) == pytest.approx(0.8078, abs=1e-4)
    assert one_sided_power(0.5, 1.0, 33, 0.025, Design()) < 0.8


def test_simulated_power_at_the_planned_n() -> None:
    """20,000 simulated studies at the planned n reject as often as planned (one-sample t, and TOST)."""
    rng = np.random.default_rng(0)
    n = _n(lambda k: one_sided_power(0.4, 1.0, k, 0.025, Design()))
    x = rng.normal(0.4, 1.0, size=(20_000, n))
    tstat = x.mean(1) / (x.std(1, ddof=1) / math.sqrt(n))
    assert (tstat > t.ppf(0.975, n - 1)).mean() == pytest.approx(0.8, abs=0.015)
    # TOST at 5 % per side, effect 0.1 inside the band [-0.5, 0.5]: 90 % interval inside the band
    n = _n(lambda k: tost_power(0.6, 0.4, 1.0, k, 0.05, Design()))
    x = rng.normal(0.1, 1.0, size=(20_000, n))
    half = t.ppf(0.95, n - 1) * x.std(1, ddof=1) / math.sqrt(n)
    inside = (x.mean(1) - half > -0.5) & (x.mean(1) + half < 0.5)
    assert 0.79 <= inside.mean() <= 0.84  # the planned power is a lower bound, tight near 80 %


def test_plan_takes_the_side_the_estimate_lies_on() -> None:
    holds = plan(0.3, 0.1, 3, direction="greater", margin=0.0)
    assert holds.verdict == "holds" and holds.delta == pytest.approx(0.3)
    fails = plan(-0.3, 0.1, 3, direction="greater", margin=0.0)
    assert fails.verdict == "does not hold" and fails.n == holds.n
    assert plan(0.3, 0.1, 3, direction="less", margin=0.0).verdict == "does not hold"
    outside = plan(0.5, 0.05, 3, direction="equivalent", margin=0.894, tolerance=0.1)
    assert outside.verdict == "does not hold" and outside.delta == pytest.approx(0.294)
    inside = plan(0.9, 0.05, 3, direction="equivalent", margin=0.894, tolerance=0.1)
    assert inside.verdict == "holds" and inside.delta == pytest.approx(0.094)
    on = plan(0.0, 0.1, 3, direction="greater", margin=0.0)
    assert on.n is None and "on the margin" in on.reason
    assert "exact" in plan(5.0, 0.0, 1, direction="less", margin=6.0).reason
    assert "no spread" in plan(0.0, 0.0, 3, direction="greater", margin=0.0).reason


def test_the_standard_error_shrinks_at_the_level_that_sets_it() -> None:
    """A plan at n_now reproduces the interval's own standard error: se(n_now) = se."""
    for design in (Design(), Design(two_sample=True), Design(normal=True)):
        p = plan(0.2, 0.08, 5, direction="greater", margin=0.0, design=design)
        assert design.se(p.sd, 5) == pytest.approx(0.08)
        assert p.n is not None and p.n > 5 and design.se(p.sd, p.n) < 0.08


ROW = {
    "id": "x", "group": "source", "source": "003", "status": "measured", "direction": "greater",
    "margin": 0.0, "tolerance": 0.0, "estimate": 0.2, "lo": 0.2 - 4.302653 * 0.05, "hi": 0.2 + 4.302653 * 0.05,
    "confidence": 0.95, "seeds": 3, "examples": 500, "method": "t over 3 seeds, paired by run",
    "sample_size": "3 seeds × 500 examples", "verdict": "inconclusive",
}  # fmt: skip


def test_row_plan_recovers_the_standard_error_from_the_interval() -> None:
    p = row_plan(ROW)
    assert (
        p.se == pytest.approx(0.05) and p.n_now == 3 and p.unit == "seeds" and p.alpha == pytest.approx(0.025)
    )
    conservative = 0.2 - t.ppf(0.5 + CONSERVATIVE / 2, 2) * 0.05  # the 80 % interval's bound nearest 0
    assert p.plan.delta == pytest.approx(conservative)
    assert p.plan.n == _n(
        lambda n: one_sided_power(conservative, 0.05 * math.sqrt(3), n, 0.025, Design()), POWER
    )
    welch = row_plan(
        {**ROW, "method": "Welch t (Welch-Satterthwaite df) over seeds", "sample_size": "3 seeds"}
    )
    q = t.ppf(0.975, 4)  # the largest Welch df, 2n - 2: the conservative standard error
    assert welch.se == pytest.approx((ROW["hi"] - ROW["lo"]) / (2 * q)) and welch.unit == "seeds per side"
    single = row_plan({**ROW, "seeds": 1, "examples": 32, "sample_size": "1 seed × 32 digits"})
    assert single.n_now == 32 and single.unit == "digits per run"


def test_row_plan_of_a_ratio_works_on_the_log_scale() -> None:
    lo, hi = math.exp(math.log(0.5) - 2.776 * 0.2), math.exp(math.log(0.5) + 2.776 * 0.2)
    method = "Welch t (Welch-Satterthwaite df) over seeds of log values"
    row = {**ROW, "method": method, "direction": "less", "margin": 1.0, "estimate": 0.5, "lo": lo, "hi": hi}
    row["sample_size"] = "3 seeds (aggregate per seed)"
    p = row_plan(row)
    assert p.scale == "log" and p.se == pytest.approx(0.2, rel=1e-3)
    assert p.plan.delta == pytest.approx(math.log(2) - t.ppf(0.9, 4) * p.se)  # Welch: df 2n - 2
    assert row_plan(row, conservative=0).plan.delta == pytest.approx(math.log(2))


def test_rows_without_a_test_are_not_planned() -> None:
    assert row_plan({**ROW, "status": "not_testable"}).plan.reason.startswith("status not_testable")
    bonferroni = {**ROW, "method": "Bonferroni-simultaneous intervals of the 54 source-target pairs"}
    assert "simultaneous" in row_plan(bonferroni).plan.reason
    exact = row_plan({**ROW, "seeds": 1, "examples": 1, "lo": 0.2, "hi": 0.2, "sample_size": "1 model"})
    assert exact.plan.n is None and "exact" in exact.plan.reason


def test_the_plan_is_for_97_percent_at_holms_level_from_a_conservative_effect() -> None:
    """97 % power at alpha / m, m the tests of the claim's family (Holm's first step, so a family
    whose every p-value falls below it keeps every verdict), for the effect at the bound of the
    exploratory 80 % interval nearest the margin; the power at the planned n, simulated with the
    adjusted level and that effect, is at least 97 %, and more for the exploratory estimate."""
    assert (POWER, CONSERVATIVE) == (0.97, 0.8)
    alone, four = row_plan(ROW), row_plan(ROW, family_size=4)
    assert alone.alpha == pytest.approx(0.025) and four.alpha == pytest.approx(0.025 / 4)
    sd, effect = 0.05 * math.sqrt(3), 0.2 - t.ppf(0.9, 2) * 0.05
    assert four.plan.n == _n(lambda n: one_sided_power(effect, sd, n, 0.025 / 4, Design()), 0.97)
    assert four.plan.n > alone.plan.n > row_plan(ROW, conservative=0).plan.n
    n = four.plan.n
    x = np.random.default_rng(1).normal(effect, sd, size=(20_000, n))
    tstat = x.mean(1) / (x.std(1, ddof=1) / math.sqrt(n))
    assert (tstat > t.ppf(1 - 0.025 / 4, n - 1)).mean() >= 0.965


def test_an_effect_whose_80_percent_interval_reaches_the_margin_has_no_plan() -> None:
    near = row_plan({**ROW, "estimate": 0.02, "lo": 0.02 - 4.302653 * 0.05, "hi": 0.02 + 4.302653 * 0.05})
    assert near.plan.n is None and "80% interval reaches the margin" in near.plan.reason
    assert row_plan(near_row := {**ROW, "estimate": 0.02}, conservative=0).plan.n is not None, near_row


def test_a_claim_that_can_go_either_way_is_planned_for_both() -> None:
    """An exploratory interval that holds the margin: the plan also covers the other verdict at
    the same distance. One-sided tests are symmetric (the same n); an equivalence claim inside
    its band needs more for "holds" (two one-sided tests) than for "does not hold" as far
    outside, and the plan takes the larger."""
    assert mirrored(0.3, "greater", 0.0) == pytest.approx(-0.3)
    assert mirrored(0.85, "equivalent", 0.894, 0.1) == pytest.approx(2 * 0.794 - 0.85)
    assert mirrored(0.9, "equivalent", 0.894, 0.1) == pytest.approx(2 * 0.994 - 0.9)
    kw = dict(direction="equivalent", margin=0.894, tolerance=0.1, alpha=0.05)
    inside = plan(0.85, 0.03, 3, **kw)
    both = plan(0.85, 0.03, 3, straddles=True, **kw)
    outside = plan(mirrored(0.85, "equivalent", 0.894, 0.1), 0.03, 3, **kw)
    assert outside.verdict == "does not hold" and both.n == max(inside.n, outside.n)
    assert both.verdict.endswith("(either way)")
    assert plan(0.85, 0.03, 3, straddles=False, **kw) == inside
    one = plan(0.1, 0.05, 3, straddles=True, direction="greater", margin=0.0)
    assert one.n == plan(0.1, 0.05, 3, direction="greater", margin=0.0).n


#: a claim whose conservative effect is small beside its spread: more than 10 seeds
WEAK = {**ROW, "id": "weak", "estimate": 0.2, "lo": 0.2 - 4.302653 * 0.08, "hi": 0.2 + 4.302653 * 0.08}


def test_the_budget_marks_what_it_cannot_afford() -> None:
    weak = row_plan(WEAK)
    assert weak.plan.n is not None and weak.plan.n > 10
    assert budget_status(weak, max_runs=10, max_examples=1000) == "underpowered at this budget"
    assert budget_status(weak, max_runs=weak.plan.n, max_examples=1000) == "planned"


def test_power_plan_command_writes_the_page_and_the_json(tmp_path: Path) -> None:
    rows = [
        ROW,
        WEAK,
        {**ROW, "id": "n", "status": "paper_only"},
    ]
    table = tmp_path / "claims.parquet"
    pd.DataFrame(rows).to_parquet(table)
    md, js = tmp_path / "plan.md", tmp_path / "plan.json"
    argv = ["power-plan", str(table), "--markdown", str(md), "--json", str(js), "--max-runs", "20"]
    assert cli_main(argv) == 0
    plan_json = json.loads(js.read_text())
    assert plan_json["claims"]["x"]["plan"] == "planned" and plan_json["claims"]["x"]["n_planned"] >= 2
    assert plan_json["claims"]["weak"]["plan"] == "underpowered at this budget"
    assert plan_json["claims"]["n"]["plan"] == "not planned" and plan_json["claims"]["n"]["n_planned"] is None
    text = md.read_text()
    assert (
        "## Underpowered at this budget (1)" in text
        and "`weak`" in text
        and plan_json["source"]["sha256"] in text
    )


def test_the_command_plans_at_the_familys_level_and_raises_examples(tmp_path: Path) -> None:
    """Two claims of one family are planned at alpha / 2 each; a claim on one run's digits whose
    plan asks for more digits than the run had is listed to raise before the freeze."""
    digits = {
        **ROW, "id": "digits", "seeds": 1, "examples": 48, "sample_size": "1 seed × 48 digits",
        "method": "t over 48 examples", "estimate": 0.1, "lo": 0.1 - 2.0117 * 0.06, "hi": 0.1 + 2.0117 * 0.06,
    }  # fmt: skip
    rows = [{**ROW, "family": "f"}, {**ROW, "id": "y", "family": "f"}, {**digits, "family": ""}]
    table = tmp_path / "claims.parquet"
    pd.DataFrame(rows).to_parquet(table)
    md, js = tmp_path / "plan.md", tmp_path / "plan.json"
    assert cli_main(["power-plan", str(table), "--markdown", str(md), "--json", str(js)]) == 0
    claims = json.loads(js.read_text())["claims"]
    assert claims["x"]["family_size"] == 2 and claims["x"]["alpha"] == pytest.approx(0.0125)
    assert claims["digits"]["family_size"] == 1 and claims["digits"]["alpha"] == pytest.approx(0.025)
    assert claims["digits"]["unit"] == "digits per run" and claims["digits"]["n_planned"] > 48
    text = md.read_text()
    assert (
        "## Examples to raise before the freeze (1)" in text and "| `digits` | digits per run | 48 |" in text
    )


def test_a_cut_claim_is_underpowered_at_its_cut_size_and_the_freeze_reads_it(tmp_path: Path) -> None:
    """``--cut ID=N`` runs a planned claim at N: the JSON's ``n_run`` is N, the page lists it
    apart, and the freeze record's plan holds N with the size it would need."""
    from advgen.claims.freeze.freeze_reader import read_power_plan

    slow = {**ROW, "id": "slow", "estimate": 0.35, "lo": 0.35 - 4.302653 * 0.07, "hi": 0.35 + 4.302653 * 0.07}
    table = tmp_path / "claims.parquet"
    pd.DataFrame([ROW, slow]).to_parquet(table)
    md, js = tmp_path / "plan.md", tmp_path / "plan.json"
    budget = ["--max-runs", "20"]
    assert cli_main(["power-plan", str(table), "--markdown", str(md), "--json", str(js), *budget]) == 0
    planned = json.loads(js.read_text())["claims"]["slow"]
    assert planned["plan"] == "planned" and planned["n_run"] == planned["n_planned"] > 3
    cut = planned["n_planned"] - 1
    argv = [
        "power-plan",
        str(table),
        "--markdown",
        str(md),
        "--json",
        str(js),
        "--cut",
        f"slow={cut}",
        *budget,
    ]
    assert cli_main(argv) == 0
    claims = json.loads(js.read_text())["claims"]
    assert claims["slow"]["plan"] == "underpowered at this budget" and claims["slow"]["cut"] is True
    assert claims["slow"]["n_run"] == cut and claims["x"]["n_run"] == claims["x"]["n_planned"]
    text = md.read_text()
    assert "## Cut to fit the run's time (1)" in text and f"--cut slow={cut}" in text
    assert "## Underpowered at this budget" not in text
    _, record_plan = read_power_plan(str(js))
    assert (record_plan["slow"].n, record_plan["slow"].needed, record_plan["slow"].underpowered) == (
        cut,
        planned["n_planned"],
        True,
    )
    assert not record_plan["x"].underpowered


@pytest.mark.parametrize(
    ("cut", "says"),
    [
        ("nosuch=3", "no such claim"),
        ("x=99", "only a planned claim is cut"),
        ("x=1", "only a planned claim is cut"),
        ("x", "expected ID=N"),
        ("x=two", "expected ID=N"),
        ("x=²", "expected ID=N"),  # a digit to str.isdigit(), not to int()
        ("x=" + "9" * 5000, "expected ID=N"),  # past int()'s limit of 4,300 digits
        ("=3", "expected ID=N"),
    ],
)
def test_a_cut_that_is_no_cut_is_one_line(tmp_path: Path, capsys, cut: str, says: str) -> None:
    table = tmp_path / "claims.parquet"
    pd.DataFrame([ROW]).to_parquet(table)
    md, js = tmp_path / "plan.md", tmp_path / "plan.json"
    assert cli_main(["power-plan", str(table), "--markdown", str(md), "--json", str(js), "--cut", cut]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and says in err and not md.exists() and not js.exists()
