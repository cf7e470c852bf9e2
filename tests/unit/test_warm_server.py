"""The warm start through the ``advgen`` console script's module (advgen.warm.client), as a job of a
local run starts it: the first jobs start one server between them (a lock; a dead server's socket
left behind is no obstacle), the socket is private, a job's output, error line and exit status
are a fresh process's, SIGTERM to a job gives 143, the server ends with its run, and a server
started before an edit of the advgen sources never runs a job with the old modules: it
restarts."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Self

import pytest

from advgen.warm import owner as owners
from advgen.warm.place import place_for
from tests.conftest import REPO, base_env

WARM = re.compile(
    r"^advgen: warm start \(forked from server pid (\d+); ADVGEN_WARM=0 starts fresh processes\)$"
)
#: the ``advgen`` console script (``advgen.warm.client:main``), wherever this interpreter is
CONSOLE = "import sys; from advgen.warm.client import main; sys.exit(main())"


class Run:
    """A stand-in for a Snakemake run: a live owner process and its jobs' environment."""

    def __init__(self, work: Path, env: dict[str, str]) -> None:
        self.work = work
        self.owner = subprocess.Popen(["sleep", "600"])
        self.env = {k: v for k, v in env.items() if not k.startswith("SLURM_") and k != "XDG_RUNTIME_DIR"}
        self.env.pop(owners.ENABLE_ENV, None)
        # a short folder: a Unix socket's path is at most 107 bytes
        self.env["TMPDIR"] = tempfile.mkdtemp(prefix="aw")
        self.env[owners.OWNER_ENV] = f"{socket.gethostname()}:{self.owner.pid}:"

    def job(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", CONSOLE, *args],
            cwd=self.work,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=300,
        )

    def place(self):
        return place_for(self.env[owners.OWNER_ENV], self.env, cwd=str(self.work))

    def end(self) -> None:
        self.owner.kill()
        self.owner.wait()
        shutil.rmtree(self.env["TMPDIR"], ignore_errors=True)

    @classmethod
    def for_test(cls, tmp_path: Path) -> Iterator[Self]:
        """A fixture's run: working folder ``tmp_path/work``, ended after the test."""
        work = tmp_path / "work"
        work.mkdir()
        r = cls(work, base_env())
        yield r
        r.end()


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Run]:
    yield from Run.for_test(tmp_path)


def server_of(stderr: str) -> int:
    first = stderr.split("\n", 1)[0]
    match = WARM.match(first)
    assert match, f"the job did not start warm: {stderr[:2000]}"
    return int(match.group(1))


def gone(pid: int, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def stale_socket(path: Path) -> None:
    """What a server killed with SIGKILL leaves: a socket file nobody listens at."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.close()


def test_jobs_start_warm_from_one_private_server_and_behave_as_fresh_processes(run: Run) -> None:
    place = run.place()
    socket_path = Path(place.socket)
    stale_socket(socket_path)
    # two jobs at once, no server yet: one starts it (under the lock), both run in it
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", CONSOLE, "--version"],
            cwd=run.work,
            env=run.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in starts]
    assert [p.returncode for p in starts] == [0, 0], outputs
    servers = {server_of(err) for _, err in outputs}
    assert len(servers) == 1
    (server,) = servers
    assert stat.S_IMODE(socket_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(socket_path.parent.stat().st_mode) == 0o700
    cases = (
        ("--version",),
        ("no-such-command",),
        ("check-config", "missing.yaml"),
        ("--threads", "1", "check-config", str(REPO / ".test/config/data.yaml")),
    )
    for args in cases:
        warm, fresh = run.job(*args), run.job(*args, ADVGEN_WARM="0")
        assert server_of(warm.stderr) == server
        assert not WARM.match(fresh.stderr.split("\n", 1)[0])
        assert warm.returncode == fresh.returncode, args
        assert warm.stdout == fresh.stdout, args
        assert warm.stderr.split("\n", 1)[1] == fresh.stderr, args
    # SIGTERM to the client reaches the job (busy here parsing a config of a few MB, seconds of
    # work; a FIFO such as /dev/stdin is refused as an input): advgen's SIGTERM handling runs in
    # the child and the client exits with its status, 143
    rng = random.Random(0)
    rows = (f"  - k{i}: [{', '.join(str(rng.random()) for _ in range(20))}]" for i in range(15_000))
    big = run.work / "big.yaml"
    big.write_text("seed: 0\nnotes:\n" + "\n".join(rows) + "\n")
    proc = subprocess.Popen(
        [sys.executable, "-c", CONSOLE, "check-config", str(big)],
        cwd=run.work,
        env=run.env,
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    assert server_of(proc.stderr.readline()) == server
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 143
    run.end()  # the run's Snakemake ends: so does its server, and its socket goes
    assert gone(server)
    assert not socket_path.exists()


def _usage(stderr: str) -> float | None:
    """The CPU seconds of a job's ``advgen: job usage:`` line (its stderr's last), or None."""
    from advgen.warm.child import USAGE_PREFIX

    lines = stderr.rstrip("\n").split("\n")
    assert not any(line.startswith(USAGE_PREFIX) for line in lines[:-1]), stderr[-2000:]
    match = re.fullmatch(
        re.escape(USAGE_PREFIX) + r"cpu_s=(\d+\.\d\d) user_s=(\d+\.\d\d) system_s=(\d+\.\d\d)", lines[-1]
    )
    if match is None:
        return None
    cpu, user, system = (float(g) for g in match.groups())
    assert abs(cpu - user - system) <= 0.011
    return cpu


def test_a_warm_job_tells_its_cpu_seconds_when_asked(run: Run) -> None:
    """Snakemake's benchmark of a job measures its client's processes, and a warm job runs in the
    server's forked child: with ADVGEN_JOB_USAGE=1 the child ends the job's stderr with its own
    CPU seconds (a config of a few MB parsed costs more than ``--version``); without it, nothing."""
    rng = random.Random(1)
    rows = (f"  - k{i}: [{', '.join(str(rng.random()) for _ in range(20))}]" for i in range(15_000))
    big = run.work / "big.yaml"
    big.write_text("seed: 0\nnotes:\n" + "\n".join(rows) + "\n")
    plain = run.job("--version")
    server = server_of(plain.stderr)
    assert _usage(plain.stderr) is None
    small = run.job("--version", ADVGEN_JOB_USAGE="1")
    heavy = run.job("check-config", str(big), ADVGEN_JOB_USAGE="1")
    assert server_of(small.stderr) == server_of(heavy.stderr) == server
    assert small.stdout == plain.stdout and small.returncode == plain.returncode == 0
    little, much = _usage(small.stderr), _usage(heavy.stderr)
    assert little is not None and much is not None
    assert much > max(0.2, little), (little, much)


def test_a_server_restarts_when_the_advgen_sources_change(run: Run, tmp_path: Path) -> None:
    """A copy of the package is the installed one; a module edited between two jobs is the
    module the second job runs, in a new server. (The run's first server is started here, as a
    job would start it but importing nothing beyond advgen itself, which the edit changes.)"""
    copy = tmp_path / "site"
    shutil.copytree(REPO / "src" / "advgen", copy / "advgen", ignore=shutil.ignore_patterns("__pycache__"))
    run.env["PYTHONPATH"] = str(copy)
    # the copy's place, as its jobs find it (the package's folder is part of the key)
    where = (
        f"import os; from advgen.warm.place import place_for as f; p = f(os.environ['{owners.OWNER_ENV}'])"
    )
    found = subprocess.run(
        [sys.executable, "-c", f"{where}; print(p.socket, p.lock)"],
        cwd=run.work,
        env=run.env,
        capture_output=True,
        text=True,
        check=True,
    )
    socket_path, lock = found.stdout.split()
    command = [sys.executable, "-P", "-m", "advgen.warm.server", "--socket", socket_path, "--lock", lock]
    command += ["--owner", str(run.owner.pid), "--preload", "", "--announce"]
    server = subprocess.Popen(command, cwd=run.work, env=run.env, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None and server.stdout.readline().strip() == "ready"
    first = run.job("--version")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("advgen ") and "+edited" not in first.stdout
    init = copy / "advgen" / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "', '__version__ = "9.9.9+edited-'))
    second = run.job("--version")
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("advgen 9.9.9+edited-")
    old, new = server_of(first.stderr), server_of(second.stderr)
    assert old == server.pid != new
    assert server.wait(timeout=30) == 0  # it retired with nothing left to run
    server.stdout.close()
