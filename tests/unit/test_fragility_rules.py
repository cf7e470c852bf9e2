"""``scripts/fragility_rules.py``: candidate fragility rules measured on the committed reruns."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import norm

from advgen.claims.deciding import fragility
from tests.scripts import load_script

ROOT = Path(__file__).resolve().parents[2]
rules = load_script("fragility_rules")

ALPHA = 0.025
C = float(norm.isf(ALPHA))  # the one-sided level on the probit scale
PAGES = sorted({str(ROOT / path) for pair in rules.PAIRS for path in pair[:2]})
SECTION = "### Fragility rules for the next round"


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


def test_the_band_with_factor_4_is_the_frozen_rule_on_the_committed_pages() -> None:
    round2 = rules.read(str(ROOT / "docs/default_run/claims.parquet"))
    frozen = set(round2.loc[round2["fragile"].fillna("").astype(str) != "", "id"])
    assert rules.band(fragility.FACTOR)(round2) == frozen and len(frozen) == 9
    round1 = rules.read(str(ROOT / "docs/round1/claims_xeon.parquet"))  # written before the rule
    assert rules.band(fragility.FACTOR)(round1) == set(round1.loc[fragility.fragile(round1) != "", "id"])
    assert rules.band(8.0)(round2) >= frozen >= rules.band(2.0)(round2)


def test_more_seeds_push_statistics_away_from_zero_and_one_seed_ratio_changes_nothing() -> None:
    page = rules.read(str(ROOT / "docs/default_run/claims.parquet"))
    same = rules.with_seeds(page, 1.0)
    assert list(same["verdict"]) == list(page["verdict"])
    assert rules.band(fragility.FACTOR)(same) == rules.band(fragility.FACTOR)(page)
    t = table(row("a", "inconclusive", C - 0.2), row("b", "holds", C + 0.2), row("c", "not valid", 1.0))
    more = rules.with_seeds(t, 4.0).set_index("id")
    assert more.loc["a", "verdict"] == "holds" and more.loc["b", "verdict"] == "holds"
    assert more.loc["b", "p_value"] == pytest.approx(norm.sf(2 * (C + 0.2)))
    assert more.loc["c", "verdict"] == "not valid" and more.loc["c", "p_value"] == pytest.approx(norm.sf(1.0))


def test_an_outcome_counts_flags_against_differing_verdicts_and_the_yardstick() -> None:
    published = table(row("a", "holds", 2.5), row("b", "does not hold", -3.0), row("c", "inconclusive", 0.0))
    yardstick = {"a": 0.3, "b": 0.1, "c": 0.2}
    o = rules.outcome({"a"}, {"a", "b"}, published, [yardstick])
    assert (o.flagged, o.decided, o.decided_flagged, o.differ, o.differ_flagged) == (1, 2, 1, 2, 1)
    assert o.share == pytest.approx(0.5)
    assert o.expected_unflagged == (pytest.approx(0.3),) and o.all_flagged == (pytest.approx(0.9 * 0.8),)
    both = rules.either(rules.band(fragility.FACTOR), lambda _t: {"c"})
    assert both(published) == {"c"} | rules.band(fragility.FACTOR)(published)


def test_the_figures_in_docs_claims_md_are_the_scripts_output(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert rules.main([]) == 0
    out = capsys.readouterr().out.splitlines()
    text = (ROOT / "docs" / "claims.md").read_text()
    assert SECTION in text
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    quoted = [
        line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| rule ")
    ]
    quoted = [line for line in quoted if not line.startswith(("| pairs ", "| seeds "))]
    assert len(quoted) >= 8
    assert [line for line in quoted if line not in out] == []


def test_bad_arguments_and_a_missing_table_get_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert rules.main(["--tau", "1.5"]) == 2
    assert rules.main(["--seeds", "0.5"]) == 2
    missing = str(tmp_path / "none.parquet")
    assert rules.main(["--pair", missing, missing, "x", "1"]) == 2
    assert rules.main(["--only-given"]) == 2
    assert rules.main(["--pair", missing, missing, "x", "one"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 5 and all(line.startswith("fragility_rules: ") for line in err)
    assert "none.parquet" in err[2] and "--only-given" in err[3] and "ROUND" in err[4]


def test_a_given_pair_is_read_beside_the_committed_ones(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    avx2, published = rules.PAIRS[-1][:2]
    args = ["--pair", str(ROOT / avx2), str(ROOT / published), "round 2: again", "2", "--seeds", "--plan", ""]
    assert rules.main(args) == 0
    out = capsys.readouterr().out
    assert "**round 2: again**" in out and "**round 1: H200 / Xeon-2**" in out
    assert rules.main([*args, "--only-given"]) == 2  # one round only: no other round's scales
    assert "no pair of another round" in capsys.readouterr().err
    assert rules.main([*args, "--only-given", "--predictions"]) == 2
    assert "--predictions: no pair of another round" in capsys.readouterr().err


def plan_record(mu: float, family: str = "gans_mlp", n: int = 1) -> dict:
    """A source claim planned on a normal design whose probit statistic is N(mu, 1) at size n."""
    return {"group": "source", "plan": "planned", "design": "one sample (proportions, normal)", "alpha": ALPHA,
            "sd": 1.0, "n_run": n, "n_planned": n, "direction": "greater", "estimate": mu, "margin": 0.0,
            "tolerance": 0.0, "scale": "linear", "delta": mu, "family": family}  # fmt: skip


def test_a_plans_expectation_integrates_the_rule_over_the_statistics_normal_law() -> None:
    from scipy.integrate import quad

    mu, lam, tau = 2.7, 0.4, 0.1
    claim = rules.fragile_share.claim_of("a", plan_record(mu), "plan")
    z, mass = rules.statistic(lambda level: claim.power(1, level), rules.edges_of(ALPHA))
    assert mass.sum() == pytest.approx(1.0)
    band_only, union = rules.expected_at(z, mass, ALPHA, lam, [None, tau])
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


def test_a_plan_report_gives_the_fragile_share_of_scripts_fragile_share(tmp_path: Path) -> None:
    import json

    share = rules.fragile_share
    records = {"a": plan_record(2.2), "b": plan_record(3.0, "cnn_attacks"), "c": plan_record(1.5)}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"claims": records}))
    scales = rules.Scales(0.3, {"generative": 0.4, "classifier": 0.2}, {})
    lines = rules.plan_report(str(path), [0.97], [0.1], scales)
    decided, fragile = share.expected(share.read_plan(str(path)), [1, 1, 1])
    frozen = next(line for line in lines if line.startswith("| at the plan's n_run | p band x4 (frozen)"))
    cells = [cell.strip() for cell in frozen.strip("|").split("|")]
    assert cells[2] == f"{decided:.1f}" and cells[3] == f"{100 * fragile / decided:.1f} %"
    assert any(
        line.startswith("| a plan for 97 % power | p band x4 or P(flip) > 0.1 by kind") for line in lines
    )


def test_round_2s_committed_prediction_is_the_scripts_output_with_round_1s_scales(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)  # the committed pairs' paths are the checkout's
    round1 = [pair for pair in rules.PAIRS if pair[3] == 1]
    lines = rules.predictions("docs/default_run/claims.parquet", round1)
    text = (ROOT / "docs" / "round2" / "flip_predictions.md").read_text().splitlines()
    start = text.index(lines[0])
    assert text[start:] == lines
    assert len(lines) == 2 + 55 + 2


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
