"""``scripts/next_round_cost.py``: a plan's sizes as the study runs them, and their cost from a
measured run's job times."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from advgen.claims.reading.claims_file import load_claims
from advgen.config_files import read_config_file
from tests.scripts import load_script

ROOT = Path(__file__).resolve().parents[2]
cost = load_script("next_round_cost")
share = load_script("fragile_share")

CLAIMS = {c.id: c for c in load_claims(ROOT / "config" / "claims.yaml")}
CONFIG = read_config_file(ROOT / "config" / "config.yaml")
ROUND2_PLAN = json.loads((ROOT / "docs" / "default_run" / "power_plan.json").read_text())["claims"]
ROUND2_TABLE = ROOT / "docs" / "default_run" / "claims.parquet"
SECTION = "### What a round 3 would cost (exploratory, 2026-11-29)"


def test_round_1s_sizes_grown_by_round_2s_plan_are_round_2s_config() -> None:
    """docs/claims.md, "Round 2's seeds", turned round 2's plan into sizes by hand: every entry
    keeps round 1's runs and grows to the largest size a planned claim reading it asks. The
    function gives every entry's runs of the frozen config, and the one-pixel digits the plan
    asked (the config rounded 226 up to 230)."""
    round1 = read_config_file(ROOT / "docs" / "round1" / "config.yaml")
    grown = cost.sizes(ROUND2_PLAN, CLAIMS, round1)
    added = {"mnist_mse_saturating"}  # after round 2 (2026-11-29: mse_vanishing_fast's positive control)
    assert grown.runs == {k: v for k, v in cost.model_runs(CONFIG).items() if k not in added}
    assert grown.examples["onepixel"] == ROUND2_PLAN["su_one_pixel"]["n_run"] == 226
    assert cost.attack_examples(CONFIG)["onepixel"] == 230
    assert "unroll_fid" in grown.underpowered and "unroll_fid" not in {
        c for v in grown.asked_by.values() for c, _ in v
    }


def test_each_claims_runs_in_the_frozen_config_are_the_seeds_round_2s_table_records() -> None:
    """What a claim ran on follows from the entries its sides read (a role's entries summed, a
    sweep's or the robust features' base classifier): round 2's table agrees on every planned
    claim counted in runs; only a transfer matrix's pairs read no entry."""
    table = pd.read_parquet(ROUND2_TABLE).set_index("id")
    unread = []
    for cid, record in ROUND2_PLAN.items():
        if record["n_planned"] is None or str(record["unit"]).endswith("per run"):
            continue
        runs = cost.claim_runs(CLAIMS[cid], CONFIG, cost.model_runs(CONFIG))
        if runs is None:
            unread.append(cid)
        else:
            assert runs == table.at[cid, "seeds"], cid
    assert unread == ["adversarial_beats_noise"]


def jobs(*pairs: tuple[str, float]) -> list:
    return [cost.Job(path, s) for path, s in pairs]


CONFIG_TINY = {
    "roles": {"gan": "g", "nets": ["fc", "fc_half"]},
    "gans": {"g": {"replicates": 3}},
    "classifiers": {"fc": {"replicates": 2}, "fc_half": {"replicates": 2}, "cnn": {"replicates": 3}},
    "robustness": {
        "max_examples": 100,
        "attacks": {"pgd": {"eps": [0.1]}, "onepixel": {"max_examples": 50}},
        "robust_features": {"robust_classifier": "cnn", "standard_classifier": "cnn"},
    },
}


def test_an_added_run_costs_the_mean_of_the_runs_after_the_first() -> None:
    """Jobs naming ``<entry>_seed<k>`` (a sweep point's suffix too; the longest entry name wins)
    are that run's; the first run (no suffix) and shared jobs stay fixed; a robust-features job
    ``seed<k>`` is the robust classifier's run; an attack's jobs scale with its examples."""
    measured = jobs(
        ("train_gan/g", 50.0),  # the first run: not counted for an added one
        ("train_gan/g_seed1", 10.0),
        ("invert/g_seed1/restarts-1", 2.0),
        ("train_gan/g_seed2", 14.0),
        ("train_classifier/fc_half_seed1", 3.0),  # fc_half's, not fc's
        ("train_classifier/fc_seed1", 1.0),
        ("train_classifier/cnn_seed1_pgd_w0p5", 4.0),  # a sweep point of cnn's seed 1
        ("train_classifier/cnn_seed1", 2.0),
        ("robust_features/seed2", 6.0),
        ("attack/cnn/onepixel", 8.0),
        ("attack/cnn_seed2/onepixel", 2.0),
        ("sample_quality/all", 5.0),
    )
    c = cost.costs(measured, CONFIG_TINY)
    assert c.per_run == {"g": 13.0, "fc": 1.0, "fc_half": 3.0, "cnn": 7.0}  # cnn: (4 + 2) and (6 + 2)
    assert c.attack_wall == {"onepixel": 10.0} and c.total == pytest.approx(107.0) and c.jobs == 12
    now = cost.Sizes(cost.model_runs(CONFIG_TINY), cost.attack_examples(CONFIG_TINY))
    assert now.examples == {"pgd": 100, "onepixel": 50}
    then = cost.Sizes({**now.runs, "g": 5, "cnn": 4}, {**now.examples, "onepixel": 75})
    est = cost.estimate(now, then, c)
    assert est.added_runs == {"g": 2, "cnn": 1}
    assert est.added_seconds == {"g": 26.0, "cnn": 7.0, "attack onepixel": 5.0}
    assert est.total == pytest.approx(107.0 + 38.0) and est.unmeasured == []


def test_an_entry_with_no_run_after_its_first_is_reported_unmeasured() -> None:
    c = cost.costs(jobs(("train_gan/g", 5.0)), CONFIG_TINY)
    now = cost.Sizes(cost.model_runs(CONFIG_TINY), cost.attack_examples(CONFIG_TINY))
    est = cost.estimate(now, cost.Sizes({**now.runs, "g": 4}, now.examples), c)
    assert est.unmeasured == ["g"] and est.total == 5.0


def test_a_benchmarks_folder_and_its_saved_tsv_read_the_same(tmp_path: Path) -> None:
    folder = tmp_path / "benchmarks"
    for path, s in (("train_gan/g_seed1", 10.5), ("attack/cnn/onepixel", 8.25)):
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / f"{path}.tsv").write_text(f"s\th:m:s\tmax_rss\n{s}\t0:00:10\t12.0\n")
    read = cost.read_times(str(folder))
    saved = tmp_path / "times.tsv"
    assert cost.main(["--times", str(folder), "--save-times", str(saved)]) == 0
    assert sorted(cost.read_times(str(saved)), key=lambda j: j.path) == sorted(read, key=lambda j: j.path)
    assert {j.path for j in read} == {"train_gan/g_seed1", "attack/cnn/onepixel"}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("job\ts\ntrain_gan/g\tfast\n", "line 2: s"),
        ("job\ts\ntrain_gan/g\t-1\n", "line 2: s"),
        ("job\ts\nno_rule\t1\n", "line 2: job"),
        ("job\ts\n", "no jobs"),
    ],
)
def test_bad_job_times_are_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, where: str
) -> None:
    path = tmp_path / "times.tsv"
    path.write_text(text)
    assert cost.main(["--times", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.strip().splitlines()
    assert line.startswith(f"next_round_cost: {path}") and where in line


@pytest.mark.parametrize(("args", "flag"), [(["--power", "1.2"], "--power"), (["--wall", "0"], "--wall")])
def test_bad_arguments_are_one_line_and_status_2(
    capsys: pytest.CaptureFixture[str], args: list[str], flag: str
) -> None:
    assert cost.main(args) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"next_round_cost: {flag}")


def test_the_tables_in_docs_claims_md_are_the_scripts_output(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert cost.main(["--entries", "--power", "0.97"]) == 0
    detail = capsys.readouterr().out.splitlines()
    assert cost.main([]) == 0
    out = capsys.readouterr().out.splitlines() + detail
    text = (ROOT / "docs" / "claims.md").read_text()
    assert SECTION in text
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    quoted = [
        line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| entry ")
    ]
    quoted = [line for line in quoted if not line.startswith("| plan from ")]
    assert len(quoted) >= 8
    assert [line for line in quoted if line not in out] == []
