"""Snakemake reruns exactly the stale jobs: one experiment's edit, no-op reruns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import job_counts, snakemake


def jobs_for(dry_run_stdout: str, rule: str) -> list[str]:
    """Wildcard values of the scheduled jobs of ``rule`` (from 'wildcards: name=value')."""
    found = []
    blocks = dry_run_stdout.split("rule ")
    for block in blocks:
        if block.startswith(f"{rule}:"):
            match = re.search(r"wildcards: (.+)", block)
            found.append(match.group(1).strip() if match else "")
    return sorted(found)


@pytest.mark.slow
def test_edit_one_dataset_reruns_only_its_jobs(workflow_dir: Path) -> None:
    cfg = workflow_dir / ".test" / "config" / "data.yaml"
    snakemake(workflow_dir, "--cores", "2", "--configfile", str(cfg))
    # no-op rerun: nothing to do
    noop = snakemake(workflow_dir, "-n", "--configfile", str(cfg))
    assert "Nothing to be done" in noop.stdout + noop.stderr
    # edit one dataset's value
    config = yaml.safe_load(cfg.read_text())
    config["datasets"]["digits16"]["max_train"] = 80
    cfg.write_text(yaml.safe_dump(config))
    dry = snakemake(workflow_dir, "-n", "--configfile", str(cfg))
    # the training split alone (max_train is not the test split's) and its manifest (a data-only
    # config plans no page that reads them)
    counts = {"prepare_data": 1, "data_manifest": 1, "all": 1}
    assert job_counts(dry.stdout) == counts
    assert jobs_for(dry.stdout, "prepare_data") == ["dataset=digits16, split=train"]
    assert "params" in dry.stdout  # the reason Snakemake gives
