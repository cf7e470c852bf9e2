"""Warm and fresh ``advgen`` jobs under a matrix of process states: the same exit status, files
and file modes.

Each case's shell sets a process state (``umask 077``, ``ulimit -v``, ``ulimit -t``,
``ulimit -f``, ``TZ``, ``nohup``, an ignored SIGINT, another working folder, an environment
variable) and starts the console script twice, warm (a job of a run: a server is started for
it) and fresh (``ADVGEN_WARM=0``), each running a command that writes a file
(``paper-smoke-config``). ``prlimit --as`` on a command that asks for more memory than that
ends with the same one line either way. (:mod:`tests.unit.test_warm_state` compares the process
state itself, item by item.) The servers import nothing beyond advgen's server
(:data:`advgen.warm.client.SERVER_OPTIONS`): each child imports what its command needs.
"""

from __future__ import annotations

import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.unit.test_warm_failures import Lab, console, lab, server_of  # noqa: F401  (lab: a fixture)

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
