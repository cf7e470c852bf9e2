"""Training after a fault: a kill across a code change restarts cleanly, a full disk during a
checkpoint write is one line, keeps the previous checkpoint and resumes once space is freed."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from advgen import provenance
from advgen.checkpoints import load_torch, save_torch
from tests.conftest import tool_env
from tests.unit.test_training_resume import (
    _assert_same_classifier,
    _clf_args,
    _clf_cmd,
    _kill_when,
    _run,
    _split,
    clf_spec,
)

pytestmark = pytest.mark.usefixtures("one_thread")

OLD_CODE, NEW_CODE = "a" * 64, "b" * 64


def test_kill_then_code_change_starts_afresh_and_matches_a_clean_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL mid-training under code A, rerun under code B: no resume, the log says why,
    and the model equals a clean run of code B.

    The resume state the killed job left is perturbed (as if code A trained differently), so
    a rerun that resumed from it could not match the clean run."""
    data = _split(tmp_path / "data", 0)
    spec = clf_spec()  # PGD, 8 epochs: slow enough to be killed mid-training
    new_env = tool_env({provenance.CODE_ENV: NEW_CODE})
    clean = subprocess.run(
        _clf_cmd(data, tmp_path / "clean", spec), env=new_env, capture_output=True, text=True, timeout=300
    )
    assert clean.returncode == 0, clean.stderr

    job = tmp_path / "job"
    state_file = job / "resume" / "last.pt"
    monkeypatch.setenv(provenance.CODE_ENV, OLD_CODE)  # tool_env() copies os.environ
    _kill_when(_clf_cmd(data, job, spec), state_file)
    saved = load_torch(state_file)
    assert saved["key"]["version"] == f"code {OLD_CODE[:16]}" and 1 <= saved["state"]["epoch"] < 8
    for tensor in saved["state"]["model"].values():
        if tensor.is_floating_point():
            tensor.add_(0.5)
    save_torch({k: v for k, v in saved.items() if k != provenance.CHECKPOINT_KEY}, state_file)

    rerun = subprocess.run(
        _clf_cmd(data, job, spec), env=new_env, capture_output=True, text=True, timeout=300
    )
    assert rerun.returncode == 0, rerun.stderr
    assert (
        f"{state_file}: resume state is stale (written by advgen code {OLD_CODE[:16]}, "
        f"this is code {NEW_CODE[:16]}); starting afresh"
    ) in rerun.stderr
    assert "resuming" not in rerun.stderr
    _assert_same_classifier(tmp_path / "clean", job)
    assert load_torch(job / "model.pt")[provenance.CHECKPOINT_KEY]["code"] == NEW_CODE
    assert not (job / "resume").exists()


@pytest.fixture
def small_fs(tmp_path: Path):
    """A 2 MiB tmpfs mounted at ``tmp_path/disk`` (unmounted after the test)."""
    mount = shutil.which("mount")
    if os.geteuid() != 0 or mount is None:
        pytest.skip("mounting a tmpfs needs root and mount(8); the ENOSPC path is also covered in-process")
    disk = tmp_path / "disk"
    disk.mkdir()
    proc = subprocess.run(
        [mount, "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], capture_output=True, text=True
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (no CAP_SYS_ADMIN?): {proc.stderr.strip()}")
    try:
        yield disk
    finally:
        if subprocess.run(["umount", str(disk)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def _fill(folder: Path) -> Path:
    """Write a ballast file in ``folder`` until its filesystem is full; returns it."""
    ballast = folder / "ballast"
    fd = os.open(ballast, os.O_WRONLY | os.O_CREAT, 0o600)
    block = b"\0" * (64 << 10)
    try:
        while True:
            try:
                written = os.write(fd, block)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
                block = block[: len(block) // 2]
                if not block:
                    break
                continue
            if written < len(block):
                block = block[: max(1, len(block) // 2)]
    finally:
        os.close(fd)
    return ballast


def test_full_disk_during_checkpoint_write_keeps_the_last_one_and_resumes(
    tmp_path: Path, small_fs: Path
) -> None:
    """A real full filesystem (tmpfs): the epoch-3 resume checkpoint cannot be written."""
    data = _split(tmp_path / "data", 0)
    spec = clf_spec(mode="standard", epochs=4)
    _run(_clf_cmd(data, tmp_path / "clean", spec))

    job = small_fs / "job"
    state_file = job / "resume" / "last.pt"
    stopped = subprocess.run(
        _clf_cmd(data, job, spec),
        env=tool_env({"ADVGEN_STOP_AFTER_EPOCHS": "2"}),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert stopped.returncode == 2 and load_torch(state_file)["state"]["epoch"] == 2, stopped.stderr
    before = state_file.read_bytes()

    ballast = _fill(small_fs)
    full = subprocess.run(
        _clf_cmd(data, job, spec), env=tool_env(), capture_output=True, text=True, timeout=300
    )
    assert full.returncode == 2, full.stderr
    assert "Traceback" not in full.stderr
    assert (
        full.stderr.splitlines()[-1]
        == f"advgen train-classifier: error: no space left on device: {state_file}"
    )
    assert state_file.read_bytes() == before  # the epoch-2 checkpoint is intact
    assert sorted(p.name for p in state_file.parent.iterdir()) == ["last.pt"]  # no temporary left
    assert not (job / "model.pt").exists() and not (job / "history.parquet").exists()

    ballast.unlink()
    resumed = subprocess.run(
        _clf_cmd(data, job, spec), env=tool_env(), capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming from {state_file} at epoch 2" in resumed.stderr
    _assert_same_classifier(tmp_path / "clean", job)
    assert not (job / "resume").exists()


class _FillingFile:
    """A binary file whose writes fail with ENOSPC once ``room`` bytes are written."""

    def __init__(self, f, room: int) -> None:
        self._f, self._room = f, room

    def write(self, data) -> int:
        n = len(memoryview(data).cast("B"))
        if n > self._room:
            self._f.write(bytes(memoryview(data).cast("B")[: self._room]))
            self._room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= n
        return self._f.write(data)

    def __getattr__(self, name: str):
        return getattr(self._f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._f.close()


def test_simulated_full_disk_mid_checkpoint_is_one_line_and_keeps_the_last_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """The same fault without root (the tmpfs test needs it): advgen.checkpoints' file object raises
    ENOSPC after 1 KiB of the epoch-2 resume checkpoint, in-process through the CLI."""
    import advgen.checkpoints
    from advgen.cli import main as cli_main

    data = _split(tmp_path / "data", 0)
    job = tmp_path / "job"
    state_file = job / "resume" / "last.pt"
    argv = _clf_args(data, job, clf_spec(mode="standard", epochs=3))
    monkeypatch.setenv("ADVGEN_STOP_AFTER_EPOCHS", "1")
    assert cli_main(argv) == 2
    monkeypatch.delenv("ADVGEN_STOP_AFTER_EPOCHS")
    before = state_file.read_bytes()

    real_open = open
    monkeypatch.setattr(
        advgen.checkpoints, "open", lambda p, mode="r": _FillingFile(real_open(p, mode), 1024), raising=False
    )
    capsys.readouterr()
    assert cli_main(argv) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == f"advgen train-classifier: error: no space left on device: {state_file}"
    assert "Traceback" not in err
    assert state_file.read_bytes() == before
    assert sorted(p.name for p in state_file.parent.iterdir()) == ["last.pt"]
    assert not (job / "model.pt").exists()
