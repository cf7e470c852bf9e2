"""A command's outputs change together (advgen.output_set): all old or all new, whatever ends it.

In-process: nothing appears before the block ends; an error in the block leaves the old files,
no temporary file and no folder made for the set. In a subprocess, a signal at the worst
instants: between two writes (SIGTERM: the old files, 143), and during the moves themselves
(``os.replace`` sends the signal after the first move): SIGTERM and SIGINT wait for the last
move (143, 130), SIGHUP and SIGUSR1 are raised again after it; SIGKILL leaves a commit record in
each folder, and the next set writing there finishes the killed set's moves first. A record
that is not one a commit of this user's wrote (a link, another folder's files, a move onto a
file that is not its staged name) finishes nothing and is left alone.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from advgen.io import write_text
from advgen.output_set import RECORD_PREFIX, finish_records, output_set, unfinished
from tests.conftest import base_env

NAMES = ("a/one.txt", "a/two.txt", "b/three.txt")


def old_files(root: Path) -> None:
    for name in NAMES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("old")


def contents(root: Path) -> dict[str, str]:
    """The outputs under ``root`` (not the hidden staged files and records, nor the script)."""
    files = [p for p in sorted(root.rglob("*")) if p.is_file() and p.name != "run.py"]
    return {str(p.relative_to(root)): p.read_text() for p in files if not p.name.startswith(".")}


def test_the_outputs_appear_together_when_the_block_ends(tmp_path: Path) -> None:
    old_files(tmp_path)
    with output_set():
        for name in NAMES:
            write_text(tmp_path / name, "new")
            assert (tmp_path / name).read_text() == "old"
        write_text(tmp_path / NAMES[0], "newer")  # a second write of one output replaces the first
    assert contents(tmp_path) == {NAMES[0]: "newer", NAMES[1]: "new", NAMES[2]: "new"}
    assert not unfinished(tmp_path / "a") and not unfinished(tmp_path / "b")


def test_an_error_in_the_block_leaves_every_old_file_and_nothing_else(tmp_path: Path) -> None:
    old_files(tmp_path)
    with pytest.raises(ValueError), output_set():
        write_text(tmp_path / NAMES[0], "new")
        write_text(tmp_path / "c" / "d" / "four.txt", "new")  # its folders are made for it
        raise ValueError("the command failed")
    assert contents(tmp_path) == {name: "old" for name in NAMES}
    assert not (tmp_path / "c").exists()


#: a command writing NAMES under ROOT; ``os.replace`` sends SIGNAL to itself after MOVES moves,
#: or the writer after WRITES writes; prints "done" at the end
RUN = """
import os, signal, sys
from pathlib import Path
from advgen import io, output_set
from advgen.termination import exit_on_sigterm

root, sig, moves, writes = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
names = {names!r}
replace, count = os.replace, [0]

def patched(a, b):
    replace(a, b)
    count[0] += 1
    if count[0] == moves:
        os.kill(os.getpid(), sig)

output_set.os.replace = patched
with exit_on_sigterm():
    with output_set.output_set():
        for i, name in enumerate(names):
            if i == writes:
                os.kill(os.getpid(), sig)
            io.write_text(root / name, "new")
print("done", flush=True)
"""


def run(root: Path, sig: int, moves: int = 0, writes: int = -1) -> subprocess.CompletedProcess[str]:
    script = root / "run.py"
    script.write_text(RUN.format(names=NAMES))
    return subprocess.run(
        [sys.executable, str(script), str(root), str(int(sig)), str(moves), str(writes)],
        env=base_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_sigterm_between_two_writes_leaves_the_old_files(tmp_path: Path) -> None:
    old_files(tmp_path)
    done = run(tmp_path, signal.SIGTERM, writes=2)
    assert done.returncode == 143 and done.stdout == "", done.stderr
    assert contents(tmp_path) == {name: "old" for name in NAMES}


@pytest.mark.parametrize(
    ("sig", "status"),
    [
        (signal.SIGTERM, 143),
        (signal.SIGINT, 130),
        (signal.SIGHUP, -signal.SIGHUP),
        (signal.SIGUSR1, -signal.SIGUSR1),
    ],
    ids=["SIGTERM", "SIGINT", "SIGHUP", "SIGUSR1"],
)
def test_a_signal_during_the_moves_waits_for_the_last_one(tmp_path: Path, sig: int, status: int) -> None:
    old_files(tmp_path)
    done = run(tmp_path, sig, moves=1)
    assert done.returncode == status, done.stderr
    assert contents(tmp_path) == {name: "new" for name in NAMES}
    assert not unfinished(tmp_path / "a") and not unfinished(tmp_path / "b")


def test_sigkill_during_the_moves_leaves_a_record_the_next_set_finishes(tmp_path: Path) -> None:
    old_files(tmp_path)
    done = run(tmp_path, signal.SIGKILL, moves=1)
    assert done.returncode == -signal.SIGKILL
    assert contents(tmp_path) == {NAMES[0]: "new", NAMES[1]: "old", NAMES[2]: "old"}  # cut short
    records = unfinished(tmp_path / "a") + unfinished(tmp_path / "b")
    assert len(records) == 2  # one in each folder the set writes: a reader of either sees it
    moves = json.loads(records[0].read_text())["moves"]
    assert [Path(output).name for _, output in moves] == [Path(n).name for n in NAMES]
    with output_set():  # the next set writing into b/ finishes the killed one first
        write_text(tmp_path / "b" / "other.txt", "x")
        write_text(tmp_path / "b" / "more.txt", "x")
    assert contents(tmp_path) == {
        NAMES[0]: "new",
        NAMES[1]: "new",
        NAMES[2]: "new",
        "b/more.txt": "x",
        "b/other.txt": "x",
    }
    assert not unfinished(tmp_path / "a") and not unfinished(tmp_path / "b")
    assert sorted(p.name for p in tmp_path.rglob(".*")) == []  # no staged file left


def _record(folder: Path, moves: list[list[str]], name: str = "abc") -> Path:
    path = folder / f"{RECORD_PREFIX}{name}.json"
    path.write_text(json.dumps({"moves": moves}))
    return path


def test_a_record_that_no_commit_wrote_finishes_nothing(tmp_path: Path) -> None:
    folder, other = tmp_path / "out", tmp_path / "other"
    folder.mkdir()
    other.mkdir()
    (other / "secret").write_text("kept")
    (folder / "victim").write_text("kept")
    (folder / ".victim.abcdefgh.tmp").write_text("planted")
    planted = [
        _record(folder, [[str(other / "secret"), str(folder / "victim")]], "a"),  # not a staged name
        _record(
            folder, [[str(other / ".secret.abcdefgh.tmp"), str(other / "secret")]], "b"
        ),  # another folder
        _record(folder, [["relative/.x.abcdefgh.tmp", "relative/x"]], "c"),
        _record(folder, "not a list", "d"),  # type: ignore[arg-type]
    ]
    (other / ".secret.abcdefgh.tmp").write_text("planted")
    link = folder / f"{RECORD_PREFIX}e.json"
    link.symlink_to(_record(other, [[str(folder / ".victim.abcdefgh.tmp"), str(folder / "victim")]], "f"))
    finish_records(folder)
    assert (folder / "victim").read_text() == "kept" and (other / "secret").read_text() == "kept"
    assert all(p.exists() for p in planted) and link.is_symlink()


def test_cv_new_touches_only_what_it_creates(tmp_path: Path) -> None:
    """The user's own files that look like a staging folder's or a temporary file's stay."""
    from advgen.cv.starter import FILES, new_cv

    mine = [tmp_path / ".cv-build.notes", tmp_path / ".cv-build.abc123", tmp_path / ".advgen-outputs.x.json"]
    for path in mine:
        path.write_text("mine")
    (tmp_path / ".cv-build.dir").mkdir()
    (tmp_path / ".cv-build.dir" / "f").write_text("mine")
    new_cv(tmp_path)
    assert all(p.read_text() == "mine" for p in mine) and (tmp_path / ".cv-build.dir" / "f").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*FILES, ".cv-build.notes", ".cv-build.abc123", ".cv-build.dir", ".advgen-outputs.x.json"]
    )


def test_the_held_signals_are_the_terminating_ones() -> None:
    from advgen.output_set import _HELD

    held = set(_HELD)
    assert {signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM} <= held
    assert not held & {
        signal.SIGTERM,
        signal.SIGINT,
        signal.SIGKILL,
        signal.SIGSTOP,
        signal.SIGSEGV,
        signal.SIGCHLD,
    }
    assert os.name == "posix"


def test_a_record_whose_writer_lives_is_left_to_it(tmp_path: Path) -> None:
    """A set still moving in another process (two commands writing one folder at once) is not
    finished under it: its record names a live process of this host."""
    import socket as sockets

    folder = tmp_path / "out"
    folder.mkdir()
    staged = folder / ".a.txt.abcdefgh.tmp"
    staged.write_text("new")
    moves = [[str(staged), str(folder / "a.txt")]]
    writer = subprocess.Popen(["sleep", "60"])
    try:
        record = folder / f"{RECORD_PREFIX}live.json"
        record.write_text(
            json.dumps({"moves": moves, "writer": {"host": sockets.gethostname(), "pid": writer.pid}})
        )
        finish_records(folder)
        assert staged.exists() and record.exists() and not (folder / "a.txt").exists()
    finally:
        writer.kill()
        writer.wait()
    finish_records(folder)  # its writer gone: finished
    assert (folder / "a.txt").read_text() == "new" and not record.exists()
