"""A failed job's one-line advgen error reaches the terminal (profiles set show-failed-logs)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, snakemake


@pytest.mark.parametrize("profile", ["default", "slurm"])
def test_profiles_show_failed_logs(profile: str) -> None:
    settings = yaml.safe_load((REPO / "profiles" / profile / "config.yaml").read_text())
    assert settings["show-failed-logs"] is True


def test_failing_job_prints_its_advgen_line(workflow_dir: Path) -> None:
    # MNIST without download: each split's prepare-data job fails with one AdvgenError line in its log
    (workflow_dir / "mnist.yaml").write_text(
        "datasets:\n  m:\n    source: mnist\n    image_size: 28\n    download: false\n"
    )
    proc = snakemake(
        workflow_dir,
        "results/data/m/manifest.parquet",
        "--cores",
        "1",
        "--configfile",
        "config/config.yaml",
        "mnist.yaml",
        check=False,
        timeout=300,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    lines = [ln for ln in out.splitlines() if ln.startswith("advgen prepare-data: error:")]
    assert len(lines) == 2 and all("resources/mnist" in line for line in lines), out  # train, test
    assert not (workflow_dir / "results" / "data" / "m").exists() or not any(
        (workflow_dir / "results" / "data" / "m").iterdir()
    )
