"""``advgen claims fragility`` and ``advgen claims predictions``
(:mod:`advgen.commands._rounds.yardstick`, :mod:`advgen.commands._rounds.predictions`): how far
reruns on other arithmetic move each row, each row's chance of a changed verdict, and the
prediction pages written from a verdict table or a frozen plan."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import norm

from advgen.claims.deciding import fragility
from advgen.commands._rounds import plan_share, predictions
from advgen.commands._rounds import yardstick as rules
from tests.errors.conftest import assert_one_line_error, run_cli

ROOT = Path(__file__).resolve().parents[2]

ALPHA = 0.025
C = float(norm.isf(ALPHA))  # the one-sided level on the probit scale
PAGES = sorted({str(ROOT / path) for pair in rules.PAIRS for path in pair[:2]})


def printed(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The lines ``advgen ARGV`` prints (exit status 0)."""
    from advgen.cli import main

    capsys.readouterr()
    assert main(argv) == 0
    return capsys.readouterr().out.splitlines()


def row(rid: str, verdict: str, z: float, **over: object) -> dict:
    """A source claim whose statistic is ``z`` on the probit scale, tested one-sided at ALPHA."""
    p = float(norm.sf(z))
    base = {"id": rid, "group": "source", "verdict": verdict, "estimate": 0.0, "lo": -1.0, "hi": 1.0,
            "p_value": p, "p_against": 1 - p, "p_adjusted": math.nan, "alpha": ALPHA, "family": "",
            "raw_verdict": "", "would_be": ""}  # fmt: skip
    return {**base, **over}


def table(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


@pytest.mark.parametrize("path", PAGES, ids=lambda p: Path(p).name)
def test_the_levels_read_off_a_committed_page_give_back_its_verdicts(path: str) -> None:
    page = rules.read(path)
    levels = rules.levels(page)
    assert len(levels) >= 50
    assert {rid: lv.decide(lv.z) for rid, lv in levels.items()} == {
        rid: lv.verdict for rid, lv in levels.items()
    }


def test_a_holds_row_flips_with_the_normal_tail_of_its_distance_to_the_level() -> None:
    lv = rules.levels(table(row("a", "holds", C + 0.8)))["a"]
    assert lv.holds_at == pytest.approx(C) and lv.fails_at == pytest.approx(-C)
    for lam in (0.3, 1.0):  # it flips where z' falls below the level: to inconclusive or beyond
        assert lv.p_flip(lam) == pytest.approx(norm.sf(0.8 / (math.sqrt(2) * lam)))
    assert lv.p_flip(0.0) == 0.0


def test_an_inconclusive_row_at_zero_flips_to_either_side() -> None:
    lv = rules.levels(table(row("a", "inconclusive", 0.0)))["a"]
    lam = 0.5
    assert lv.p_flip(lam) == pytest.approx(2 * norm.sf(C / (math.sqrt(2) * lam)))
    assert rules.levels(table(row("b", "does not hold", -C - 0.1)))["b"].p_flip(1.0) == pytest.approx(
        norm.sf(0.1 / math.sqrt(2))
    )


def test_the_holm_multiplier_moves_the_levels_in_the_directions_the_table_adjusted() -> None:
    z = C + 1.0
    both = rules.levels(table(row("a", "holds", z, p_adjusted=3 * norm.sf(z))))["a"]
    assert both.holds_at == pytest.approx(norm.isf(ALPHA / 3)) and both.fails_at == pytest.approx(
        norm.ppf(ALPHA / 3)
    )
    one = table(row("a", "holds", z, p_adjusted=3 * norm.sf(z))).drop(columns=["p_against"])
    holds_only = rules.levels(one)["a"]  # round 1's analysis: Holm on "holds" only
    assert holds_only.holds_at == pytest.approx(norm.isf(ALPHA / 3)) and holds_only.fails_at == pytest.approx(
        -C
    )


def test_not_valid_and_untested_rows_are_not_modelled() -> None:
    t = table(row("a", "not valid", 3.0), row("b", "not testable at this scale", 0.0, p_value=math.nan))
    assert rules.levels(t) == {}


def test_the_scales_are_the_root_mean_square_of_the_probit_moves_near_a_boundary() -> None:
    published = table(
        row("g", "holds", 2.5, family="gans_mlp"),
        row("c", "holds", 2.2, family="cnn_attacks"),
        row("d", "holds", 3.0, family="cnn_attacks"),
        row("far", "holds", 5.0, family="cnn_attacks"),  # |z| >= Z_NEAR: not read
    )
    rerun = table(
        row("g", "holds", 3.5, family="gans_mlp"),
        row("c", "holds", 2.2, family="cnn_attacks"),
        row("d", "holds", 2.0, family="cnn_attacks"),
        row("far", "holds", 7.0, family="cnn_attacks"),
    )
    moves = rules.moves(rerun, published)
    assert set(moves) == {"g", "c", "d"} and moves["g"] == pytest.approx(1 / math.sqrt(2))
    s = rules.scales([(rerun, published)])
    assert s.kinds["generative"] == pytest.approx(1 / math.sqrt(2))
    assert s.kinds["classifier"] == pytest.approx(math.sqrt((0 + 0.5) / 2))
    assert s.pooled == pytest.approx(math.sqrt((0.5 + 0 + 0.5) / 3))
    # a row's own scale: its mean square and its kind's, weighted one pair to one pair
    assert s.of_row("d", "cnn_attacks") == pytest.approx(math.sqrt((0.5 + 0.25) / 2))
    assert s.of_row("unseen", "cnn_attacks") == pytest.approx(s.kinds["classifier"])


def test_the_frozen_flags_are_the_frozen_rule_on_the_committed_pages() -> None:
    round2 = rules.read(str(ROOT / "docs/default_run/claims.parquet"))
    frozen = set(round2.loc[round2["fragile"].fillna("").astype(str) != "", "id"])
    assert rules.frozen_flags(round2) == frozen and len(frozen) == 9
    round1 = rules.read(str(ROOT / "docs/rounds/round1/claims_xeon.parquet"))  # written before the rule
    assert rules.frozen_flags(round1) == set(round1.loc[fragility.fragile(round1) != "", "id"])


def plan_record(mu: float, family: str = "gans_mlp", n: int = 1) -> dict:
    """A source claim planned on a normal design whose probit statistic is N(mu, 1) at size n."""
    return {"group": "source", "plan": "planned", "design": "one sample (proportions, normal)", "alpha": ALPHA,
            "sd": 1.0, "n_run": n, "n_planned": n, "direction": "greater", "estimate": mu, "margin": 0.0,
            "tolerance": 0.0, "scale": "linear", "delta": mu, "family": family}  # fmt: skip


def test_a_plans_expectation_integrates_the_rule_over_the_statistics_normal_law() -> None:
    from scipy.integrate import quad

    mu, lam, tau = 2.7, 0.4, 0.1
    claim = plan_share.claim_of("a", plan_record(mu), "plan")
    z, mass = predictions.statistic(lambda level: claim.power(1, level), predictions.edges_of(ALPHA))
    assert mass.sum() == pytest.approx(1.0)
    band_only, union = predictions.expected_at(z, mass, ALPHA, lam, [None, tau])
    c, c4 = norm.isf(ALPHA), norm.isf(ALPHA / 4)
    assert band_only[0] == pytest.approx(norm.sf(c - mu) + norm.cdf(-c - mu), abs=1e-5)
    assert band_only[1] == pytest.approx(norm.cdf(c4 - mu) - norm.cdf(c - mu), abs=1e-5)

    def flip(x: float) -> float:
        verdict = "holds" if x > c else "does not hold" if x < -c else "inconclusive"
        return norm.pdf(x - mu) * rules.Levels(verdict, x, c, -c).p_flip(lam)

    assert band_only[2] == pytest.approx(quad(flip, -8, 12, points=[-c, c], limit=200)[0], abs=2e-4)
    assert union[2] == band_only[2]
    c_wide = norm.isf(4 * ALPHA)  # outside the band: |z| > c4 or |z| < c_wide
    outside = sum(quad(flip, lo, hi, limit=200)[0] for lo, hi in ((c4, 12), (-c_wide, c_wide), (-12, -c4)))
    assert band_only[3] == pytest.approx(outside, abs=2e-4)
    assert union[3] < band_only[3] and union[1] > band_only[1]


def test_round_2s_committed_prediction_is_the_commands_output_with_round_1s_scales(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/rounds/round2/flip_predictions.md, written before round 2 ran on a second hardware
    kind: its table and last line are ``advgen claims predictions`` of round 2's page, read with
    round 1's reruns only (a round's own reruns are not read: the EPYC rerun came after)."""
    monkeypatch.chdir(ROOT)  # the committed pairs' paths are the checkout's
    lines = printed(["claims", "predictions", "docs/default_run/claims.parquet", "--round", "2"], capsys)
    text = (ROOT / "docs" / "rounds" / "round2" / "flip_predictions.md").read_text().splitlines()
    start = text.index(lines[0])
    assert text[start:] == lines
    assert len(lines) == 2 + 55 + 2


def test_a_page_is_written_with_its_title_and_how_it_was_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "flips.md"
    printed(
        ["claims", "predictions", "docs/default_run/claims.parquet", "--round", "2", "-o", str(out)], capsys
    )
    text = out.read_text().splitlines()
    assert text[0] == "# Round 2 on a second hardware kind: the prediction, per row"
    assert "3 reruns of round 1" in text[2] and "`docs/default_run/claims.parquet`" in text[2]
    assert text[4:] == printed(
        ["claims", "predictions", "docs/default_run/claims.parquet", "--round", "2"], capsys
    )


def test_a_frozen_plans_prediction_averages_each_claims_flip_over_its_planned_statistic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before a round runs: per sized claim of its plan, P(flip) is the yardstick averaged over
    the statistic the plan expects at the size that will run (:func:`predictions.expected_at`),
    P(decided) and P(fragile) the plan's own; most likely first; a claim the plan does not size
    is left out."""
    import json

    monkeypatch.chdir(ROOT)
    records = {
        "a": plan_record(2.2),
        "b": plan_record(5.0, "cnn_attacks"),
        "c": {**plan_record(1.0), "plan": "not planned"},
    }
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"claims": records}))
    table = tmp_path / "claims.parquet"
    table_rows = [
        row("a", "inconclusive", 1.0, family="gans_mlp"),
        row("b", "holds", 4.0, family="cnn_attacks"),
    ]
    pd.DataFrame(table_rows).to_parquet(table)
    round1 = [p for p in rules.PAIRS if p.round == 1]
    lines = predictions.plan_predictions(str(plan), str(table), round1)
    assert [line.split(" | ")[0] for line in lines[2:4]] == ["| `a`", "| `b`"]
    sc = rules.scales_of(round1)
    claim = plan_share.claim_of("a", records["a"], "plan")
    z, mass = predictions.statistic(lambda level: claim.power(1, level), predictions.edges_of(ALPHA))
    decided, _, flip, _ = predictions.expected_at(z, mass, ALPHA, sc.kinds["generative"], [None])[0]
    cells = [c.strip() for c in lines[2].strip("|").split("|")]
    assert cells[1:4] == ["inconclusive", "generative", "1"]
    assert cells[4:] == [f"{decided:.3f}", f"{claim.fragile(1):.3f}", f"{flip:.3f}"]
    assert float(cells[6]) > float(lines[3].strip("|").split("|")[-1])  # b, far past its margin, flips less
    assert (
        lines[-1].startswith("Expected verdicts that differ: ") and "Scales by kind of 3 pairs" in lines[-1]
    )


def test_a_given_rerun_is_read_beside_the_committed_ones(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``advgen claims fragility --rerun``: the pair's changed verdicts against the other
    rounds' prediction; round 2's rerun on an AMD EPYC changed one verdict, flagged."""
    monkeypatch.chdir(ROOT)
    epyc = "docs/rounds/round2/claims_epyc.parquet"
    args = [
        "claims",
        "fragility",
        "--rerun",
        f"again={epyc}",
        "--published",
        "docs/default_run/claims.parquet",
    ]
    out = printed([*args, "--rerun-round", "2"], capsys)
    (line,) = [x for x in out if x.startswith("| again |")]
    assert line.startswith("| again | `unroll_fid` | 1/1 | 2.08 / 1.92 | 95 % of counts 0-5, 1 within")
    assert any(x.startswith("| round 1: H200 / Xeon-2 |") for x in out)
    code, err = run_cli([*args, "--rerun-round", "2", "--only-given"], capsys)
    assert_one_line_error(code, err, "no pair of another round")
    code, err = run_cli(args, capsys)
    assert_one_line_error(code, err, "--rerun: give --published")
    code, err = run_cli(["claims", "fragility", "--only-given"], capsys)
    assert_one_line_error(code, err, "--only-given: give a --rerun")
    code, err = run_cli(["claims", "predictions", "docs/default_run/claims.parquet", "--round", "1", "--only-given",
                         "--rerun", f"x={epyc}", "--published", epyc, "--rerun-round", "1"], capsys)  # fmt: skip
    assert_one_line_error(code, err, "--round 1: no rerun of another round")


def test_the_count_of_flips_follows_the_poisson_binomial_law() -> None:
    """Equal chances give the binomial law; the central range leaves at most 2.5 % in each
    tail; the calibration line says whether a count lies within it."""
    from scipy.stats import binom

    law = rules.count_law([0.3] * 10)
    assert law == pytest.approx(binom.pmf(range(11), 10, 0.3), abs=1e-12)
    lo, hi = rules.count_range(law)
    assert binom.cdf(lo - 1, 10, 0.3) <= 0.025 < binom.cdf(lo, 10, 0.3)
    assert binom.sf(hi, 10, 0.3) <= 0.025 < binom.sf(hi - 1, 10, 0.3)
    assert rules.count_law([0.5, 0.0, 1.0]) == pytest.approx([0.0, 0.5, 0.5, 0.0])
    line = rules.calibration({"a": 0.5, "b": 0.5}, 2)
    assert line.startswith("95 % of counts 0-2, 2 within") and "P(>= 2) 0.25" in line
    assert "0 outside" in rules.calibration({f"r{i}": 0.9 for i in range(6)}, 0)
