"""GPU slots: concurrent jobs never hold the same device; CPU fallback; SLURM's choice honoured."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from advgen.device import candidate_devices, lease_device
from advgen.errors import DeviceError
from advgen.gan.spec import complete_spec
from tests.jobs import job_argv
from tests.unit.sweep_points import inversion_point

WORKER = textwrap.dedent(
    """
    import json, os, sys, time
    from advgen.device import lease_device
    out = sys.argv[1]
    with lease_device("auto") as device:
        start = time.monotonic()
        gpu = os.environ["CUDA_VISIBLE_DEVICES"]
        time.sleep(0.6)
        end = time.monotonic()
    with open(out, "w") as f:
        json.dump({"gpu": gpu, "device": device, "start": start, "end": end}, f)
    """
)


@pytest.mark.serial
def test_four_jobs_on_two_fake_gpus_never_share(tmp_path: Path) -> None:
    from tests.conftest import tool_env

    env = tool_env({"ADVGEN_FAKE_GPUS": "2", "ADVGEN_GPU_LOCK_DIR": str(tmp_path / "locks")})
    env.pop("CUDA_VISIBLE_DEVICES", None)
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path / f"job{i}.json")], env=env)
        for i in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    leases = [json.loads((tmp_path / f"job{i}.json").read_text()) for i in range(4)]
    assert {lease["gpu"] for lease in leases} <= {"0", "1"}
    assert all(lease["device"] == "cpu" for lease in leases)  # fake devices run on the CPU
    for i, a in enumerate(leases):
        for b in leases[i + 1 :]:
            if a["gpu"] == b["gpu"]:
                assert a["end"] <= b["start"] or b["end"] <= a["start"], (a, b)
    # with 4 jobs and 2 devices, both devices were used
    assert {lease["gpu"] for lease in leases} == {"0", "1"}


def test_lease_restores_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVGEN_FAKE_GPUS", "3")
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    import os

    with lease_device(lock_dir=tmp_path) as device:
        assert device == "cpu" and os.environ["CUDA_VISIBLE_DEVICES"] == "0"
        # a job started from here inherits the leased device as its only candidate
        assert candidate_devices() == (["0"], True)
    assert "CUDA_VISIBLE_DEVICES" not in os.environ
    with lease_device(lock_dir=tmp_path):  # released: the next job gets device 0 again
        assert os.environ["CUDA_VISIBLE_DEVICES"] == "0"


def test_existing_cuda_visible_devices_limits_candidates(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ADVGEN_FAKE_GPUS", "8")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "5,7")
    assert candidate_devices() == (["5", "7"], True)
    with lease_device(lock_dir=tmp_path):
        import os

        assert os.environ["CUDA_VISIBLE_DEVICES"] == "5"
    assert os.environ["CUDA_VISIBLE_DEVICES"] == "5,7"


def test_slurm_locks_are_per_job(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Under SLURM with cgroup-constrained devices every job sees index 0: no cross-job blocking."""
    monkeypatch.setenv("ADVGEN_FAKE_GPUS", "1")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    monkeypatch.setenv("SLURM_JOB_ID", "101")
    with lease_device(lock_dir=tmp_path):
        assert (tmp_path / "slurm-101-gpu0.lock").exists()
        monkeypatch.setenv("SLURM_JOB_ID", "102")
        with lease_device(lock_dir=tmp_path, poll_seconds=0.01):
            assert (tmp_path / "slurm-102-gpu0.lock").exists()


def test_cpu_fallback_without_cuda(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import torch

    monkeypatch.delenv("ADVGEN_FAKE_GPUS", raising=False)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.delenv("ADVGEN_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    caplog.set_level("INFO")
    with lease_device("auto") as device:
        assert device == "cpu"
    assert "no CUDA device found, running on CPU" in caplog.text
    with pytest.raises(DeviceError, match="no CUDA device"):
        with lease_device("cuda"):
            pass
    with lease_device("cpu") as device:
        assert device == "cpu"


@pytest.mark.parametrize(
    "argv",
    [
        # the device of a spec wrapping a config entry (train-gan, train-ae, sample-quality) and
        # the spec's own device key (the other jobs)
        job_argv(
            "sample-quality",
            {
                "settings": complete_spec({"classifier": "c", "seed": 0}, "sample_quality"),
                "rows": [{"name": "m", "dataset": "d", "classifier_name": "c", "real": False}],
                "device": "cuda",
            },
            {"classifiers": "c.pt", "references": "r.pt", "models": "m.pt", "infos": "i.json"},
            {"summary": "o.parquet"},
        ),
        [
            "invert",
            "--spec",
            json.dumps(inversion_point(device="cuda")),
            "--input",
            "generator=g.pt",
            "classifier=c.pt",
            "images=i.pt",
            "--output",
            "final=f.parquet",
            "steps=s.parquet",
            "latents=z.pt",
            "figure=f.png",
        ],
    ],
    ids=["wrapped", "spec"],
)
def test_cuda_request_without_cuda_is_one_line_exit_2(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from advgen.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")  # no device, GPU machine or not
    monkeypatch.delenv("ADVGEN_FAKE_GPUS", raising=False)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (
        f"advgen {argv[0]}: error: device 'cuda' requested but no CUDA device is available here "
        "(use device 'auto' or 'cpu')"
    )
    assert "Traceback" not in "\n".join(err) and list(tmp_path.iterdir()) == []


def test_device_request_flag_then_spec_then_auto() -> None:
    from advgen.jobs import device_request

    assert device_request({"device": "cpu"}, "cuda") == "cuda"
    assert device_request({"device": "cpu"}) == "cpu"
    assert device_request({}) == "auto"


def test_unknown_device_is_a_device_error() -> None:
    with pytest.raises(DeviceError, match="'tpu' is not one of auto, cpu, cuda"):
        with lease_device("tpu"):
            pass


def test_start_job_seeds_from_the_spec() -> None:
    import torch

    from advgen.jobs import start_job

    draws = []
    for _ in range(2):
        with start_job({"seed": 7, "device": "cpu"}) as device:
            draws.append(torch.rand(3))
    assert device == "cpu" and torch.equal(draws[0], draws[1])


@pytest.mark.serial
def test_jobs_per_gpu_lets_jobs_share_a_device(tmp_path: Path) -> None:
    """ADVGEN_JOBS_PER_GPU=2 on one fake device: two jobs overlap on it, a third waits."""
    from tests.conftest import tool_env

    env = tool_env(
        {"ADVGEN_FAKE_GPUS": "1", "ADVGEN_JOBS_PER_GPU": "2", "ADVGEN_GPU_LOCK_DIR": str(tmp_path / "locks")}
    )
    env.pop("CUDA_VISIBLE_DEVICES", None)
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path / f"job{i}.json")], env=env)
        for i in range(3)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    leases = sorted(
        (json.loads((tmp_path / f"job{i}.json").read_text()) for i in range(3)), key=lambda r: r["start"]
    )
    assert {lease["gpu"] for lease in leases} == {"0"}

    def overlap(a: dict, b: dict) -> bool:
        return a["start"] < b["end"] and b["start"] < a["end"]

    pairs = [(a, b) for i, a in enumerate(leases) for b in leases[i + 1 :]]
    assert any(overlap(a, b) for a, b in pairs)  # two slots were used at once
    assert not all(overlap(a, b) for a, b in pairs)  # never three at once


def test_jobs_per_gpu_must_be_a_positive_integer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ADVGEN_FAKE_GPUS", "1")
    monkeypatch.setenv("ADVGEN_JOBS_PER_GPU", "0")
    with pytest.raises(DeviceError, match="ADVGEN_JOBS_PER_GPU: '0'"):
        with lease_device(lock_dir=tmp_path):
            pass
