"""The plans read the typed config only (``scripts/check_plan_config.py``, run by ``make lint``):
the real tree passes; planted raw reads (the negative controls) fail it, each named by line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "check_plan_config.py"


def check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60)


def test_the_plans_read_no_raw_config():
    proc = check()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ('    return plan.study.config["sweeps"]', "subscripts 'config'"),
        ('    return cfg.get("cv") or {}', "reads 'cfg.get'"),
        ("    return sorted(raw.items())", "reads 'raw.items'"),
        ("    return plan.study.config", "reads the attribute '.config'"),
        ("    return vars(plan.study.top)", "reads the attribute '.top'"),
    ],
)
def test_a_planted_raw_read_fails(tmp_path: Path, line: str, what: str):
    plan = tmp_path / "plan.py"
    plan.write_text(f'"""A plan."""\n\n\ndef settings(plan, cfg, raw):\n{line}\n')
    proc = check(str(plan))
    assert proc.returncode == 1
    assert f"{plan}:5: {what}: a raw config read" in proc.stdout


def test_handing_the_config_on_is_allowed(tmp_path: Path):
    plan = tmp_path / "plan.py"
    plan.write_text("def of(config, source):\n    return ConfigFile.of(config, source)\n")
    assert check(str(plan)).returncode == 0
