"""Warm and fresh ``advgen`` jobs under a matrix of process states: the same exit status, files
and file modes.

Each case's shell sets a process state (``umask 077``, ``ulimit -v``, ``ulimit -t``,
``ulimit -f``, ``TZ``, ``nohup``, an ignored SIGINT, another working folder, an environment
variable) and starts the console script twice, warm (a job of a run: a server is started for
it) and fresh (``ADVGEN_WARM=0``), each running a command that writes a file
(``paper-smoke-config``). ``prlimit --as`` on a command that asks for more memory than that
ends with the same one line either way. The job's standard streams closed, on /dev/full or on a
pipe whose reader has gone: the same exit status, files and modes, warm and fresh, for a command
that prints on stdout (``cv new``) and one that only logs (``paper-smoke-config``).
(:mod:`tests.unit.test_warm_state` compares the process state itself, item by item.) The servers
import nothing beyond advgen's server (:data:`advgen.warm.client.SERVER_OPTIONS`): each child
imports what its command needs.
"""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.unit.test_warm_failures import Lab, console, lab, server_of  # noqa: F401  (lab: a fixture)
from tests.unit.test_warm_state import STREAMS as STATE_STREAMS

CONFIG = str(REPO / "config" / "paper.yaml")
#: the console script of a run whose servers import nothing up front
CONSOLE = console(SERVER_OPTIONS=("--preload", ""))
#: each case: the shell commands before the job
CASES = {
    "umask 077": "umask 077",
    "ulimit -v": "ulimit -v 6000000",
    "ulimit -t": "ulimit -t 60",
    "ulimit -f": "ulimit -f 4",  # 4 KiB: the output does not fit (SIGXFSZ is ignored: an error)
    "TZ": "export TZ=Pacific/Kiritimati",
    "nohup": "NOHUP=nohup",
    "ignored SIGINT": "trap '' INT",
    "cwd": "cd sub",
    "environment": "export HOME=/nonexistent",
}


def job(
    lab: Lab, prefix: str, folder: Path, *args: str, warm: bool, wrapper: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """The console script under ``prefix`` (and ``wrapper``), its command writing into ``folder``."""
    command = " ".join(shlex.quote(a) for a in (*wrapper, sys.executable, "-c", CONSOLE, *args))
    env = {**lab.env, **({} if warm else {"ADVGEN_WARM": "0"})}
    return subprocess.run(
        ["bash", "-c", f"{prefix}\nexec ${{NOHUP:-}} {command}"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def files(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def without_warm_line(stderr: str) -> str:
    first, _, rest = stderr.partition("\n")
    server_of(first)  # it did start warm
    return rest


@pytest.mark.slow  # 18 commands, about a second each on 2 busy cores
@pytest.mark.parametrize("case", CASES)
def test_warm_and_fresh_jobs_agree_under_the_callers_process_state(lab: Lab, case: str) -> None:
    results = {}
    for warm in (True, False):
        folder = lab.work / case.replace(" ", "_") / ("warm" if warm else "fresh")
        (folder / "sub").mkdir(parents=True)
        result = job(lab, CASES[case], folder, "paper-smoke-config", CONFIG, "-o", "smoke.yaml", warm=warm)
        stderr = without_warm_line(result.stderr) if warm else result.stderr
        last = (
            stderr.replace(str(folder), "FOLDER").strip().splitlines()[-1:]
        )  # (a traceback's frames differ)
        results[warm] = (result.returncode, last, files(folder))
    assert results[True] == results[False]
    status, last, written = results[True]
    assert (status == 0) == (case != "ulimit -f")
    if case == "ulimit -f":  # one line naming the output and the limit, warm and fresh
        assert status == 2 and "Traceback" not in result.stderr
        assert last == [
            "advgen paper-smoke-config: error: smoke.yaml: cannot write (larger than the "
            "file-size limit, 4096 bytes: ulimit -f)"
        ]
    if case == "umask 077":
        assert {mode for _, mode in written.values()} == {0o600}


def test_a_command_beyond_prlimit_as_ends_with_one_line_warm_and_fresh(lab: Lab) -> None:
    args = ("fake-data", "--root", "data", "--sources", "mnist", "--train", str(10**9))
    lines = []
    for warm in (True, False):
        folder = lab.work / ("warm" if warm else "fresh")
        folder.mkdir()
        result = job(lab, "", folder, *args, warm=warm, wrapper=("prlimit", "--as=3000000000", "--"))
        assert result.returncode == 2, result.stderr
        stderr = without_warm_line(result.stderr) if warm else result.stderr
        assert stderr.count("\n") == 1 and "out of memory" in stderr, stderr
        assert files(folder) == {}
        lines.append(stderr)
    assert lines[0] == lines[1]


#: each case: the shell commands that set the job's standard streams (test_warm_state's, but a
#: file on stdin, which these commands do not read)
STREAMS = {case: shell for case, shell in STATE_STREAMS.items() if case != "stdin a file"}
#: commands that write files and print on stdout (cv new) or log on stderr (both)
STREAM_COMMANDS = {
    "cv new": ("cv", "new", "cv"),
    "paper-smoke-config": ("paper-smoke-config", CONFIG, "-o", "smoke.yaml"),
}


def stream_job(
    lab: Lab, prefix: str, folder: Path, *args: str, warm: bool
) -> subprocess.CompletedProcess[str]:
    """The console script with its streams set by ``prefix`` (``{pipe}``: a pipe whose reader has
    gone, closed for the job itself)."""
    read, write = os.pipe()
    os.close(read)
    try:
        command = " ".join(shlex.quote(a) for a in (sys.executable, "-c", CONSOLE, *args))
        env = {**lab.env, **({} if warm else {"ADVGEN_WARM": "0"})}
        return subprocess.run(
            ["bash", "-c", f"{prefix.format(pipe=write)}\nexec {command} {write}>&-"],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
            pass_fds=(write,),
        )
    finally:
        os.close(write)


@pytest.mark.slow  # 32 commands (tests/unit/test_warm_state.py compares the streams themselves, fast)
@pytest.mark.parametrize("command", STREAM_COMMANDS)
@pytest.mark.parametrize("case", STREAMS)
def test_warm_and_fresh_jobs_agree_on_closed_full_and_broken_streams(
    lab: Lab, case: str, command: str
) -> None:
    """A closed stream, /dev/full, a pipe whose reader has gone: the same exit status, files and
    modes, and what the streams that remain show (the warm line aside)."""
    results = {}
    for warm in (True, False):
        folder = lab.work / case.replace(" ", "_").replace("/", "") / command.replace(" ", "_") / str(warm)
        folder.mkdir(parents=True)
        result = stream_job(lab, STREAMS[case], folder, *STREAM_COMMANDS[command], warm=warm)
        stderr = result.stderr
        if warm and stderr:
            stderr = without_warm_line(stderr)
        stderr = stderr.replace(str(folder), "FOLDER")
        lines = [line[24:] if line[:4].isdigit() else line for line in stderr.splitlines()]  # no dates
        if "Traceback (most recent call last):" in lines:  # (its frames differ: the error itself)
            lines = lines[: lines.index("Traceback (most recent call last):")] + lines[-1:]
        results[warm] = (
            result.returncode,
            result.stdout.replace(str(folder), "FOLDER"),
            lines,
            files(folder),
        )
    assert results[True] == results[False]
    status, _, lines, written = results[True]
    # cv new prints a line on stdout: /dev/full is a full disk (one line, 2), a broken pipe an error
    expected = {"stdout /dev/full": 2, "stdout broken pipe": 1} if command == "cv new" else {}
    assert status == expected.get(case, 0), results[True]
    assert len(written) == (3 if command == "cv new" else 1)
