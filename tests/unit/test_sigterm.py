"""SIGTERM at random instants of a checkpoint write and of a Parquet write.

A command writes a checkpoint (:func:`advgen.io.save_torch`) and then a Parquet table
(:func:`advgen.io.write_parquet`) through the ``advgen`` command line (:func:`advgen.cli.main`:
its SIGTERM handling and exit statuses). Each trial runs it in a fresh process and sends SIGTERM
a random delay after the writer of the target file created its temporary file: the process
announces on a pipe each temporary file it creates and each rename, and the test signals from
that announcement, so the delays spread over the write, from the temporary file's creation to
its rename (``torch.save`` and ``pyarrow`` at work). One trial in ten instead holds the writer
right after ``mkstemp`` returned until the signal is sent: the instant before the writer knows its
temporary file's name. Every trial must exit 143 and leave no temporary file, and a rerun must
write files byte-identical to an uninterrupted run's.

A forked copy of one process that has imported torch and pyarrow runs each trial (milliseconds
instead of seconds of imports).
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
from pathlib import Path
from typing import Any

import pytest

from advgen.io import atomic_leftovers
from tests.conftest import tool_env

pytestmark = pytest.mark.slow  # 2 x 50 trials and their reruns: 10-20 s on 2 busy cores

TRIALS = 50
HELD = 10  # every HELD-th trial holds the writer just after mkstemp
SIGTERM_STATUS = 128 + signal.SIGTERM

# One process imports everything once, then forks a child per request read on stdin (JSON: the
# two output paths, `linger`, `hold`). The child runs the command `write-both` through
# advgen.cli.main; it announces "T <path>" on the pipe of argv[1] when advgen.io creates a
# temporary file (then, for the file named by `hold`, waits for a byte on the pipe of argv[2])
# and "R <path>" after each rename. The parent answers each request with the child's pid, then
# with its exit status.
ZYGOTE = r"""
import argparse, json, os, sys, tempfile, time
import numpy as np, pandas as pd, pyarrow.parquet, torch
from advgen import cli, provenance
from advgen.io import save_torch, write_parquet

announce, go = int(sys.argv[1]), int(sys.argv[2])
real_mkstemp, real_replace = tempfile.mkstemp, os.replace
request = {}

def mkstemp(*args, **kwargs):
    fd, path = real_mkstemp(*args, **kwargs)
    os.write(announce, f"T {path}\n".encode())
    if os.path.basename(path).startswith(f".{request['hold']}."):
        os.read(go, 1)  # the signal arrives here, before the writer has the name
    return fd, path

def replace(src, dst):
    real_replace(src, dst)
    os.write(announce, f"R {dst}\n".encode())

provenance.code_digest()  # computed once, before the forks
# what the command writes, made once before the forks
CHECKPOINT = {"kind": "test", "weights": torch.randn(1 << 18, generator=torch.Generator().manual_seed(0))}
rng = np.random.default_rng(0)
TABLE = pd.DataFrame({"i": np.arange(50_000), "x": rng.random(50_000), "y": rng.random(50_000)})

def write_both(args):
    save_torch(CHECKPOINT, args.checkpoint)
    write_parquet(TABLE, args.table)
    if request.get("settle"):  # a training run's clean-up after its outputs (resume state deleted)
        from advgen.termination import settling
        with settling():
            os.write(announce, b"S settle\n")
            os.read(go, 1)  # the signal arrives here
        if request.get("more"):  # a further run's write: the noted signal ends the command first
            save_torch(CHECKPOINT, args.checkpoint + ".more")
    if request["linger"]:  # a command goes on after its writes: a late signal still finds it running
        time.sleep(1)

class Parser:
    def parse_args(self, argv):
        return argparse.Namespace(verbose=False, threads=None, command="write-both", _main=write_both,
                                  checkpoint=argv[0], table=argv[1])

cli.build_parser = lambda command: Parser()
for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        tempfile.mkstemp, os.replace = mkstemp, replace
        try:
            code = cli.main([request["checkpoint"], request["table"]])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 1
        os._exit(code)
    print(pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print(os.waitstatus_to_exitcode(status), flush=True)
"""


class Zygote:
    """The forking process; :meth:`run` runs the command once into a folder."""

    def __init__(self) -> None:
        self.events, announce = os.pipe()
        go, self.go = os.pipe()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE, str(announce), str(go)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=tool_env({"OMP_NUM_THREADS": "1"}),
            text=True,
            pass_fds=(announce, go),
        )
        os.close(announce)
        os.close(go)
        self.buffer = b""

    def _event(self, timeout: float) -> tuple[str, str] | None:
        """The next announcement: ("T" or "R", the file's stem), or None after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            if not select.select([self.events], [], [], max(0.0, deadline - time.monotonic()))[0]:
                return None
            self.buffer += os.read(self.events, 65536)
        line, self.buffer = self.buffer.split(b"\n", 1)
        kind, path = line.decode().split(" ", 1)
        return kind, Path(path).name.lstrip(".").split(".")[0]

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
        """Run the command into ``folder``. With ``target`` (a file stem), send ``signum``
        ``delay`` seconds after its temporary file appears (``hold``: while the writer waits right
        after ``mkstemp``; a SIGKILL leaves it there). ``settle``: after its writes the command
        waits in a :func:`advgen.termination.settling` section (target "settle", ``on="S"``,
        ``hold``), then with ``more`` writes one more checkpoint. Returns the exit status and the
        time of each announcement ("T stem", "R stem") relative to the target's temporary file
        (without a target, to the start)."""
        folder.mkdir(parents=True, exist_ok=True)
        self.buffer = b""
        request: dict[str, Any] = {
            "checkpoint": str(folder / "checkpoint.pt"),
            "table": str(folder / "table.parquet"),
            "linger": target is not None and not settle,
            "hold": target if hold else None,
            "settle": settle,
            "more": more,
        }
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        pid = int(self.proc.stdout.readline())
        start, times, killed = time.monotonic(), {}, False
        while not killed and (event := self._event(timeout=60)) is not None:
            times[" ".join(event)] = now = time.monotonic()
            if event == (on, target):
                start = now
                time.sleep(delay)
                os.kill(pid, signum)
                if hold and signum != signal.SIGKILL:
                    os.write(self.go, b"x")
                killed = True
            elif event == ("R", "table") and not settle:
                break
        status = int(self.proc.stdout.readline())
        while (event := self._event(timeout=0)) is not None:  # announced after the signal
            times[" ".join(event)] = time.monotonic()
        return status, {k: t - start for k, t in times.items()}

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        os.close(self.events)
        os.close(self.go)


@pytest.fixture(scope="module")
def zygote():
    z = Zygote()
    yield z
    z.close()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("target", ["checkpoint", "table"])
def test_sigterm_at_any_instant_of_a_write_exits_143_and_leaves_no_temporary_file(
    target: str, zygote: Zygote, tmp_path: Path
) -> None:
    windows = []  # the write, temporary file to rename, in uninterrupted runs
    for run in range(5):
        status, times = zygote.run(tmp_path / f"reference{run}")
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
        status, times = zygote.run(folder, target, delay, hold)
        what = f"trial {trial}: SIGTERM {'held after mkstemp' if hold else f'{delay * 1e3:.2f} ms into the write'}"
        assert status == SIGTERM_STATUS, what
        for name in ("checkpoint.pt", "table.parquet"):
            assert not atomic_leftovers(folder / name), f"{what}: temporary file of {name} left"
        assert {p.name for p in folder.iterdir()} <= {"checkpoint.pt", "table.parquet"}, what
        renamed = times.get(f"R {target}")
        during += renamed is None or renamed > delay  # the signal was sent before the rename
        assert zygote.run(folder)[0] == 0  # the rerun
        assert _files(folder) == reference, f"{what}: the rerun's files differ from an uninterrupted run's"
    # most land in the write; a busy machine may speed up or slow down a trial against the median
    assert during >= TRIALS // 5, f"only {during} of {TRIALS} signals were sent during the write"
