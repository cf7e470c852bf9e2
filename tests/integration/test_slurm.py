"""The workflow on a real SLURM: ``snakemake --profile profiles/slurm`` against the single-node
cluster of ``scripts/slurm/start.sh`` (``make test-slurm``; ``.ci/run`` starts and stops it).

Checks that jobs go through ``sbatch`` (SLURM job ids, seen by ``squeue``), that their outputs
equal those of a local run, that SLURM's GPU allocation reaches advgen's device lease, and that a
training job cancelled with ``scancel`` is resubmitted and resumes from its checkpoint.
Skipped, with the reason, only when no SLURM controller answers.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import copy_workflow, tool_env

pytestmark = [pytest.mark.slurm, pytest.mark.slow]

CONFIG = ".test/config/slurm.yaml"
FAKE_GPUS = "2"  # scripts/slurm/start.sh offers two fake gres GPUs
SUBMITTED = re.compile(r"Job (\d+) has been submitted with SLURM jobid (\d+)")
RUN_ID = re.compile(r"SLURM run ID: (\S+)")


def slurm_unreachable() -> str | None:
    """Why SLURM cannot be used here, or None when a controller answers with a partition up."""
    hint = "start it with `bash scripts/slurm/start.sh` (root)"
    for tool in ("sbatch", "squeue", "sinfo", "scancel"):
        if shutil.which(tool) is None:
            return f"SLURM client `{tool}` is not installed; {hint}"
    try:
        proc = subprocess.run(["sinfo", "-h", "-o", "%a %T"], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return f"sinfo got no answer from slurmctld in 30 s; {hint}"
    if proc.returncode != 0:
        return f"sinfo cannot reach slurmctld ({proc.stderr.strip()}); {hint}"
    if not any(line.split()[:1] == ["up"] and "down" not in line for line in proc.stdout.splitlines()):
        return f"no SLURM partition is up with a usable node (sinfo: {proc.stdout.strip()!r}); {hint}"
    return None


@pytest.fixture(scope="module", autouse=True)
def slurm() -> None:
    reason = slurm_unreachable()
    if reason:
        pytest.skip(reason)


def job_env(**extra: str) -> dict[str, str]:
    """Environment of the submitting process; sbatch (``--export=ALL``) hands it to every job."""
    env = {k: v for k, v in tool_env(extra).items() if not k.startswith("SLURM_")}
    if "CUDA_VISIBLE_DEVICES" not in extra:
        env.pop("CUDA_VISIBLE_DEVICES", None)
    return env


class Run:
    """One finished ``snakemake`` invocation: output, wall time, SLURM job ids."""

    def __init__(self, workdir: Path, proc: subprocess.CompletedProcess[str], seconds: float) -> None:
        self.workdir, self.output, self.seconds = workdir, proc.stdout + proc.stderr, seconds
        if proc.returncode != 0:
            raise AssertionError(f"snakemake failed ({proc.returncode}) in {workdir}:\n{self.output[-6000:]}")
        self.slurm_ids = [int(m.group(2)) for m in SUBMITTED.finditer(self.output)]
        run_id = RUN_ID.search(self.output)
        self.run_id = run_id.group(1) if run_id else None


def snakemake(workdir: Path, *args: str, env: dict[str, str], timeout: float = 900) -> Run:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Run(workdir, proc, time.perf_counter() - start)


def squeue(job_ids: list[int]) -> dict[int, dict[str, str]]:
    """State, name and comment of jobs that ended less than MinJobAge ago (600 s here)."""
    proc = subprocess.run(
        ["squeue", "--states=all", "-h", "-o", "%i|%T|%j|%k", "-j", ",".join(map(str, job_ids))],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    jobs = {}
    for line in proc.stdout.splitlines():
        job_id, state, name, comment = line.split("|", 3)
        jobs[int(job_id)] = {"state": state, "name": name, "comment": comment}
    return jobs


def same(a: object, b: object, where: str) -> None:
    """Assert that two loaded outputs are equal (tensors exactly, floats bit for bit)."""
    import numpy as np
    import torch

    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b), where
    elif isinstance(a, np.ndarray):
        assert np.array_equal(a, b), where
    elif isinstance(a, dict):
        assert isinstance(b, dict) and sorted(a) == sorted(b), f"{where}: keys {sorted(a)} != {sorted(b)}"
        for key in a:
            same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b), where
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def assert_same_outputs(local: Path, cluster: Path, subdir: str = "results") -> list[str]:
    """Every file under ``subdir`` exists in both runs with equal content; returns them."""
    import pandas as pd
    import torch

    def files(root: Path) -> list[str]:
        base = root / subdir
        return sorted(str(p.relative_to(root)) for p in base.rglob("*") if p.is_file() and "benchmarks" not in p.parts)

    names = files(local)
    assert names, f"no outputs under {local / subdir}"
    assert names == files(cluster)
    for name in names:
        a, b = local / name, cluster / name
        if name.endswith(".parquet"):
            pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b), check_exact=True, obj=name)
        elif name.endswith(".pt"):
            same(torch.load(a, map_location="cpu", weights_only=False), torch.load(b, map_location="cpu", weights_only=False), name)
        elif name.endswith(".json"):
            assert json.loads(a.read_text()) == json.loads(b.read_text()), name
        else:
            assert a.read_bytes() == b.read_bytes(), name
    return names


# --- data stage: several jobs, local vs SLURM -------------------------------------------------


@pytest.fixture(scope="module")
def local_data(tmp_path_factory: pytest.TempPathFactory) -> Run:
    workdir = copy_workflow(tmp_path_factory.mktemp("local") / "wf")
    return snakemake(workdir, "--cores", "2", "--configfile", CONFIG, env=job_env(ADVGEN_FAKE_GPUS=FAKE_GPUS))


@pytest.fixture(scope="module")
def slurm_data(tmp_path_factory: pytest.TempPathFactory) -> Run:
    workdir = copy_workflow(tmp_path_factory.mktemp("slurm") / "wf")
    return snakemake(
        workdir, "--profile", "profiles/slurm", "--configfile", CONFIG, env=job_env(ADVGEN_FAKE_GPUS=FAKE_GPUS)
    )


def test_jobs_go_through_sbatch(slurm_data: Run) -> None:
    datasets = ["digits", "digits8"]
    assert len(slurm_data.slurm_ids) == len(datasets), slurm_data.output[-3000:]
    assert slurm_data.run_id
    jobs = squeue(slurm_data.slurm_ids)
    assert sorted(jobs) == sorted(slurm_data.slurm_ids)
    assert {job["state"] for job in jobs.values()} == {"COMPLETED"}
    # the plugin names every job of a run after the run id and says which rule it ran
    assert {job["name"] for job in jobs.values()} == {slurm_data.run_id}
    assert sorted(job["comment"] for job in jobs.values()) == [f"rule_prepare_data_wildcards_{d}" for d in datasets]


def test_outputs_match_a_local_run(local_data: Run, slurm_data: Run) -> None:
    names = assert_same_outputs(local_data.workdir, slurm_data.workdir)
    assert "results/data/digits/manifest.parquet" in names


def test_wall_time_local_vs_slurm(local_data: Run, slurm_data: Run, capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print(
            f"\n[slurm] data stage ({CONFIG}): local {local_data.seconds:.1f} s, "
            f"SLURM {slurm_data.seconds:.1f} s ({len(slurm_data.slurm_ids)} sbatch jobs)"
        )
    # Polling overhead only: with sacct polling and no slurmdbd the run would never end, with the
    # plugin's default 40 s before the first status check it would take minutes.
    assert slurm_data.seconds < local_data.seconds + 90


# --- GPUs: SLURM's allocation reaches advgen's device lease -----------------------------------

# Holds its lease until the other job holds one too, so the two jobs overlap for sure.
LEASE_SCRIPT = """
import logging, os, pathlib, sys, time
logging.basicConfig(level=logging.INFO, format="%(message)s")
from advgen.device import lease_device
ready = pathlib.Path(sys.argv[1])
with lease_device() as device:
    print("visible", os.environ["CUDA_VISIBLE_DEVICES"], "device", device, flush=True)
    (ready / os.environ["SLURM_JOB_ID"]).touch()
    deadline = time.monotonic() + 60
    while len(list(ready.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
"""


def wait_for(job_ids: list[int], timeout: float = 180) -> dict[int, dict[str, str]]:
    deadline = time.monotonic() + timeout
    while True:
        jobs = squeue(job_ids)
        if all(job["state"] in {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT"} for job in jobs.values()):
            return jobs
        assert time.monotonic() < deadline, f"jobs still not done after {timeout} s: {jobs}"
        time.sleep(1)


def test_gpu_jobs_lease_the_gpu_slurm_gave_them(tmp_path: Path) -> None:
    script = tmp_path / "lease.py"
    script.write_text(LEASE_SCRIPT)
    ready = tmp_path / "ready"
    ready.mkdir()
    env = job_env(ADVGEN_FAKE_GPUS=FAKE_GPUS, ADVGEN_GPU_LOCK_DIR=str(tmp_path / "locks"))
    ids = []
    for i in range(2):
        proc = subprocess.run(
            ["sbatch", "--parsable", "--gpus=1", "--cpus-per-task=1", "--mem=500", "-t", "5",
             "-o", str(tmp_path / f"job{i}.log"), "--wrap", f"{sys.executable} {script} {ready}"],
            env=env, capture_output=True, text=True, check=True, timeout=30,
        )  # fmt: skip
        ids.append(int(proc.stdout.strip().split(";")[0]))
    jobs = wait_for(ids)
    logs = [(tmp_path / f"job{i}.log").read_text() for i in range(2)]
    assert {job["state"] for job in jobs.values()} == {"COMPLETED"}, logs
    visible = sorted(re.search(r"visible (\S+) device cpu", log).group(1) for log in logs)
    assert len(list(ready.iterdir())) == 2, logs
    # both jobs held a GPU at once on the two-GPU node, so SLURM gave them different devices
    assert visible == ["0", "1"], logs
    for log, job_id in zip(logs, ids):
        device = re.search(r"visible (\S+)", log).group(1)
        assert f"device: leased GPU {device} [fake]" in log
        assert f"slurm-{job_id}-gpu{device}.lock" in log
