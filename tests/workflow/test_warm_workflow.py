"""A plain local ``snakemake --cores 2`` starts its ``advgen`` jobs warm (advgen.warm), with
this environment's real ``advgen`` console script and no test fork server: every job log
says so in its first line, the outputs equal those of a run with ``ADVGEN_WARM=0`` (whose
logs do not say it), and no server outlives the run, even a run whose Snakemake is killed
with SIGKILL while a job runs."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import forkserver
from tests.conftest import copy_workflow, snakemake, tool_env
from tests.unit.test_warm_server import gone

pytestmark = pytest.mark.slow

WARM = re.compile(r"^advgen: warm start \(forked from server pid (\d+);")
CONSOLE_SCRIPT = Path(sys.executable).parent / "advgen"


def product_env(warm: bool, tmp: str) -> dict[str, str]:
    """The real ``advgen`` (no test fork server), warm start on or off; ``tmp`` a short
    ``$TMPDIR`` (the servers' folder, cleaned by the test)."""
    if "advgen.warm.client" not in CONSOLE_SCRIPT.read_text(errors="replace"):
        pytest.fail(f"{CONSOLE_SCRIPT} is not the warm start's client: reinstall advgen (pip install -e .)")
    return {forkserver.ENABLE_ENV: "0", "ADVGEN_WARM": "1" if warm else "0", "TMPDIR": tmp}


def job_logs(wf: Path) -> dict[str, str]:
    return {
        str(p.relative_to(wf)): p.read_text(errors="replace") for p in sorted((wf / "logs").rglob("*.log"))
    }


def servers_named(logs: dict[str, str]) -> set[int]:
    return {int(m.group(1)) for text in logs.values() if (m := WARM.match(text))}


@pytest.fixture
def short_tmp() -> Iterator[str]:
    folder = tempfile.mkdtemp(prefix="aw")  # a Unix socket's path is at most 107 bytes
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_local_run_starts_its_jobs_warm_and_equals_a_fresh_run(tmp_path: Path, short_tmp: str) -> None:
    from tests.compare_outputs import compare

    runs = {}
    for name, warm in (("warm", True), ("fresh", False)):
        wf = copy_workflow(tmp_path / name / "data")
        snakemake(
            wf, "--cores", "2", "--configfile", ".test/config/data.yaml", env=product_env(warm, short_tmp)
        )
        runs[name] = job_logs(wf)
        assert runs[name], "the run wrote no job log"
    cold = [log for log, text in runs["warm"].items() if not WARM.match(text)]
    assert not cold, f"jobs that did not start warm: {cold}"
    assert not servers_named(runs["fresh"])
    for pid in servers_named(runs["warm"]):
        assert gone(pid, 30), f"warm server {pid} outlived its run"
    assert not list(Path(short_tmp).glob("advgen-warm-*/*.sock"))
    assert compare(tmp_path / "fresh", tmp_path / "warm") == []


def test_no_server_outlives_a_snakemake_killed_with_sigkill(tmp_path: Path, short_tmp: str) -> None:
    """SIGKILL leaves Snakemake no chance to stop its jobs: the server sees its owner gone,
    sends the running job SIGTERM and exits."""
    wf = copy_workflow(tmp_path / "wf")
    env = tool_env(product_env(True, short_tmp))
    proc = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--cores", "1", "--configfile", ".test/config/slurm.yaml"],
        cwd=wf,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline, training = time.monotonic() + 300, None
        while training is None and time.monotonic() < deadline and proc.poll() is None:
            logs = (
                {k: v for k, v in job_logs(wf).items() if k.startswith("logs/train_gan")}
                if (wf / "logs").exists()
                else {}
            )
            training = next((int(m.group(1)) for text in logs.values() if (m := WARM.match(text))), None)
            time.sleep(0.2)
        assert training is not None, "the GAN's training job never started warm"
        proc.kill()
        proc.wait()
        assert gone(training, 60), f"warm server {training} outlived the Snakemake killed with SIGKILL"
        assert not list(Path(short_tmp).glob("advgen-warm-*/*.sock"))
    finally:
        if proc.poll() is None:
            proc.kill()
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the job's shell and client, orphaned by the SIGKILL
        except ProcessLookupError:
            pass
