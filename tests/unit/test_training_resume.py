"""Resume state keyed by spec, input digests and version: stale state never leaks into a result."""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from advgen.checkpoints import load_torch
from advgen.config import spec_json
from advgen.gan.runner import GanOutputs, train_gan
from advgen.specs import spec_dict
from advgen.training.resume import ResumeState, TrainingStopped
from tests import forkserver
from tests.conftest import advgen_command, tool_env
from tests.jobs import job_argv
from tests.unit.gen_helpers import gan_spec, tiny_split  # noqa: F401  (fixtures)
from tests.unit.test_classifiers import entry

pytestmark = pytest.mark.usefixtures("one_thread")


def _split(folder: Path, split_seed: int) -> Path:
    from advgen.config import dataset_spec
    from advgen.data.prepared import save_prepared
    from advgen.data.registry import load_source

    spec = {
        "source": "digits",
        "image_size": 28,
        "max_train": 96,
        "max_test": 48,
        "split_seed": split_seed,
        "test_fraction": 0.2,
    }
    train, test = load_source(dataset_spec(spec))
    folder.mkdir(parents=True, exist_ok=True)
    for split, name in ((train, "train"), (test, "test")):
        save_prepared(split, folder / f"{name}.pt", dataset="digits", name=name, num_classes=10, spec=spec)
    return folder


def clf_spec(**overrides: object) -> dict:
    """A PGD-trained classifier's spec JSON on the digits split."""
    return entry(**{"dataset": "digits", "mode": "pgd", "epochs": 8, "batch_size": 8, **overrides})


def _clf_cmd(data: Path, out: Path, spec: dict) -> list[str]:
    """The ``advgen`` command of a classifier's job (a process: the test fork server's child)."""
    return [*advgen_command(), *_clf_args(data, out, spec)]


def _clf_args(data: Path, out: Path, spec: dict) -> list[str]:
    """The arguments after ``advgen`` of a classifier's job."""
    job = job_argv(
        "train-classifier",
        spec_json({"name": "t", "classifier": spec}),
        {"train": data / "train.pt", "test": data / "test.pt"},
        {"model": out / "model.pt", "history": out / "history.parquet", "resume": out / "resume" / "last.pt"},
    )
    return ["--threads", "1", *job]


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, env=tool_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


def _kill_when(cmd: list[str], resume_file: Path) -> None:
    """Start ``cmd``, SIGKILL it as soon as ``resume_file`` exists (mid-training)."""
    proc = subprocess.Popen(cmd, env=tool_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not resume_file.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "the job ended before it could be killed"
    forkserver.wait_for_jobs("advgen")  # the client's job is a child of the fork server: gone too


def _assert_same_classifier(a: Path, b: Path) -> None:
    ca, cb = load_torch(a / "model.pt"), load_torch(b / "model.pt")
    assert ca["state_dict"].keys() == cb["state_dict"].keys()
    for k in ca["state_dict"]:
        assert torch.equal(ca["state_dict"][k], cb["state_dict"][k]), k
    assert torch.equal(ca["rng"]["torch"], cb["rng"]["torch"])
    assert ca["rng"]["python"] == cb["rng"]["python"]
    assert all(bool(np.all(x == y)) for x, y in zip(ca["rng"]["numpy"], cb["rng"]["numpy"]))
    ha, hb = pd.read_parquet(a / "history.parquet"), pd.read_parquet(b / "history.parquet")
    pd.testing.assert_frame_equal(ha.drop(columns="seconds"), hb.drop(columns="seconds"), check_exact=True)


def test_pgd_classifier_killed_with_sigkill_resumes_bit_identically(tmp_path):
    data = _split(tmp_path / "data", 0)
    _run(_clf_cmd(data, tmp_path / "full", clf_spec()))
    assert not (tmp_path / "full" / "resume").exists(), "resume folder deleted after the outputs"
    killed = tmp_path / "killed"
    _kill_when(_clf_cmd(data, killed, clf_spec()), killed / "resume" / "last.pt")
    assert not (killed / "model.pt").exists()
    epoch = load_torch(killed / "resume" / "last.pt")["state"]["epoch"]
    assert 1 <= epoch < 8
    _run(_clf_cmd(data, killed, clf_spec()))
    _assert_same_classifier(tmp_path / "full", killed)
    assert not (killed / "resume").exists()


def test_classifier_dataset_change_retrains_on_the_new_split(tmp_path, caplog):
    old, new = _split(tmp_path / "old", 0), _split(tmp_path / "new", 1)
    spec = clf_spec(mode="standard", epochs=3)
    _run(_clf_cmd(old, tmp_path / "clean_old", spec))
    _run(_clf_cmd(new, tmp_path / "clean_new", spec))
    job = tmp_path / "job"
    env = tool_env({"ADVGEN_STOP_AFTER_EPOCHS": "2"})
    stopped = subprocess.run(_clf_cmd(old, job, spec), env=env, capture_output=True, text=True)
    assert stopped.returncode == 2 and (job / "resume" / "last.pt").exists()
    # the dataset changes (same path, new content) before the rerun
    for name in ("train.pt", "test.pt"):
        (old / name).write_bytes((new / name).read_bytes())
    rerun = subprocess.run(_clf_cmd(old, job, spec), env=tool_env(), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert "resume state is stale (input changed: test, train)" in rerun.stderr
    _assert_same_classifier(tmp_path / "clean_new", job)
    a, b = load_torch(tmp_path / "clean_old" / "model.pt"), load_torch(job / "model.pt")
    assert any(not torch.equal(a["state_dict"][k], b["state_dict"][k]) for k in a["state_dict"])


def test_forced_rerun_retrains_instead_of_reusing_state(tmp_path):
    data = _split(tmp_path / "data", 0)
    spec = clf_spec(mode="standard", epochs=2)
    out = tmp_path / "out"
    _run(_clf_cmd(data, out, spec))
    first = json.dumps(pd.read_parquet(out / "history.parquet").drop(columns="seconds").to_dict())
    (out / "model.pt").unlink()
    proc = subprocess.run(_clf_cmd(data, out, spec), env=tool_env(), capture_output=True, text=True)
    assert proc.returncode == 0 and "resuming" not in proc.stderr
    assert len(pd.read_parquet(out / "history.parquet")) == 2  # two epochs trained again, not zero
    assert json.dumps(pd.read_parquet(out / "history.parquet").drop(columns="seconds").to_dict()) == first


def test_gan_killed_with_sigkill_resumes_bit_identically(tiny_split):
    spec = gan_spec(epochs=6)

    def cmd(out: Path) -> list[str]:
        o = GanOutputs.under(out)
        job = job_argv(
            "train-gan",
            spec_json({"gan": spec_dict(spec), "device": "cpu"}),
            {"train": tiny_split / "train.pt"},
            {
                "checkpoint": o.checkpoint,
                "losses": o.losses,
                "samples": o.samples,
                "status": o.status,
                "resume": o.resume,
            },
        )
        return [*advgen_command(), "--threads", "1", *job]

    _run(cmd(tiny_split / "full"))
    _kill_when(cmd(tiny_split / "killed"), tiny_split / "killed" / "resume" / "last.pt")
    _run(cmd(tiny_split / "killed"))
    full, killed = GanOutputs.under(tiny_split / "full"), GanOutputs.under(tiny_split / "killed")
    assert json.loads(killed.status.read_text())["resumed_from_epochs"] != []
    pd.testing.assert_frame_equal(
        pd.read_parquet(full.losses), pd.read_parquet(killed.losses), check_exact=True
    )
    a, b = load_torch(full.checkpoint), load_torch(killed.checkpoint)
    for key in ("G", "D", "opt_g", "opt_d"):
        assert _tensors_equal(a[key], b[key]), key
    assert torch.equal(a["rng"]["torch"], b["rng"]["torch"]) and torch.equal(a["data_rng"], b["data_rng"])
    assert not killed.resume.exists()


def _tensors_equal(x: object, y: object) -> bool:
    if isinstance(x, torch.Tensor):
        return isinstance(y, torch.Tensor) and torch.equal(x, y)
    if isinstance(x, dict):
        return isinstance(y, dict) and x.keys() == y.keys() and all(_tensors_equal(x[k], y[k]) for k in x)
    if isinstance(x, list | tuple):
        return len(x) == len(y) and all(_tensors_equal(a, b) for a, b in zip(x, y))
    return x == y


def test_gan_dataset_change_after_a_kill_retrains_on_the_new_split(tmp_path):
    old, new = _split(tmp_path / "old", 0), _split(tmp_path / "new", 1)
    spec = gan_spec()
    train_gan(spec, new / "train.pt", GanOutputs.under(tmp_path / "clean_new"))
    train_gan(spec, old / "train.pt", GanOutputs.under(tmp_path / "clean_old"))
    with pytest.raises(TrainingStopped):
        train_gan(spec, old / "train.pt", GanOutputs.under(tmp_path / "job"), stop_after_epochs=1)
    (old / "train.pt").write_bytes((new / "train.pt").read_bytes())
    status = train_gan(spec, old / "train.pt", GanOutputs.under(tmp_path / "job"))
    assert status["resumed_from_epochs"] == []
    job, clean_new, clean_old = (
        load_torch(tmp_path / d / "checkpoint.pt") for d in ("job", "clean_new", "clean_old")
    )
    assert _tensors_equal(job["G"], clean_new["G"]) and not _tensors_equal(job["G"], clean_old["G"])


def test_stale_or_unreadable_state_is_logged_once_and_removed(tmp_path, caplog):
    data = _split(tmp_path / "data", 0)
    path = tmp_path / "resume" / "last.pt"
    ResumeState(path, {"a": 1}, {"train": data / "train.pt"}).save({"epoch": 1})
    assert ResumeState(path, {"a": 1}, {"train": data / "train.pt"}).load() == {"epoch": 1}
    with caplog.at_level(logging.WARNING):
        assert ResumeState(path, {"a": 2}, {"train": data / "train.pt"}).load() is None
    assert "spec changed: a" in caplog.text and not path.parent.exists()
    ResumeState(path, {"a": 1}).save({"epoch": 1})
    assert ResumeState(path, {"a": 1}, {"train": data / "train.pt"}).load() is None  # an input was added
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a torch file")
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert ResumeState(path, {"a": 1}).load() is None
    assert "unreadable resume state" in caplog.text and str(path) in caplog.text and not path.exists()
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


def test_state_of_other_code_is_not_reused(tmp_path, monkeypatch, caplog):
    path = tmp_path / "resume" / "last.pt"
    ResumeState(path, {"a": 1}).save({"epoch": 1})
    assert ResumeState(path, {"a": 1}).load() == {"epoch": 1}
    monkeypatch.setenv("ADVGEN_CODE_DIGEST", "0" * 64)  # advgen.provenance.CODE_ENV: a code change
    with caplog.at_level(logging.WARNING):
        assert ResumeState(path, {"a": 1}).load() is None
    assert "written by advgen code" in caplog.text and "this is code 0000000000000000" in caplog.text


def test_state_of_other_torch_or_numpy_versions_is_not_reused(tmp_path, monkeypatch, caplog):
    import numpy
    import torch

    path = tmp_path / "resume" / "last.pt"
    ResumeState(path, {"a": 1}).save({"epoch": 1})
    monkeypatch.setattr(torch, "__version__", "0.0.1")  # an upgrade between the kill and the rerun
    with caplog.at_level(logging.WARNING):
        assert ResumeState(path, {"a": 1}).load() is None
    assert f"written with numpy {numpy.__version__}, torch " in caplog.text
    assert f"this is numpy {numpy.__version__}, torch 0.0.1); starting afresh" in caplog.text


def test_finish_removes_the_temporary_file_of_a_write_that_was_killed(tmp_path):
    # a job killed (scancel, preemption) while it wrote last.pt leaves .last.pt.<random>.tmp
    path = tmp_path / "resume" / "last.pt"
    state = ResumeState(path, {"a": 1}, extra=(tmp_path / "resume" / "samples",))
    state.save({"epoch": 1})
    (path.parent / ".last.pt.k1ll3d.tmp").write_bytes(b"half a checkpoint")
    (path.parent / "samples").mkdir()
    (path.parent / "samples" / "epoch_001.png").write_bytes(b"png")
    keep = tmp_path / "resume" / ".other.pt.x.tmp"  # another file's leftover is not ours to delete
    keep.write_bytes(b"")
    state.finish()
    assert sorted(p.name for p in path.parent.iterdir()) == [keep.name]
    keep.unlink()
    state.save({"epoch": 1})
    (path.parent / ".last.pt.k1ll3d.tmp").write_bytes(b"half a checkpoint")
    state.finish()
    assert not path.parent.exists()


SIGTERM_MID_WRITE = """
import argparse, os, signal, sys
from advgen import cli
from advgen.io import atomic_path

def write_and_get_killed(args):
    with atomic_path(sys.argv[1]) as tmp:
        tmp.write_bytes(b"half")
        os.kill(os.getpid(), signal.SIGTERM)  # deferred until the write is renamed into place
        tmp.write_bytes(b"whole")
    raise AssertionError("SIGTERM did not end the command")

class Parser:  # advgen's own parsing, with one command that writes and is killed mid-write
    def parse_args(self, argv):
        return argparse.Namespace(verbose=False, threads=None, command="t", _main=write_and_get_killed)

cli.build_parser = lambda command: Parser()
sys.exit(cli.main([]))
"""


def test_sigterm_ends_a_command_without_leaving_a_temporary_file(tmp_path):
    out = tmp_path / "out" / "table.parquet"
    proc = subprocess.run(
        [sys.executable, "-c", SIGTERM_MID_WRITE, str(out)],
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 128 + signal.SIGTERM, proc.stderr
    assert list(out.parent.iterdir()) == [out] and out.read_bytes() == b"whole"
