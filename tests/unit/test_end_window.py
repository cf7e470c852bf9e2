"""The complete-command signal window through the ``advgen`` console script, fresh and warm.

README promises that a SIGTERM or SIGINT that arrives once a command's outputs are all written
is ignored (exit status 0, the outputs kept): Snakemake deletes the outputs of a job that exits
143. The console script (:func:`advgen.warm.client.main`) runs :func:`advgen.cli.console`, fresh
or in a warm child, so a completed command leaves both signals ignored to the process's exit,
and a warm client ignores them once its job has ended.

The signal is sent at the last instants: from an exit handler of the client (fresh: the
command's own process; warm: the client) and, warm, from a thread of the job that the child
joins after the command returned. The trials (``slow``) send SIGTERM at random instants after
the output appeared, as a stopped Snakemake would.
"""

from __future__ import annotations

import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import base_env
from tests.unit.test_warm_failures import SMOKE, Lab, console, server_of

#: the job's entry in a warm child: the console script's command, then SIGTERM to itself from a
#: thread that the child joins after the command returned (the child's own exit)
LATE = """
import os, signal, threading, time
from advgen import cli

def main(argv):
    done = threading.Event()

    def late():
        done.wait()
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.1)  # the signal lands while the child ends

    threading.Thread(target=late).start()
    try:
        return cli.console(argv)
    finally:
        done.set()
"""


def at_exit(signum: int) -> str:
    """The console script, which sends itself ``signum`` from an exit handler."""
    return f"import atexit, os; atexit.register(os.kill, os.getpid(), {signum}); {console()}"


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    work = tmp_path / "work"
    work.mkdir()
    r = Lab(work, base_env())
    (work.parent / "modules" / "warm_late.py").write_text(LATE)
    yield r
    r.end()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_fresh_command_that_completed_ignores_a_signal_to_its_exit(lab: Lab, signum: int) -> None:
    done = lab.call(*SMOKE, "out.yaml", script=at_exit(signum), ADVGEN_WARM="0")
    assert done.returncode == 0, done.stderr
    assert (lab.work / "out.yaml").read_text().startswith("# ")
    if signum == signal.SIGTERM:  # a command that did not complete is not protected: SIGTERM ends it
        failed = lab.call(SMOKE[0], "missing.yaml", "-o", "x.yaml", script=at_exit(signum), ADVGEN_WARM="0")
        assert failed.returncode == -signum, failed.stderr


def test_a_warm_command_that_completed_ignores_a_signal_to_its_exit(lab: Lab) -> None:
    server = lab.server("--preload", "warm_late", "--entry", "warm_late:main")
    done = lab.call(*SMOKE, "out.yaml", script=at_exit(signal.SIGTERM))
    assert done.returncode == 0, done.stderr
    assert server_of(done.stderr) == server.pid
    assert (lab.work / "out.yaml").read_text().startswith("# ")


@pytest.mark.slow  # 16 commands, each a second or more on 2 busy cores
@pytest.mark.parametrize("warm", [False, True], ids=["fresh", "warm"])
def test_sigterm_after_the_outputs_are_written_keeps_them_and_exits_0(lab: Lab, warm: bool) -> None:
    if warm:
        lab.server()
    rng = random.Random(0)
    for trial in range(8):
        output = lab.work / f"out{trial}.yaml"
        job = lab.start(*SMOKE, str(output), **({} if warm else {"ADVGEN_WARM": "0"}))
        deadline = time.monotonic() + 120
        while not output.exists() and job.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.001)
        time.sleep(rng.uniform(0.0, 0.05))
        job.send_signal(signal.SIGTERM)
        _, err = job.communicate(timeout=60)
        assert job.returncode == 0, (trial, err)
        assert output.read_text().startswith("# ")
