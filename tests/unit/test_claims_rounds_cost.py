"""``advgen claims cost`` (:mod:`advgen.commands._rounds.study_sizes`,
:mod:`advgen.commands._rounds.job_times`): a plan's sizes as the study runs them, and their cost
from a measured run's job times."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from advgen.claims.reading.claims_file import load_claims
from advgen.commands._rounds import job_times, study_sizes
from advgen.config_files import read_config_file
from tests.errors.conftest import assert_one_line_error, run_cli

ROOT = Path(__file__).resolve().parents[2]

CLAIMS = {c.id: c for c in load_claims(ROOT / "config" / "claims.yaml")}
CONFIG = read_config_file(ROOT / "config" / "config.yaml")
ROUND2_PLAN = json.loads((ROOT / "docs" / "default_run" / "power_plan.json").read_text())["claims"]
ROUND2_TABLE = ROOT / "docs" / "default_run" / "claims.parquet"
TIMES = ROOT / "docs" / "rounds" / "round2" / "job_times.tsv"


def printed(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The lines ``advgen ARGV`` prints (exit status 0)."""
    from advgen.cli import main

    capsys.readouterr()
    assert main(argv) == 0
    return capsys.readouterr().out.splitlines()


def test_round_1s_sizes_grown_by_round_2s_plan_are_round_2s_config() -> None:
    """docs/rounds/round2.md, "Round 2's seeds", turned round 2's plan into sizes by hand: every entry
    keeps round 1's runs and grows to the largest size a planned claim reading it asks. The
    function gives every entry's runs of the frozen config, and the one-pixel digits the plan
    asked (the config rounded 226 up to 230)."""
    round1 = read_config_file(ROOT / "docs" / "rounds" / "round1" / "config.yaml")
    grown = study_sizes.sizes(ROUND2_PLAN, CLAIMS, round1)
    added = {"mnist_mse_saturating"}  # after round 2 (2026-11-29: mse_vanishing_fast's positive control)
    assert grown.runs == {k: v for k, v in study_sizes.model_runs(CONFIG).items() if k not in added}
    assert grown.examples["onepixel"] == ROUND2_PLAN["su_one_pixel"]["n_run"] == 226
    assert study_sizes.attack_examples(CONFIG)["onepixel"] == 230
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
        runs = study_sizes.claim_runs(CLAIMS[cid], CONFIG, study_sizes.model_runs(CONFIG))
        if runs is None:
            unread.append(cid)
        else:
            assert runs == table.at[cid, "seeds"], cid
    assert unread == ["adversarial_beats_noise"]


def jobs(*pairs: tuple[str, float]) -> list:
    return [job_times.Job(path, s) for path, s in pairs]


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
    c = job_times.costs(measured, CONFIG_TINY)
    assert c.per_run == {"g": 13.0, "fc": 1.0, "fc_half": 3.0, "cnn": 7.0}  # cnn: (4 + 2) and (6 + 2)
    assert c.attack_wall == {"onepixel": 10.0} and c.total == pytest.approx(107.0) and c.jobs == 12
    now = study_sizes.Sizes(study_sizes.model_runs(CONFIG_TINY), study_sizes.attack_examples(CONFIG_TINY))
    assert now.examples == {"pgd": 100, "onepixel": 50}
    then = study_sizes.Sizes({**now.runs, "g": 5, "cnn": 4}, {**now.examples, "onepixel": 75})
    est = job_times.estimate(now, then, c)
    assert est.added_runs == {"g": 2, "cnn": 1}
    assert est.added_seconds == {"g": 26.0, "cnn": 7.0, "attack onepixel": 5.0}
    assert est.total == pytest.approx(107.0 + 38.0) and est.unmeasured == []


def test_an_entry_with_no_run_after_its_first_is_reported_unmeasured() -> None:
    c = job_times.costs(jobs(("train_gan/g", 5.0)), CONFIG_TINY)
    now = study_sizes.Sizes(study_sizes.model_runs(CONFIG_TINY), study_sizes.attack_examples(CONFIG_TINY))
    est = job_times.estimate(now, study_sizes.Sizes({**now.runs, "g": 4}, now.examples), c)
    assert est.unmeasured == ["g"] and est.total == 5.0


def test_a_benchmarks_folder_and_its_saved_tsv_read_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "benchmarks"
    for path, s in (("train_gan/g_seed1", 10.5), ("attack/cnn/onepixel", 8.25)):
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / f"{path}.tsv").write_text(f"s\th:m:s\tmax_rss\n{s}\t0:00:10\t12.0\n")
    read = job_times.read_times(str(folder))
    saved = tmp_path / "times.tsv"
    table = str(ROUND2_TABLE)
    assert (
        printed(["claims", "cost", table, "--times", str(folder), "--save-times", str(saved)], capsys) == []
    )
    assert sorted(job_times.read_times(str(saved)), key=lambda j: j.path) == sorted(
        read, key=lambda j: j.path
    )
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
    code, err = run_cli(["claims", "cost", str(ROUND2_TABLE), "--times", str(path), "--wall", "1"], capsys)
    assert_one_line_error(code, err, str(path), where)


@pytest.mark.parametrize(
    ("args", "flag"),
    [(["--wall", "1", "--power", "1.2"], "--power"), (["--wall", "0"], "--wall"), ([], "--wall")],
)
def test_bad_arguments_are_one_line_and_status_2(
    capsys: pytest.CaptureFixture[str], args: list[str], flag: str
) -> None:
    code, err = run_cli(["claims", "cost", str(ROUND2_TABLE), "--times", str(TIMES), *args], capsys)
    assert_one_line_error(code, err, flag)


def test_round_2s_table_priced_at_97_percent_is_round_2s_record(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/rounds/round2.md, "What a round 3 would cost": the command's rows at today's sizes
    and at 97 % power from round 2's table and job times (XeonE-2, 7,235 s), and what grows."""
    monkeypatch.chdir(ROOT)
    argv = ["claims", "cost", "docs/default_run/claims.parquet", "--times", "docs/rounds/round2/job_times.tsv",
            "--wall", "7235", "--power", "0.97", "--entries"]  # fmt: skip
    out = printed(argv, capsys)
    text = (ROOT / "docs" / "rounds" / "round2.md").read_text()
    section = text.split("\n## What a round 3 would cost", 1)[1].split("\n## ", 1)[0]
    quoted = [line for line in section.splitlines() if line.startswith("| ")]
    quoted = [line for line in quoted if not line.startswith(("| plan from ", "| entry "))]
    assert len(quoted) >= 8
    assert [line for line in quoted if line not in out and "% power |" not in line] == []
    assert any(
        line.startswith("| 97 % power | 24 (10) | onepixel 230 -> 448 | 17,798 s | 1.24x") for line in out
    )
