"""Two commands writing one output at once: the second is one line naming the output and the
process holding it, exit status 2, before it works; nothing of either is mixed."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

from advgen.output_lock import lock_path
from tests.errors.conftest import assert_one_line_error, run_cli

SPEC = {
    "dataset": {
        "celeba_attribute": "Male",
        "center_crop": 140,
        "download": False,
        "image_size": 8,
        "max_test": None,
        "max_train": None,
        "source": "digits",
        "split_seed": 0,
        "test_fraction": 0.2,
    },
    "name": "digits",
    "split": "train",
}


def _argv(output: str) -> list[str]:
    return ["prepare-data", "--spec", json.dumps(SPEC), "--output", f"split={output}"]


def test_an_output_another_process_writes_is_refused(workdir: Path, capsys) -> None:
    output = "results/data/digits/train.pt"
    holder = subprocess.Popen(  # a second writer: holds the lock as a running command does
        [
            sys.executable,
            "-c",
            "import sys, time; from advgen.output_lock import output_locks\n"
            "with output_locks([('--output split', sys.argv[1])]):\n"
            "    print('held', flush=True); time.sleep(60)\n",
            output,
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        code, err = run_cli(_argv(output), capsys)
        assert_one_line_error(
            code, err, f"{output}: process {holder.pid} is writing this output now", "one command per output"
        )
        assert not (workdir / output).exists()
    finally:
        holder.kill()
        holder.wait()
    # the holder gone (killed: its lock file stays, its lock does not), the output is written
    assert lock_path(output).exists()
    code, err = run_cli(_argv(output), capsys)
    assert code == 0, err
    assert (workdir / output).is_file() and not lock_path(output).exists()


def test_two_spellings_of_one_output_share_its_lock(workdir: Path, capsys) -> None:
    (workdir / "results").mkdir()
    (workdir / "alias").symlink_to(workdir / "results")
    with open(lock_path("results/train.pt"), "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        code, err = run_cli(_argv("alias/train.pt"), capsys)
    assert_one_line_error(code, err, "alias/train.pt: another process is writing this output now")
    assert not (workdir / "results" / "train.pt").exists()


def test_a_refused_command_leaves_no_lock_and_no_folder(workdir: Path, capsys) -> None:
    """The lock's folder, made for it, goes with a command that fails (here: a bad spec value)."""
    spec = json.dumps({**SPEC, "split": "validation"})
    code, err = run_cli(["prepare-data", "--spec", spec, "--output", "split=results/a/b/train.pt"], capsys)
    assert code == 2, err
    assert not (workdir / "results").exists()
