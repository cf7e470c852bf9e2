"""The paper smoke config's DAG has exactly paper.yaml's rules (what `make test-paper` runs)."""

from __future__ import annotations

import re
from pathlib import Path

from advgen.cli import main as cli_main
from tests.conftest import snakemake


def _rules(workdir: Path, configfile: str) -> set[str]:
    out = snakemake(workdir, "-n", "--configfile", configfile, "--quiet", "rules").stdout
    table = out.split("Job stats:", 1)[1]
    rules = set(re.findall(r"^([A-Za-z_][A-Za-z0-9_]*)\s+\d+\s*$", table, flags=re.M))
    return rules - {"total"}


def test_smoke_dag_has_paper_rule_set(workflow_dir: Path) -> None:
    smoke = workflow_dir / "config" / "paper-smoke.yaml"
    assert (
        cli_main(["paper-smoke-config", str(workflow_dir / "config" / "paper.yaml"), "-o", str(smoke)]) == 0
    )
    paper_rules = _rules(workflow_dir, "config/paper.yaml")
    assert {"download_data", "train_gan", "train_classifier", "attack", "purify", "all"} <= paper_rules
    assert _rules(workflow_dir, "config/paper-smoke.yaml") == paper_rules
