"""SIGTERM at random instants of a checkpoint write and of a Parquet write.

A command writes a checkpoint (:func:`advgen.io.save_torch`) and then a Parquet table
(:func:`advgen.io.write_parquet`) through the ``advgen`` command line (:func:`advgen.cli.main`:
its SIGTERM handling and exit statuses), as a job of a local run: a child of advgen's warm server
(:mod:`advgen.warm`), started by a client that forwards the signals it gets and exits with the
job's status. Each trial sends the client SIGTERM a random delay after the writer of the target
file created its temporary file: the job announces on its stdout each temporary file it creates
and each rename, and the test signals from that announcement, so the delays spread over the
write, from the temporary file's creation to its rename (``torch.save`` and ``pyarrow`` at
work). One trial in ten instead holds the writer right after ``mkstemp`` returned until the
signal is sent: the instant before the writer knows its temporary file's name. Every trial must
exit 143 and leave no temporary file, and a rerun must write files byte-identical to an
uninterrupted run's.

The server imported torch and pyarrow once: a trial costs milliseconds of start-up, not seconds.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import statistics
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from advgen.io import atomic_leftovers
from tests import forkserver
from tests.conftest import tool_env

pytestmark = pytest.mark.slow  # 2 x 50 trials and their reruns: 10-20 s on 2 busy cores

TRIALS = 50
HELD = 10  # every HELD-th trial holds the writer just after mkstemp
SIGTERM_STATUS = 128 + signal.SIGTERM

# The job: `write-both` run through advgen.cli.main, as the entry of advgen's warm server. Its
# argument is the request (JSON: the two output paths, `linger`, `hold`). It announces "T <path>"
# on its stdout when advgen.io creates a temporary file (then, for the file named by `hold`, waits
# for a byte on its stdin) and "R <path>" after each rename. What it writes is made once, in the
# server, before the forks.
JOB = r"""
import argparse, json, os, sys, tempfile, time
import numpy as np, pandas as pd, pyarrow.parquet, torch
from advgen import cli, provenance
from advgen.io import save_torch, write_parquet

real_mkstemp, real_replace = tempfile.mkstemp, os.replace
request = {}

def mkstemp(*args, **kwargs):
    fd, path = real_mkstemp(*args, **kwargs)
    os.write(1, f"T {path}\n".encode())
    if os.path.basename(path).startswith(f".{request['hold']}."):
        os.read(0, 1)  # the signal arrives here, before the writer has the name
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
    if request["linger"]:  # a command goes on after its writes: a late signal still finds it running
        time.sleep(1)

class Parser:
    def parse_args(self, argv):
        return argparse.Namespace(verbose=False, threads=None, command="write-both", _main=write_both,
                                  checkpoint=argv[0], table=argv[1])

def main(argv):
    request.update(json.loads(argv[0]))
    tempfile.mkstemp, os.replace = mkstemp, replace
    cli.build_parser = lambda command: Parser()
    return cli.main([request["checkpoint"], request["table"]])
"""


class Jobs:
    """The warm server that runs the job; :meth:`run` runs it once into a folder."""

    def __init__(self, folder: Path) -> None:
        (folder / "sigterm_job.py").write_text(JOB)
        self.env = tool_env({"OMP_NUM_THREADS": "1"})
        self.env["PYTHONPATH"] = f"{folder}{os.pathsep}{self.env['PYTHONPATH']}"
        self.server = forkserver.ForkServer(
            self.env, "advgen", entry="sigterm_job:main", preload=("sigterm_job",)
        )
        self.buffer = b""

    def _event(self, events: int, timeout: float) -> tuple[str, str] | None:
        """The next announcement: ("T" or "R", the file's stem), or None after ``timeout`` seconds
        or at the end of the job's output."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            if not select.select([events], [], [], max(0.0, deadline - time.monotonic()))[0]:
                return None
            chunk = os.read(events, 65536)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        kind, path = line.decode().split(" ", 1)
        return kind, Path(path).name.lstrip(".").split(".")[0]

    def run(
        self, folder: Path, target: str | None = None, delay: float = 0.0, hold: bool = False
    ) -> tuple[int, dict[str, float]]:
        """Run the job into ``folder``. With ``target`` (a file stem), send SIGTERM to its client
        ``delay`` seconds after the target's temporary file appears (``hold``: while the writer
        waits right after ``mkstemp``). Returns the client's exit status and the time of each
        announcement ("T stem", "R stem") relative to the target's temporary file (without a
        target, to the start)."""
        folder.mkdir(parents=True, exist_ok=True)
        self.buffer = b""
        request: dict[str, Any] = {
            "checkpoint": str(folder / "checkpoint.pt"),
            "table": str(folder / "table.parquet"),
            "linger": target is not None,
            "hold": target if hold else None,
        }
        client = subprocess.Popen(
            [str(self.server.client), json.dumps(request)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=self.env,
        )
        assert client.stdin is not None and client.stdout is not None
        events = client.stdout.fileno()
        start, times, killed = time.monotonic(), {}, False
        while not killed and (event := self._event(events, timeout=60)) is not None:
            times[" ".join(event)] = now = time.monotonic()
            if event == ("T", target):
                start = now
                time.sleep(delay)
                client.send_signal(signal.SIGTERM)  # the client forwards it to the job
                if hold:
                    client.stdin.write(b"x")
                    client.stdin.flush()
                killed = True
            elif event == ("R", "table"):
                break
        status = client.wait(timeout=60)
        while (event := self._event(events, timeout=0)) is not None:  # announced after the signal
            times[" ".join(event)] = time.monotonic()
        client.stdin.close()
        client.stdout.close()
        return status, {k: t - start for k, t in times.items()}

    def close(self) -> None:
        self.server.stop()


@pytest.fixture(scope="module")
def jobs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Jobs]:
    j = Jobs(tmp_path_factory.mktemp("sigterm"))
    yield j
    j.close()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("target", ["checkpoint", "table"])
def test_sigterm_at_any_instant_of_a_write_exits_143_and_leaves_no_temporary_file(
    target: str, jobs: Jobs, tmp_path: Path
) -> None:
    windows = []  # the write, temporary file to rename, in uninterrupted runs
    for run in range(5):
        status, times = jobs.run(tmp_path / f"reference{run}")
        assert status == 0
        windows.append(times[f"R {target}"] - times[f"T {target}"])
    reference = _files(tmp_path / "reference0")
    window = statistics.median(windows)
    rng = random.Random(0)
    during = 0
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
        assert jobs.run(folder)[0] == 0  # the rerun
        assert _files(folder) == reference, f"{what}: the rerun's files differ from an uninterrupted run's"
    # most land in the write; a busy machine may speed up or slow down a trial against the median
    assert during >= TRIALS // 5, f"only {during} of {TRIALS} signals were sent during the write"
