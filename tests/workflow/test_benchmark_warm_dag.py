"""benchmarks/warm_dag.py at --smoke size: the default config at smoke sizes, one classifier and
its data, run warm and then fresh in two scratch copies. The script's own checks (every job of
the warm side started warm, none of the fresh side did, no server outlived its run, equal
outputs) pass, and its table has both sides."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import REPO, tool_env

pytestmark = pytest.mark.slow


def test_warm_dag_smoke_runs_both_sides_and_finds_equal_outputs(tmp_path: Path) -> None:
    short = tempfile.mkdtemp(prefix="aw")  # the servers' folder: a Unix socket's path is short
    env = tool_env({"ADVGEN_TEST_FORKSERVER": "0", "ADVGEN_WARM": "1", "TMPDIR": short})
    try:
        proc = subprocess.run(
            [sys.executable, str(REPO / "benchmarks" / "warm_dag.py"), "--smoke", "--out", str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
    finally:
        shutil.rmtree(short, ignore_errors=True)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    lines = proc.stdout.splitlines()
    assert lines[-1] == "outputs equal"
    rows = {cells[1].strip(): cells for line in lines if len(cells := line.split("|")) == 5}
    assert {"warm", "fresh"} <= set(rows)
    done, total = rows["warm"][2].strip().split("/")
    assert (
        rows["fresh"][2] == rows["warm"][2] and done == total and int(total) >= 2
    )  # the classifier, its data
    assert any(line.startswith("warm / fresh: ") for line in lines)
    for side in ("warm", "fresh"):
        assert (tmp_path / side / "default" / "results" / "classifiers").is_dir()
