"""Nothing is written through a planted link or into a device, for every output of every command
that writes (docs/security.md): the payload corpus of outputs.

For each output argument of each subcommand (walked from the command line's own parser, as
tests/errors/test_output_is_input.py walks them):

- a planted lock file ``.NAME.lock`` beside the output: a symbolic link to a file the user cares
  about, a dangling one, a hard link to it, a FIFO, a folder. The command answers one line naming
  the lock file, exit status 2; the file linked to is unchanged, the dangling link's target is
  not created, the planted entry stays as it was (it truncated the input to its pid before);
- the output itself a FIFO, a socket, or a link to a device (``/dev/null``): one line, exit 2,
  and the FIFO, socket and link are left as they were (they were replaced by regular files).

Files a command writes inside its output folder (``evaluate``'s tables and report, ``cv build``'s
four files) are refused the same way by the writer itself (:func:`advgen.io.atomic_path`), and the
set's other files are not written either (:mod:`advgen.output_set`).
"""

from __future__ import annotations

import argparse
import os
import socket
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from advgen.cli import build_parser
from advgen.output_lock import lock_path
from tests.conftest import REPO
from tests.errors.conftest import assert_one_line_error, run_cli
from tests.errors.test_output_is_input import _argv, _commands, _file_actions, _value


def _outputs() -> list[tuple[tuple[str, ...], str]]:
    return [
        (command, action.dest)
        for command, parser in _commands(build_parser())
        for action in _file_actions(parser, "output")
    ]


OUTPUTS = _outputs()
#: the commands whose every output is tried in the fast suite (the rest: ``slow``; each case costs
#: a command line's checks, about 0.1 CPU s, and the matrix holds some 700)
FAST = {("evaluate",), ("freeze",), ("power-plan",), ("claims",), ("cv", "new"), ("prepare-data",)}
CASES = [
    pytest.param(
        command, dest, id="/".join(command) + ":" + dest, marks=() if command in FAST else pytest.mark.slow
    )
    for command, dest in OUTPUTS
]


def _action(command: tuple[str, ...], dest: str) -> tuple[argparse.ArgumentParser, argparse.Action]:
    parser = dict(_commands(build_parser()))[command]
    return parser, next(a for a in _file_actions(parser, "output") if a.dest == dest)


def test_the_corpus_covers_every_output_of_every_command_that_writes() -> None:
    assert len(OUTPUTS) >= 80
    assert {c for c, _ in OUTPUTS} >= {
        ("evaluate",),
        ("freeze",),
        ("power-plan",),
        ("claims",),
        ("cv", "new"),
    }


def _symlink(lock: Path, victim: Path) -> None:
    lock.symlink_to(victim)


def _dangling(lock: Path, victim: Path) -> None:
    lock.symlink_to(victim.parent / "created-through-the-link")


def _hardlink(lock: Path, victim: Path) -> None:
    os.link(victim, lock)


def _fifo(lock: Path, victim: Path) -> None:
    os.mkfifo(lock)


def _folder(lock: Path, victim: Path) -> None:
    lock.mkdir()


#: what is planted at a lock's name, and what the line calls it
LOCKS: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "symlink": (_symlink, "a symbolic link"),
    "dangling symlink": (_dangling, "a symbolic link"),
    "hard link": (_hardlink, "a file with 2 links"),
    "FIFO": (_fifo, "a FIFO"),
    "folder": (_folder, "a folder"),
}


def _entry(path: Path) -> tuple[int, int, bytes | str | None]:
    """What ``path`` is, not followed: its type, links, and content or target."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return stat.S_IFMT(info.st_mode), info.st_nlink, os.readlink(path)
    content = path.read_bytes() if stat.S_ISREG(info.st_mode) else None
    return stat.S_IFMT(info.st_mode), info.st_nlink, content


@pytest.mark.parametrize("planted", LOCKS)
@pytest.mark.parametrize(("command", "dest"), CASES)
def test_a_planted_lock_file_is_refused_and_nothing_is_written_through_it(
    command: tuple[str, ...], dest: str, planted: str, workdir: Path, capsys
) -> None:
    parser, action = _action(command, dest)
    victim = workdir / "input.txt"
    victim.write_text("the user's file\n")
    output = workdir / "out" / "output.x"
    output.parent.mkdir()
    lock = lock_path(output)
    make, kind = LOCKS[planted]
    make(lock, victim)
    before = _entry(lock)
    code, err = run_cli(_argv(command, parser, {action: _value(action, str(output))}, workdir), capsys)
    assert_one_line_error(code, err, action.type.option, f"its lock file {lock} is {kind}")
    assert victim.read_text() == "the user's file\n" and victim.stat().st_nlink == (
        2 if planted == "hard link" else 1
    )
    assert not (workdir / "created-through-the-link").exists()
    assert _entry(lock) == before
    assert sorted(p.name for p in output.parent.iterdir()) == [lock.name]


def _fifo_output(path: Path) -> None:
    os.mkfifo(path)


def _socket_output(path: Path) -> None:
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    s.close()


def _device_link(path: Path) -> None:
    path.symlink_to(os.devnull)


#: an output that is not a file to replace, and what the line calls it
SPECIAL: dict[str, tuple[Callable[[Path], None], str]] = {
    "FIFO": (_fifo_output, "is a FIFO"),
    "socket": (_socket_output, "is a socket"),
    "link to a device": (_device_link, f"is a device (through the link to {os.devnull})"),
}


@pytest.mark.parametrize("special", SPECIAL)
@pytest.mark.parametrize(("command", "dest"), CASES)
def test_an_output_that_is_a_fifo_socket_or_device_is_refused(
    command: tuple[str, ...], dest: str, special: str, workdir: Path, capsys
) -> None:
    parser, action = _action(command, dest)
    output = workdir / "output.x"
    make, said = SPECIAL[special]
    make(output)
    before = _entry(output)
    code, err = run_cli(_argv(command, parser, {action: _value(action, str(output))}, workdir), capsys)
    if action.type.in_place:  # read first, then replaced: refused as the file it would read
        said = said.split(" (through")[0]
        assert_one_line_error(
            code, err, f"{output}: {said}, not a regular file (refusing to rewrite it in place)"
        )
    else:
        assert_one_line_error(
            code, err, f"{action.type.option} {output}: {said}, not a regular file or folder"
        )
    assert _entry(output) == before
    assert sorted(p.name for p in workdir.iterdir()) == ["output.x"]


CV_DATA = REPO / "tests" / "data" / "cv" / "march2023"


@pytest.mark.parametrize("special", ["FIFO", "socket", "link to a device"])
def test_a_special_file_inside_an_output_folder_is_refused_and_the_set_is_not_written(
    special: str, workdir: Path, capsys
) -> None:
    """cv build's four files are a set: one of them a FIFO (or a socket, a link to a device) is one
    line naming it, and none of the four is written."""
    out = workdir / "cv"
    out.mkdir()
    make, said = SPECIAL[special]
    make(out / "cv.pdf")
    before = _entry(out / "cv.pdf")
    argv = ["cv", "build", "--cv", str(CV_DATA / "cv.yaml"), "--bib", str(CV_DATA / "publications.bib")]
    argv += ["--stats", str(CV_DATA / "stats.yaml"), "--out", str(out)]
    code, err = run_cli(argv, capsys)
    assert_one_line_error(code, err, f"{out / 'cv.pdf'}: {said}, not a regular file or folder")
    assert sorted(p.name for p in out.iterdir()) == ["cv.pdf"] and _entry(out / "cv.pdf") == before


def test_evaluate_refuses_a_fifo_among_its_outputs_and_writes_none(workdir: Path, capsys) -> None:
    import torch

    from tests.unit.test_evaluate_command import MODEL_FILE, _user_model

    torch.manual_seed(0)
    torch.save(_user_model().state_dict(), workdir / "tiny.pt")
    torch.save({"x": torch.rand(4, 1, 28, 28), "y": torch.arange(4)}, workdir / "data.pt")
    out = workdir / "eval"
    out.mkdir()
    os.mkfifo(out / "report.html")
    argv = ["evaluate", "--model", f"{MODEL_FILE}:TinyCNN", "--checkpoint", str(workdir / "tiny.pt")]
    argv += ["--data", str(workdir / "data.pt"), "--attack", "PGD", "--param", "steps=1", "--eps", "0.1"]
    code, err = run_cli([*argv, "--no-checks", "--device", "cpu", "--out", str(out)], capsys)
    assert_one_line_error(code, err, f"{out / 'report.html'}: is a FIFO, not a regular file or folder")
    assert sorted(p.name for p in out.iterdir()) == ["report.html"]
    assert stat.S_ISFIFO(os.lstat(out / "report.html").st_mode)
