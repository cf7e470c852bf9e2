"""The workflow on a real SLURM: ``snakemake --profile profiles/slurm`` against the single-node
cluster of ``scripts/slurm/start.sh`` (``make test-slurm``; ``.ci/run`` starts and stops it).

Runs the tiny config ``.test/config/slurm.yaml`` (two data jobs, one GAN) locally and through
SLURM and checks that the jobs went through ``sbatch`` (SLURM job ids, seen by ``squeue``), that
every output equals the local run's, that SLURM's GPU allocation reaches advgen's device lease,
and that a training job that is requeued (preemption) and then killed with ``scancel`` resumes
from its checkpoint both times and ends with the outputs of the uninterrupted run.
Skipped, with the reason, only when no SLURM controller answers.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from tests.conftest import copy_workflow, python_module, tool_env
from tests.forkserver import ENABLE_ENV

pytestmark = [pytest.mark.slurm, pytest.mark.slow]

CONFIG = ".test/config/slurm.yaml"
DATASETS = ("digits", "digits8")
GAN = "tiny"
GAN_EPOCHS = 10  # gans.tiny.epochs in CONFIG
FAKE_GPUS = "2"  # scripts/slurm/start.sh offers two fake gres GPUs
# this session's own device locks: other test runs on the machine cannot take "GPU 0" from it
LOCK_DIR = str(Path(tempfile.gettempdir()) / f"advgen-slurm-test-locks-{os.getpid()}")
SUBMITTED = re.compile(r"Job (\d+) has been submitted with SLURM jobid (\d+)")
RUN_ID = re.compile(r"SLURM run ID: (\S+)")
LEASED = re.compile(r"device: leased GPU (\S+) \[fake\] \(lock \S*/slurm-(\d+)-gpu\1\.lock\)")
# status.json fields that differ between any two runs: time spent, and where a run resumed
VOLATILE = {"seconds", "resumed_from_epochs"}
T = TypeVar("T")


def slurm_unreachable() -> str | None:
    """Why SLURM cannot be used here, or None when a controller answers with a partition up."""
    hint = "start it with `bash scripts/slurm/start.sh` (root)"
    for tool in ("sbatch", "squeue", "sinfo", "scancel", "scontrol"):
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
    """Environment of the submitting process; sbatch (``--export=ALL``) hands it to every job.

    ``ADVGEN_FAKE_GPUS`` makes advgen treat the GPUs SLURM assigns (``CUDA_VISIBLE_DEVICES``)
    as devices to lease while computing on the CPU, locally and on SLURM alike. No test fork
    server (``tests/forkserver.py``); the product's warm start is on (``ADVGEN_WARM=1``), as for
    a user: the local run's jobs start warm, the jobs SLURM runs fresh.
    """
    extra = {
        "ADVGEN_FAKE_GPUS": FAKE_GPUS,
        "ADVGEN_GPU_LOCK_DIR": LOCK_DIR,
        ENABLE_ENV: "0",
        "ADVGEN_WARM": "1",
        **extra,
    }
    env = {k: v for k, v in tool_env(extra).items() if not k.startswith("SLURM_")}
    env.pop("CUDA_VISIBLE_DEVICES", None)
    return env


class Run:
    """One finished ``snakemake`` invocation: output, wall time, SLURM job ids."""

    def __init__(self, workdir: Path, returncode: int, output: str, seconds: float) -> None:
        self.workdir, self.output, self.seconds = workdir, output, seconds
        if returncode != 0:
            raise AssertionError(f"snakemake failed ({returncode}) in {workdir}:\n{output[-6000:]}")
        self.slurm_ids = [int(m.group(2)) for m in SUBMITTED.finditer(output)]
        run_id = RUN_ID.search(output)
        self.run_id = run_id.group(1) if run_id else None


def snakemake(workdir: Path, *args: str, timeout: float = 900) -> Run:
    start = time.perf_counter()
    proc = python_module("snakemake", *args, cwd=workdir, env=job_env(), timeout=timeout)
    return Run(workdir, proc.returncode, proc.stdout + proc.stderr, time.perf_counter() - start)


def squeue(*, job_ids: list[int] | None = None, name: str | None = None) -> dict[int, dict[str, str]]:
    """State, name and comment of jobs, finished ones included for MinJobAge (600 s here)."""
    cmd = ["squeue", "--states=all", "-h", "-o", "%i|%T|%j|%k"]
    if job_ids is not None:
        cmd += ["-j", ",".join(map(str, job_ids))]
    if name is not None:
        cmd += ["--name", name]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=30)
    jobs = {}
    for line in proc.stdout.splitlines():
        job_id, state, job_name, comment = line.split("|", 3)
        jobs[int(job_id)] = {"state": state, "name": job_name, "comment": comment}
    return jobs


def wait_for(what: str, check: Callable[[], T | None], timeout: float, poll: float = 0.2) -> T:
    """Poll ``check`` until it returns something truthy, and return that."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, f"timed out after {timeout:.0f} s waiting for {what}"
        time.sleep(poll)
    return value


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


# what the SLURM jobs of CONFIG write (local rules, e.g. figures and the CV, are not compared)
SLURM_OUTPUTS = ("results/data", "results/gans")


def assert_same_outputs(local: Path, cluster: Path) -> list[str]:
    """Every file under SLURM_OUTPUTS exists in both runs with equal content; returns their paths.

    Tables and tensors are compared by value (the files embed temporary names), JSON without
    the volatile status fields, anything else (PNG sample grids) byte for byte.
    """
    import pandas as pd
    import torch

    def files(root: Path) -> list[str]:
        return sorted(
            str(p.relative_to(root))
            for folder in SLURM_OUTPUTS
            for p in (root / folder).rglob("*")
            if p.is_file()
        )

    names = files(local)
    assert names, f"no outputs under {local}/results"
    assert names == files(cluster)
    for name in names:
        a, b = local / name, cluster / name
        if name.endswith(".parquet"):
            pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b), check_exact=True, obj=name)
        elif name.endswith(".pt"):
            load = lambda p: torch.load(p, map_location="cpu", weights_only=False)  # noqa: E731
            same(load(a), load(b), name)
        elif name.endswith(".json"):
            strip = lambda p: {k: v for k, v in json.loads(p.read_text()).items() if k not in VOLATILE}  # noqa: E731
            assert strip(a) == strip(b), name
        else:
            assert a.read_bytes() == b.read_bytes(), name
    return names


# --- the tiny config, locally and through SLURM ----------------------------------------------


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    workdir = copy_workflow(tmp_path_factory.mktemp("local") / "wf")
    return snakemake(workdir, "--cores", "2", "--configfile", CONFIG)


@pytest.fixture(scope="module")
def slurm_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    workdir = copy_workflow(tmp_path_factory.mktemp("slurm") / "wf")
    return snakemake(workdir, "--profile", "profiles/slurm", "--configfile", CONFIG)


def test_jobs_go_through_sbatch(slurm_run: Run) -> None:
    expected = sorted(
        [f"rule_prepare_data_wildcards_{d}_{split}" for d in DATASETS for split in ("train", "test")]
        + [f"rule_train_gan_wildcards_{GAN}"]
    )
    assert len(slurm_run.slurm_ids) == len(expected), slurm_run.output[-3000:]
    assert slurm_run.run_id
    jobs = squeue(job_ids=slurm_run.slurm_ids)
    assert sorted(jobs) == sorted(slurm_run.slurm_ids)
    assert {job["state"] for job in jobs.values()} == {"COMPLETED"}
    # the plugin names every job of a run after the run id and says which rule it ran
    assert {job["name"] for job in jobs.values()} == {slurm_run.run_id}
    assert sorted(job["comment"] for job in jobs.values()) == expected


def first_log_lines(run: Run, rules: tuple[str, ...]) -> dict[str, str]:
    """The first line of every job log of ``rules``."""
    return {
        str(log.relative_to(run.workdir)): log.read_text(errors="replace").split("\n", 1)[0]
        for rule in rules
        for log in sorted((run.workdir / "logs" / rule).rglob("*.log"))
    }


def test_jobs_slurm_runs_start_fresh_and_local_ones_warm(local_run: Run, slurm_run: Run) -> None:
    """sbatch hands a job the submitting environment, the run's owner (ADVGEN_WARM_OWNER)
    included, but the job's SLURM_JOB_ID is not the owner's: it starts fresh (advgen.warm.owner)."""
    submitted = ("prepare_data", "train_gan")
    local, cluster = first_log_lines(local_run, submitted), first_log_lines(slurm_run, submitted)
    assert sorted(local) == sorted(cluster) and len(cluster) == len(DATASETS) * 2 + 1
    assert all(line.startswith("advgen: warm start") for line in local.values()), local
    assert not any(line.startswith("advgen: warm start") for line in cluster.values()), cluster


def test_outputs_match_a_local_run(local_run: Run, slurm_run: Run) -> None:
    names = assert_same_outputs(local_run.workdir, slurm_run.workdir)
    assert f"results/gans/{GAN}/losses.parquet" in names
    assert "results/data/digits/manifest.parquet" in names


def test_gpu_rule_leases_the_gpu_slurm_gave_it(local_run: Run, slurm_run: Run) -> None:
    """train_gan declares gpu=1: the plugin asks sbatch for --gpus=1, SLURM sets
    CUDA_VISIBLE_DEVICES, and advgen leases that device (lock namespaced by the job id)."""
    log = (slurm_run.workdir / f"logs/train_gan/{GAN}.log").read_text()
    leased = LEASED.search(log)
    assert leased, log
    gan_job = [
        i for i, j in squeue(job_ids=slurm_run.slurm_ids).items() if j["comment"].startswith("rule_train_gan")
    ]
    assert [int(leased.group(2))] == gan_job
    assert leased.group(1) in {"0", "1"}
    # locally no scheduler narrows the devices: the lease takes the first free one of all
    assert "device: leased GPU 0 [fake]" in (local_run.workdir / f"logs/train_gan/{GAN}.log").read_text()


def test_wall_time_local_vs_slurm(local_run: Run, slurm_run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print(
            f"\n[slurm] {CONFIG}: local {local_run.seconds:.1f} s, "
            f"SLURM {slurm_run.seconds:.1f} s ({len(slurm_run.slurm_ids)} sbatch jobs)"
        )
    # Polling overhead only: with sacct polling and no slurmdbd the run would never end, with the
    # plugin's default 40 s before the first status check it takes minutes.
    assert slurm_run.seconds < local_run.seconds + 120


# --- two GPU jobs at once get different devices ------------------------------------------------

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
DONE = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL"}


def finished(job_ids: list[int]) -> dict[int, dict[str, str]] | None:
    jobs = squeue(job_ids=job_ids)
    return jobs if len(jobs) == len(job_ids) and all(job["state"] in DONE for job in jobs.values()) else None


def test_two_gpu_jobs_get_different_devices(tmp_path: Path) -> None:
    script = tmp_path / "lease.py"
    script.write_text(LEASE_SCRIPT)
    ready = tmp_path / "ready"
    ready.mkdir()
    env = job_env(ADVGEN_GPU_LOCK_DIR=str(tmp_path / "locks"))
    ids = []
    for i in range(2):
        proc = subprocess.run(
            [
                "sbatch",
                "--parsable",
                "--gpus=1",
                "--cpus-per-task=1",
                "--mem=500",
                "-t",
                "5",
                "-o",
                str(tmp_path / f"job{i}.log"),
                "--wrap",
                f"{sys.executable} {script} {ready}",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        ids.append(int(proc.stdout.strip().split(";")[0]))
    jobs = wait_for("the two GPU jobs", lambda: finished(ids), timeout=180)
    logs = [(tmp_path / f"job{i}.log").read_text() for i in range(2)]
    assert {job["state"] for job in jobs.values()} == {"COMPLETED"}, logs
    assert len(list(ready.iterdir())) == 2, logs
    visible = sorted(re.search(r"visible (\S+) device cpu", log).group(1) for log in logs)
    # both jobs held a GPU at once on the two-GPU node, so SLURM gave them different devices
    assert visible == ["0", "1"], logs
    for log, job_id in zip(logs, ids):
        device = re.search(r"visible (\S+)", log).group(1)
        assert f"device: leased GPU {device} [fake]" in log
        assert f"slurm-{job_id}-gpu{device}.lock" in log


# --- preemption and scancel: the training job resumes from its checkpoint ----------------------


def resume_epoch(workdir: Path) -> int | None:
    """Epoch stored in the GAN's resume checkpoint (written atomically), None while there is none."""
    import torch

    try:
        saved = torch.load(workdir / f"results/gans/{GAN}/resume/last.pt", weights_only=False)
        return int(saved["state"]["epoch"])  # advgen.training.resume: {"kind", "key", "state"}
    except FileNotFoundError:
        return None


def epoch_after(workdir: Path, epoch: int) -> Callable[[], int | None]:
    """A check for wait_for: the resume checkpoint's epoch once it is past ``epoch``."""

    def check() -> int | None:
        current = resume_epoch(workdir)
        return current if current is not None and current > epoch else None

    return check


@pytest.fixture(scope="module")
def interrupted_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, dict[str, int]]:
    """The tiny config through SLURM while its GAN job is requeued once (as on preemption:
    same job id) and later cancelled with scancel (Snakemake resubmits it: `retries`)."""
    workdir = copy_workflow(tmp_path_factory.mktemp("interrupted") / "wf")
    log_path = workdir.parent / "snakemake.log"
    events: dict[str, int] = {}
    run_id = None
    start = time.perf_counter()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "snakemake", "--profile", "profiles/slurm", "--configfile", CONFIG],
            cwd=workdir,
            env=job_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        run_id = wait_for(
            "the SLURM run id", lambda: (m := RUN_ID.search(log_path.read_text())) and m.group(1), 120
        )

        def gan_jobs() -> dict[int, str]:
            jobs = squeue(name=run_id)
            return {
                i: j["state"] for i, j in jobs.items() if j["comment"] == f"rule_train_gan_wildcards_{GAN}"
            }

        job = wait_for("the train_gan job", lambda: next(iter(gan_jobs()), None), 300)
        events["job"] = job
        # preemption: requeue once an epoch is checkpointed; SLURM restarts the same job id
        events["requeued_at"] = wait_for("epoch 1's checkpoint", epoch_after(workdir, 0), 300)
        subprocess.run(["scontrol", "requeue", str(job)], check=True, timeout=30)
        wait_for("the requeued job to stop", lambda: gan_jobs().get(job) == "PENDING", 60)
        stopped = resume_epoch(workdir)
        assert stopped is not None and stopped < GAN_EPOCHS, (
            "training finished before the requeue took effect"
        )
        events["stopped_at"] = stopped
        # scancel once the restarted job has checkpointed another epoch; Snakemake resubmits it
        events["cancelled_at"] = wait_for("an epoch after the requeue", epoch_after(workdir, stopped), 300)
        subprocess.run(["scancel", str(job)], check=True, timeout=30)
        wait_for("the cancelled job to end", lambda: gan_jobs().get(job) == "CANCELLED", 60)
        returncode = proc.wait(timeout=600)
    finally:
        if proc.poll() is None:  # a check failed: stop Snakemake and its jobs
            proc.terminate()
            proc.wait(timeout=60)
            if run_id:
                subprocess.run(["scancel", "--name", run_id], timeout=30)
    return Run(workdir, returncode, log_path.read_text(), time.perf_counter() - start), events


def test_requeued_and_cancelled_training_resumes(
    local_run: Run, interrupted_run: tuple[Run, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    run, events = interrupted_run
    jobs = {
        i: j for i, j in squeue(name=run.run_id).items() if j["comment"] == f"rule_train_gan_wildcards_{GAN}"
    }
    # the cancelled job and its resubmission (the requeue kept the first job's id)
    assert len(jobs) == 2 and set(jobs) <= set(run.slurm_ids), run.output[-4000:]
    assert jobs[events["job"]]["state"] == "CANCELLED"
    assert [j["state"] for i, j in jobs.items() if i != events["job"]] == ["COMPLETED"]

    status = json.loads((run.workdir / f"results/gans/{GAN}/status.json").read_text())
    first, second = status["resumed_from_epochs"]
    # after the requeue it went on from where it stopped, after scancel from a later epoch
    assert 1 <= events["requeued_at"] <= first == events["stopped_at"] < events["cancelled_at"] <= second
    assert second < GAN_EPOCHS
    log = (run.workdir / f"logs/train_gan/{GAN}.log").read_text()  # the last attempt's log
    assert re.search(rf"resuming from \S+last\.pt at epoch {second}\n", log), log
    assert not (run.workdir / f"results/gans/{GAN}/resume").exists()
    # and the interruptions left no trace in the results: equal to the uninterrupted local run
    assert_same_outputs(local_run.workdir, run.workdir)
    with capsys.disabled():
        print(
            f"\n[slurm] {GAN} ({GAN_EPOCHS} epochs): requeued after epoch {first} and resumed there, "
            f"scancelled after epoch {second}, resubmitted and resumed there; outputs equal the local run "
            f"(wall {run.seconds:.1f} s)"
        )
