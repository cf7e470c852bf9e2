"""scripts/gpu/device_check.sh's study step, on CPU: with ``STUDY_DIR``, a study stopped at its
``STUDY_S`` limit goes on in the next call where it stopped, and ends with the outputs of a study
that was never stopped (tests/compare_outputs.py); its tarball holds both parts' logs."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.compare_outputs import compare
from tests.conftest import REPO, tool_env

TINY = ".test/config/data.yaml"


def device_check(out: Path, study_dir: Path, seconds: int) -> str:
    env = tool_env(
        {
            "OUT": str(out),
            "PY": sys.executable,
            "DEVICE": "cpu",
            "SMOKE": "1",
            "STEPS": "study",
            "BUDGET_S": "500",
            "STUDY_S": str(seconds),
            "CORES": "2",
            "JOBS_PER_GPU": "2",
            "STUDY_CONFIG": TINY,
            "STUDY_DIR": str(study_dir),
        }
    )
    done = subprocess.run(
        ["bash", str(REPO / "scripts" / "gpu" / "device_check.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow
def test_a_study_stopped_at_its_limit_goes_on_in_the_next_call(tmp_path: Path) -> None:
    resumed, fresh = tmp_path / "resumed" / "data", tmp_path / "fresh" / "data"
    first = device_check(tmp_path / "out1", resumed, 3)
    assert "== default study (2 per GPU):" in first
    assert "(100%) done" not in first  # stopped: the tiny study takes longer than 3 s

    second = device_check(tmp_path / "out2", resumed, 400)
    assert f"== default study, part 2 in {resumed}:" in second
    assert "== default study (2 per GPU): 0 failed jobs;" in second
    assert "(100%) done" in second
    with tarfile.open(tmp_path / "out2" / "study_2_part2.tar.gz") as packed:
        names = set(packed.getnames())
    assert {"study.1.log", "study.log"} <= names

    device_check(tmp_path / "out3", fresh, 400)  # never stopped
    assert compare(fresh.parent, resumed.parent) == []
