"""The generative stage in Snakemake: DAG, stale-only reruns, end to end, resume after a kill."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import torch
import yaml

from advgen.gan.runner import GanOutputs, train_gan
from advgen.gan.spec import GanSpec, complete_spec
from advgen.specs import typed_spec
from tests.conftest import job_counts, snakemake
from tests.workflow.test_reruns import jobs_for

CONFIG = ".test/config/generative.yaml"


def test_dry_run_schedules_every_generative_job(workflow_dir: Path):
    out = snakemake(workflow_dir, "-n", "--configfile", CONFIG).stdout
    jobs = job_counts(out)
    assert jobs["train_gan"] == 2 and jobs["train_ae"] == 1
    assert (
        jobs["sample_quality"] == 1 and "sample_quality_table" not in jobs
    )  # one job: 2 GANs, 1 AE, real digits
    assert sorted(jobs_for(out, "train_gan")) == ["gan=tiny_ns", "gan=tiny_ns_unroll2"]


def test_unknown_classifier_stops_the_run_with_one_line(workflow_dir: Path):
    cfg = yaml.safe_load((workflow_dir / CONFIG).read_text())
    cfg["sample_quality"]["classifier"] = "nope"
    bad = workflow_dir / ".test/config/bad.yaml"
    bad.write_text(yaml.safe_dump(cfg))
    proc = snakemake(workflow_dir, "-n", "--configfile", ".test/config/bad.yaml", check=False)
    assert proc.returncode != 0
    assert "sample_quality: unknown classifier 'nope' (defined: tiny_clf)" in proc.stdout + proc.stderr


@pytest.mark.slow
def test_end_to_end_then_edit_reruns_only_that_gan(workflow_dir: Path):
    snakemake(workflow_dir, "results/sample_quality/summary.parquet", "--cores", "2", "--configfile", CONFIG)
    table = pd.read_parquet(workflow_dir / "results/sample_quality/summary.parquet")
    assert list(table["model"]) == ["digits", "tiny_ns", "tiny_ns_unroll2", "tiny_ae"]
    assert list(table["family"]) == ["real", "gan", "gan", "autoencoder"]
    assert table["fid"].notna().all() and (table["modes"] >= 1).all()
    assert table.loc[table["family"] == "autoencoder", "test_mse"].iloc[0] > 0
    gate = table.set_index("model")
    assert gate.loc["digits", "gate"] == "" and gate.loc["tiny_ns_unroll2", "gate"] == ""  # no bar declared
    assert gate.loc["tiny_ae", "gate"] == "fail" and gate.loc["tiny_ae", "gate_failures"].startswith(
        "mean_max_prob "
    )
    assert gate.loc["tiny_ns", "gate"] in ("pass", "fail") and gate.loc["tiny_ns", "roles"] == "ns_gan"
    assert (workflow_dir / "results/sample_quality/real_digits.png").stat().st_size > 0
    ckpt = torch.load(workflow_dir / "results/gans/tiny_ns/checkpoint.pt", weights_only=False)
    assert ckpt["discriminator"]["spectral_norm"] is True  # the recipe (DiffAugment, SN, R1) trained it
    # the pictures first: real digits and the forced AE's samples with their gate, inline on the landing page
    landing = "results/tables/generators.rst"
    snakemake(workflow_dir, landing, "--cores", "2", "--configfile", CONFIG)
    assert (workflow_dir / "results/figures/generators_overview.png").stat().st_size > 0
    assert ".. image:: data:image/png;base64," in (workflow_dir / landing).read_text()
    status = json.loads((workflow_dir / "results/gans/tiny_ns/status.json").read_text())
    assert status["params"]["discriminator"] > 0 and status["epochs_completed"] == 3
    assert (
        sorted(p.name for p in (workflow_dir / "results/gans/tiny_ns/samples").iterdir())[-1]
        == "epoch_003.png"
    )
    assert not (workflow_dir / "results/gans/tiny_ns/resume").exists()
    # no-op rerun schedules nothing of this stage; editing one GAN reruns it and its dependents only
    assert not job_counts(
        snakemake(workflow_dir, "results/sample_quality/summary.parquet", "-n", "--configfile", CONFIG).stdout
    )
    cfg = yaml.safe_load((workflow_dir / CONFIG).read_text())
    cfg["gans"]["tiny_ns"]["loss"] = "mse"
    (workflow_dir / ".test/config/edited.yaml").write_text(yaml.safe_dump(cfg))
    out = snakemake(
        workflow_dir,
        "results/sample_quality/summary.parquet",
        "-n",
        "--configfile",
        ".test/config/edited.yaml",
    ).stdout
    assert job_counts(out) == {"train_gan": 1, "sample_quality": 1}
    assert jobs_for(out, "train_gan") == ["gan=tiny_ns"]


@pytest.mark.slow
def test_killed_training_job_resumes_under_snakemake(workflow_dir: Path, tmp_path: Path):
    """A train_gan job dying after epoch 1 (simulated with $ADVGEN_STOP_AFTER_EPOCHS) fails,
    Snakemake deletes its declared outputs but keeps resume/; the rerun continues from epoch 1
    and writes the same losses as an uninterrupted run."""
    target = "results/gans/tiny_ns/status.json"
    proc = snakemake(
        workflow_dir,
        target,
        "--cores",
        "1",
        "--configfile",
        CONFIG,
        env={"ADVGEN_STOP_AFTER_EPOCHS": "1"},
        check=False,
    )
    assert proc.returncode != 0
    run = workflow_dir / "results/gans/tiny_ns"
    assert (run / "resume/last.pt").exists() and not (run / "losses.parquet").exists()
    snakemake(workflow_dir, target, "--cores", "1", "--configfile", CONFIG)
    assert json.loads((run / "status.json").read_text())["resumed_from_epochs"] == [1]
    assert "resuming from" in (workflow_dir / "logs/train_gan/tiny_ns.log").read_text()
    # the uninterrupted reference: the same spec trained in one go, in process
    spec = typed_spec(
        GanSpec,
        complete_spec(
            {**yaml.safe_load((workflow_dir / CONFIG).read_text())["gans"]["tiny_ns"], "seed": 0}, "gan"
        ),
    )
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the rule's `threads: 1`
    try:
        train_gan(
            spec,
            workflow_dir / "results/data/digits/train.pt",
            GanOutputs.under(tmp_path / "fresh"),
            device="cpu",
        )
    finally:
        torch.set_num_threads(threads)
    pd.testing.assert_frame_equal(
        pd.read_parquet(run / "losses.parquet"),
        pd.read_parquet(tmp_path / "fresh/losses.parquet"),
        check_exact=True,
    )
