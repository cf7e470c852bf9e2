"""SIGTERM at random instants of a checkpoint write and of a Parquet write, through the warm client.

A command writes a checkpoint (:func:`advgen.checkpoints.save_torch`) and then a Parquet table
(:func:`advgen.io.write_parquet`) through the ``advgen`` command line (:func:`advgen.cli.main`:
its SIGTERM handling and exit statuses), as a job of a local run: a child of advgen's warm server
(:mod:`advgen.warm`), started by a client that forwards the signals it gets and exits as the job
did. Each trial sends the *client* SIGTERM (or SIGINT), which forwards it to the job, as a
stopped Snakemake's signal travels in a local run, a random delay after the writer of the target
file created its temporary file: the job announces on its stdout each temporary file it creates
and each rename, and the test signals from that announcement, so the delays spread over the
write, from the temporary file's creation to its rename (``torch.save`` and ``pyarrow`` at
work). One trial in ten instead holds the writer right after ``mkstemp`` returned until the
signal has arrived: the instant before the writer knows its temporary file's name. Every trial
must exit 143 and leave no temporary file, and a rerun must write files byte-identical to an
uninterrupted run's.

SIGKILL cannot be caught, so a client cannot forward it: :mod:`tests.unit.test_signals` sends
SIGKILL to the job's own pid (which the job announces first, ``P <pid>``); the client then ends
killed by SIGKILL too, as the job did.

The server imported torch and pyarrow once (``tests/forkserver.py``), each client starts ahead of
its job (its interpreter's start-up overlaps the previous job), and a trial's rerun runs while the
next trial does: a trial costs a fraction of a second, not seconds of imports. The client
forwards signals once the job's child has told it its pid; before that a SIGTERM ends the client
with 143 and the job never runs, so the test signals it only once the job announced itself (and
its handler is set: ``/proc``'s SigCgt).
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from advgen.io import atomic_leftovers
from tests import forkserver
from tests.conftest import base_env

pytestmark = pytest.mark.slow  # 2 x 50 trials and their reruns: 15-50 s each on 2 busy cores

TRIALS = 50
HELD = 10  # every HELD-th trial holds the writer just after mkstemp
SIGTERM_STATUS = 128 + signal.SIGTERM
TIMEOUT = 60.0  # seconds for a job's announcement or its end

# The job: `write-both` run through advgen.cli.main, as the entry of a warm server. Its argument is
# the request (JSON: the two output paths, `linger`, `hold`, `settle`, `more`). It announces
# "P <pid>" on its stdout first, "T <path>" when advgen.io creates a temporary file (then, for the
# file named by `hold`, waits until the signal has arrived: advgen.termination noted it, or
# SIGKILL ends it there) and "R <path>" after each rename. What it writes is made once, in the
# server, before the forks.
JOB = r"""
import argparse, json, os, sys, tempfile, time
import numpy as np, pandas as pd, pyarrow.parquet, torch
from advgen import cli, provenance
from advgen.checkpoints import save_torch
from advgen.io import write_parquet
from advgen.termination import exit_status, settling

real_mkstemp, real_replace = tempfile.mkstemp, os.replace
request = {}

def wait_for_the_signal():
    deadline = time.monotonic() + 60  # the test's TIMEOUT
    while exit_status() is None and time.monotonic() < deadline:
        time.sleep(0.001)  # the signal arrives here (SIGKILL: the job ends here)

def mkstemp(*args, **kwargs):
    fd, path = real_mkstemp(*args, **kwargs)
    os.write(1, f"T {path}\n".encode())
    if os.path.basename(path).startswith(f".{request['hold']}."):
        wait_for_the_signal()  # before the writer has the name
    return fd, path

def replace(src, dst):
    real_replace(src, dst)
    os.write(1, f"R {dst}\n".encode())

provenance.code_digest()  # computed once, before the forks
CHECKPOINT = {"kind": "test", "weights": torch.randn(1 << 18, generator=torch.Generator().manual_seed(0))}
rng = np.random.default_rng(0)
TABLE = pd.DataFrame({"i": np.arange(50_000), "x": rng.random(50_000), "y": rng.random(50_000)})

def write_both(args):
    save_torch(CHECKPOINT, args.checkpoint)
    write_parquet(TABLE, args.table)
    if request["settle"]:  # a training run's clean-up after its outputs (resume state deleted)
        with settling():
            os.write(1, b"S settle\n")
            wait_for_the_signal()
        if request["more"]:  # a further run's write: the noted signal ends the command first
            save_torch(CHECKPOINT, args.checkpoint + ".more")
    if request["linger"]:  # a command goes on after its writes: a late signal still finds it running
        time.sleep(1)

class Parser:
    def parse_args(self, argv):
        return argparse.Namespace(verbose=False, threads=None, command="write-both", _main=write_both,
                                  checkpoint=argv[0], table=argv[1])

def main(argv):
    request.update(json.loads(argv[0]))
    os.write(1, f"P {os.getpid()}\n".encode())
    tempfile.mkstemp, os.replace = mkstemp, replace
    cli.build_parser = lambda command: Parser()
    return cli.main([request["checkpoint"], request["table"]])
"""


# The client: tests/forkserver.py's (advgen.warm.client.forward_to), started ahead of its job so that
# its interpreter's start-up overlaps the previous job; the job's argument is its first line on stdin.
CLIENT = """\
import sys

sys.path.insert(0, {src!r})
from advgen.warm.client import forward_to

line = sys.stdin.readline()
sys.exit(forward_to({address!r}, [line.rstrip("\\n")]) if line else 0)
"""


def _catches(pid: int, signum: int) -> bool:
    """Whether process ``pid`` has a handler for ``signum`` (Linux's ``/proc``: SigCgt)."""
    with open(f"/proc/{pid}/status") as status:
        mask = next(line.split()[1] for line in status if line.startswith("SigCgt:"))
    return bool(int(mask, 16) >> (signum - 1) & 1)


class Announcements:
    """What a job announces on its client's stdout, line by line."""

    def __init__(self, client: subprocess.Popen[bytes]) -> None:
        assert client.stdout is not None
        self.fd, self.buffer = client.stdout.fileno(), b""

    def next(self, timeout: float) -> tuple[str, str] | None:
        """("P", the job's pid) or ("T", "R" or "S", the file's stem), or None after ``timeout``
        seconds or at the end of the output (the job and its client have exited)."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            if not select.select([self.fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
                return None
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        kind, path = line.decode().split(" ", 1)
        return kind, path if kind == "P" else Path(path).name.lstrip(".").split(".")[0]


class Jobs:
    """A warm server that runs the job; :meth:`run` runs it once into a folder, through a client
    (:meth:`start` and :meth:`wait`: an uninterrupted run while the test does something else)."""

    def __init__(self, folder: Path) -> None:
        (folder / "sigterm_job.py").write_text(JOB)
        self.env = base_env()
        self.env.update(OMP_NUM_THREADS="1", PYTHONPATH=f"{folder}{os.pathsep}{self.env['PYTHONPATH']}")
        self.server = forkserver.ForkServer(
            self.env, "advgen", entry="sigterm_job:main", preload=("sigterm_job",)
        )
        self.client = folder / "client.py"
        self.client.write_text(CLIENT.format(src=str(forkserver.SRC), address=self.server.address))
        self.spare = self._spawn()

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-S", str(self.client)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=self.env,
        )

    def start(
        self,
        folder: Path,
        target: str | None = None,
        hold: bool = False,
        settle: bool = False,
        more: bool = False,
    ) -> subprocess.Popen[bytes]:
        """A client that runs the job into ``folder`` (the arguments: :meth:`run`'s)."""
        folder.mkdir(parents=True, exist_ok=True)
        request: dict[str, Any] = {
            "checkpoint": str(folder / "checkpoint.pt"),
            "table": str(folder / "table.parquet"),
            "linger": target is not None and not settle,
            "hold": target if hold else None,
            "settle": settle,
            "more": more,
        }
        client, self.spare = self.spare, self._spawn()
        assert client.stdin is not None
        client.stdin.write(json.dumps(request).encode() + b"\n")
        client.stdin.close()
        return client

    def wait(self, client: subprocess.Popen[bytes], announcements: Announcements | None = None) -> int:
        """The exit status of ``client``, once its output has ended (``-9``: killed by SIGKILL)."""
        announcements = announcements or Announcements(client)
        while announcements.next(TIMEOUT) is not None:
            pass
        try:
            return client.wait(timeout=TIMEOUT)
        finally:
            if client.poll() is None:
                client.kill()  # its job dies with it (advgen.warm.child)
                client.wait()
            assert client.stdout is not None
            client.stdout.close()

    def run(
        self,
        folder: Path,
        target: str | None = None,
        delay: float = 0.0,
        hold: bool = False,
        *,
        signum: int = signal.SIGTERM,
        on: str = "T",
        settle: bool = False,
        more: bool = False,
    ) -> tuple[int, dict[str, float]]:
        """Run the job into ``folder``. With ``target`` (a file stem), send ``signum`` ``delay``
        seconds after its temporary file appears (``hold``: while the writer waits right after
        ``mkstemp``; a SIGKILL leaves it there): SIGTERM and SIGINT to the client, which forwards
        them, SIGKILL to the job itself. ``settle``: after its writes the job waits in a
        :func:`advgen.termination.settling` section (target "settle", ``on="S"``, ``hold``), then
        with ``more`` writes one more checkpoint. Returns the client's exit status (``-9``:
        killed by SIGKILL) and the time of each announcement ("T stem", "R stem", "S settle")
        relative to the target's temporary file (without a target, to the start)."""
        client = self.start(folder, target, hold, settle, more)
        announcements = Announcements(client)
        start, times, job = time.monotonic(), {}, 0
        while (event := announcements.next(TIMEOUT)) is not None:
            now = time.monotonic()
            if event[0] == "P":
                job = int(event[1])
                continue
            times[" ".join(event)] = now
            if event != (on, target):
                continue
            start = now
            if signum == signal.SIGKILL:  # cannot be caught, so not forwarded: to the job
                assert job > 0, "the job did not announce its pid"
                receiver = job
            else:  # the client forwards it once it has the job's pid (its handler is set)
                receiver = client.pid
                deadline = now + TIMEOUT
                while not _catches(receiver, signum) and time.monotonic() < deadline:
                    time.sleep(0.0005)
            time.sleep(max(0.0, start + delay - time.monotonic()))
            os.kill(receiver, signum)
            break
        while (event := announcements.next(TIMEOUT)) is not None:  # after the signal
            times[" ".join(event)] = time.monotonic()
        return self.wait(client, announcements), {k: t - start for k, t in times.items()}

    def close(self) -> None:
        assert self.spare.stdin is not None and self.spare.stdout is not None
        self.spare.stdin.close()  # no job: it exits
        self.spare.wait(timeout=TIMEOUT)
        self.spare.stdout.close()
        self.server.stop()


@pytest.fixture(scope="module")
def jobs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Jobs]:
    j = Jobs(tmp_path_factory.mktemp("sigterm"))
    yield j
    j.close()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def reference(
    jobs: Jobs, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, bytes], dict[str, float]]:
    """An uninterrupted run's files, and each write's duration (temporary file to rename): the
    median of five uninterrupted runs."""
    folder = tmp_path_factory.mktemp("reference")
    windows: dict[str, list[float]] = {"checkpoint": [], "table": []}
    for run in range(5):
        status, times = jobs.run(folder / str(run))
        assert status == 0
        for target, durations in windows.items():
            durations.append(times[f"R {target}"] - times[f"T {target}"])
    files = _files(folder / "0")
    assert all(_files(folder / str(run)) == files for run in range(1, 5))
    return files, {target: statistics.median(durations) for target, durations in windows.items()}


@pytest.mark.parametrize("target", ["checkpoint", "table"])
def test_sigterm_at_any_instant_of_a_write_exits_143_and_leaves_no_temporary_file(
    target: str, jobs: Jobs, reference: tuple[dict[str, bytes], dict[str, float]], tmp_path: Path
) -> None:
    files, windows = reference
    window = windows[target]
    rng = random.Random(0)
    during = 0
    rerun = None  # the previous trial's, under way while the next trial runs
    for trial in range(TRIALS):
        folder = tmp_path / f"trial{trial}"
        hold = trial % HELD == 0
        delay = 0.0 if hold else rng.uniform(0.0, window)
        status, times = jobs.run(folder, target, delay, hold)
        what = f"trial {trial}: SIGTERM {'held after mkstemp' if hold else f'{delay * 1e3:.2f} ms into the write'}"
        assert status == SIGTERM_STATUS, what
        for name in ("checkpoint.pt", "table.parquet"):
            assert not atomic_leftovers(folder / name), f"{what}: temporary file of {name} left"
        assert {p.name for p in folder.iterdir()} <= {"checkpoint.pt", "table.parquet"}, what
        renamed = times.get(f"R {target}")
        during += renamed is None or renamed > delay  # the signal was sent before the rename
        if rerun is not None:
            _check_rerun(jobs, *rerun, files)
        rerun = jobs.start(folder), folder, what
    assert rerun is not None
    _check_rerun(jobs, *rerun, files)
    # most land in the write; a busy machine may speed up or slow down a trial against the median
    assert during >= TRIALS // 5, f"only {during} of {TRIALS} signals were sent during the write"


def _check_rerun(
    jobs: Jobs, client: subprocess.Popen[bytes], folder: Path, what: str, files: dict[str, bytes]
) -> None:
    assert jobs.wait(client) == 0, f"{what}: the rerun failed"
    assert _files(folder) == files, f"{what}: the rerun's files differ from an uninterrupted run's"
