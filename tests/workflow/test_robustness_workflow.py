"""The robustness stage in the DAG: dry run on the tiny config, and a real run (slow)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

from advgen.pipeline import build
from advgen.pipeline.jobkinds import BY_NAME, JOB_KINDS
from advgen.pipeline.jobs import command_files
from tests.conftest import REPO, copy_workflow, snakemake
from tests.unit.test_pipeline import config
from tests.workflow.completed_runs import ROBUSTNESS_CONFIG, copy_run

CONFIG = ROBUSTNESS_CONFIG


def scratch(tmp_path: Path) -> Path:
    dest = tmp_path / "wf"
    dest.mkdir()
    return copy_workflow(dest)


def test_dry_run_schedules_every_robustness_rule(tmp_path: Path) -> None:
    wf = scratch(tmp_path)
    out = snakemake(wf, "-n", "-p", "--configfile", CONFIG, "--cores", "1").stdout
    rules = (
        "train_classifier",
        "attack",
        "attack_table",
        "worst_case",
        "attack_success_by_class",
        "masking_checks",
        "transfer_source",
        "transfer",
    )
    for rule in (*rules, "robustness_sweep_point", "robustness_sweep"):
        assert f"rule {rule}:" in out or f"{rule} " in out, rule
    # the declared job kinds' generated rules: their log and benchmark, and their command
    pipe = build(config("robustness"))
    for kind in JOB_KINDS:
        jobs = pipe.jobs.each(kind)
        assert bool(jobs) == (f"rule {kind.name}:" in out), kind.name
        for values in jobs:
            log = kind.log.format(**values)
            outputs = {**kind.files(pipe, values), **{n: p.format(**values) for n, p in kind.state.items()}}
            assert f"log: {log}" in out and f"benchmark: {kind.benchmark.format(**values)}" in out, kind.name
            assert f"advgen --threads 1 {kind.command} --spec '{{" in out, kind.name
            assert f"{command_files({}, outputs)} > {log}" in out, kind.name
    # sweep points are trained once even when two sweeps share a spec
    assert out.count("output: results/classifiers/tiny_cnn_pgd/model.pt") == 1
    assert "results/classifiers/tiny_cnn_pgd_pgd_w0p5/model.pt" in out


def test_dry_run_of_the_robust_features_jobs(tmp_path: Path) -> None:
    """Ilyas et al.'s jobs (config.yaml and paper.yaml run them; no .test config does): one
    ``robust_features`` job per seed pair on a GPU, its log named by the seed, then the table."""
    wf = scratch(tmp_path)
    cfg = yaml.safe_load((wf / CONFIG).read_text())
    cfg["classifiers"]["tiny_cnn_pgd"]["replicates"] = 2
    cfg["classifiers"]["tiny_fc"]["replicates"] = 2
    cfg["robustness"]["robust_features"] = {
        "robust_classifier": "tiny_cnn_pgd",
        "standard_classifier": "tiny_fc",
        "classifier": "tiny_fc",
        "attack": "pgd",
    }
    (wf / "features.yaml").write_text(yaml.safe_dump(cfg))
    out = snakemake(wf, "-n", "-p", "--configfile", "features.yaml", "--cores", "1").stdout
    kind = BY_NAME["robust_features"]
    assert kind.resources == {"gpu": 1} and kind.wildcard_constraints == {"seed": "[0-9]+"}
    for seed, suffix in ((0, ""), (1, "_seed1")):
        assert f"log: logs/robust_features/seed{seed}.log" in out
        assert f"benchmark: results/benchmarks/robust_features/seed{seed}.tsv" in out
        assert (
            f"--input robust=results/classifiers/tiny_cnn_pgd{suffix}/model.pt "
            f"standard=results/classifiers/tiny_fc{suffix}/model.pt" in out
        )
        assert (
            f"--output table=results/robustness/robust_features/seed{seed}.parquet "
            f"datasets=results/robustness/robust_features/seed{seed}_datasets.pt "
            f"> logs/robust_features/seed{seed}.log" in out
        )
    assert out.count("rule robust_features:") == 2 and out.count("rule robust_features_table:") == 1
    assert (
        "advgen --threads 1 robust-features-table --spec '{}' --input "
        "tables=results/robustness/robust_features/seed0.parquet "
        "tables=results/robustness/robust_features/seed1.parquet "
        "--output table=results/robustness/robust_features.parquet "
        "> logs/robust_features_table/robust_features.log" in out
    )


@pytest.mark.slow
def test_tiny_study_end_to_end(completed, tmp_path: Path) -> None:
    """The completed run of the tiny config (tests/workflow/completed_runs.py, which the rerun
    table's rows copy too): every table, and nothing left to do."""
    wf = copy_run(completed("robustness"), tmp_path).folder
    assert wf.joinpath(CONFIG).read_text() == (REPO / CONFIG).read_text()
    curves = pd.read_parquet(wf / "results/robustness/attacks.parquet")
    configured = {
        a["attack"] for a in yaml.safe_load((wf / CONFIG).read_text())["robustness"]["attacks"].values()
    }
    assert (
        set(curves["attack_type"]) == configured >= {"FGSM", "LBFGS", "OnePixel", "Spatial", "APGD", "Square"}
    )
    zero = curves[curves["eps"] == 0]
    assert (zero["robust_acc"] == zero["clean_acc"]).all()
    minimal = pd.read_parquet(wf / "results/robustness/minimal_perturbation.parquet")
    assert set(minimal["attack_type"]) == {"LBFGS", "DeepFool"}
    transfer = pd.read_parquet(wf / "results/robustness/transfer.parquet")
    assert set(transfer["target"]) >= {"tiny_fc_half_a", "tiny_fc_half_b"}
    diag = transfer[(transfer.source == transfer.target) & (transfer.kind == "adversarial")]
    assert len(diag) == 4 * 2
    checked = 0
    for row in diag.itertuples():
        white = curves[
            (curves.classifier == row.source) & (curves.attack == row.attack) & (curves.eps == row.eps)
        ]
        if white.empty:  # no attack curve for this model (the halves)
            continue
        checked += 1
        assert math.isclose(row.error, 1.0 - float(white["robust_acc"].iloc[0]), abs_tol=1e-9)
    assert checked == 4
    for sweep, points in (("capacity", 2), ("data_size", 2)):
        table = pd.read_parquet(wf / f"results/robustness/sweeps/{sweep}.parquet")
        assert len(table) == points
    assert curves[curves.classifier == "tiny_fc"]["clean_acc"].min() > 0.5  # the tiny models do learn
    # the worst case per digit over PGD and APGD on tiny_fc (the only classifier both run on)
    worst = pd.read_parquet(wf / "results/robustness/worst_case.parquet")
    assert list(zip(worst["classifier"], worst["eps"], strict=True)) == [("tiny_fc", 0.0), ("tiny_fc", 0.2)]
    assert (worst["robust_acc"] <= worst[["robust_acc_pgd", "robust_acc_apgd"]].min(axis=1)).all()
    for row in worst.itertuples():
        own = curves[(curves.classifier == "tiny_fc") & (curves.eps == row.eps) & (curves.attack == "pgd")]
        assert row.n == own["n"].iloc[0] and row.robust_acc_pgd == pytest.approx(own["robust_acc"].iloc[0])
    assert (worst["standard_n"] == worst["n"]).all()  # Square, the standard stand-in: the same digits
    assert worst["gap"].notna().all()
    # attack success per digit: its classes add up to each curve's examples and robust accuracy
    by_class = pd.read_parquet(wf / "results/robustness/attack_success_by_class.parquet")
    assert set(zip(by_class["classifier"], by_class["attack"], strict=True)) == set(
        zip(curves["classifier"], curves["attack"], strict=True)
    )
    for (classifier, attack, eps), rows in by_class.groupby(["classifier", "attack", "eps"]):
        curve = curves[(curves.classifier == classifier) & (curves.attack == attack) & (curves.eps == eps)]
        assert rows["n"].sum() == curve["n"].iloc[0], (classifier, attack, eps)
        robust = (rows["robust_acc"] * rows["n"]).sum() / rows["n"].sum()
        assert robust == pytest.approx(curve["robust_acc"].iloc[0]), (classifier, attack, eps)
    history = pd.read_parquet(wf / "results/classifiers/tiny_cnn_pgd/history.parquet")
    assert history["train_robust_acc"].notna().all()
    # nothing is stale afterwards
    again = snakemake(wf, "-n", "--configfile", CONFIG, "--cores", "1").stdout
    assert "Nothing to be done" in again or "nothing to be done" in again.lower()
