"""The test suite's fork servers: advgen's warm server (:mod:`advgen.warm.server`), one per program
and test process.

A job of the tiny test configs computes for a fraction of a second and spends about 2 CPU
seconds starting Python and importing torch, pandas and matplotlib. A local run of the product
already starts its jobs warm (one server per Snakemake run); the workflow tests make hundreds
of short Snakemake runs, so here one server per test process serves them all: ``advgen`` (the
product's preload, its children run :func:`advgen.cli.console`) and ``snakemake`` (Snakemake's
modules, its children run :func:`snakemake.cli.main`, so the tests' own ``snakemake`` calls skip
a second of imports too). Each program's client is a script ``bin/<program>`` (``python -S``:
:func:`advgen.warm.client.forward_to`) that hands its arguments, working folder, environment
and standard streams to the server; what the child sees, how signals and exit statuses travel,
and what the server does when the advgen sources change are the product's (:mod:`advgen.warm`).

The servers end with the test process (their owner) or :func:`shutdown`. Set
``ADVGEN_TEST_FORKSERVER=0`` to run every job as a fresh process instead (``tests/conftest.py``
then sets ``ADVGEN_WARM=0`` too, unless a test sets it). The stand-in ``advgen`` of
``tests/conftest.py`` and the SLURM tests never use them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import advgen

ENABLE_ENV = "ADVGEN_TEST_FORKSERVER"

#: per program: the function its children run, and what its server imports first (``None``: the
#: warm server's own list, what the jobs of a run import)
PROGRAMS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "advgen": ("advgen.cli:console", None),
    "snakemake": (
        "snakemake.cli:main",
        (
            "snakemake.cli",
            "snakemake.api",
            "snakemake_executor_plugin_slurm",
            "advgen.pipeline",
            "advgen.config",
        ),
    ),
}
#: where the client finds advgen.warm (it runs with ``-S``: no site-packages)
SRC = Path(advgen.__file__).resolve().parents[1]

CLIENT = """\
#!{python} -S
# Stand-in for the {program} command: runs it in a child of a test fork server (tests/forkserver.py)
# and exits as it did.
import sys

sys.path.insert(0, {src!r})
from advgen.warm.client import forward_to

sys.exit(forward_to({address!r}))
"""


class ForkServer:
    """A running warm server of ``program`` and the ``bin/`` folder whose ``program`` talks to it.

    ``entry`` (``module:function``) replaces the program's function; ``preload`` is ``True`` (the
    program's modules), ``False`` (nothing: a server that starts in a fraction of a second) or
    the modules to import."""

    def __init__(
        self, env: dict[str, str], program: str, entry: str = "", preload: bool | tuple[str, ...] = True
    ) -> None:
        default_entry, modules = PROGRAMS.get(program, ("", ()))
        self.folder = Path(tempfile.mkdtemp(prefix=f"{program}-forkserver-"))
        self.address = str(self.folder / "socket")
        self.bin = self.folder / "bin"
        self.bin.mkdir()
        self.client = self.bin / program
        self.client.write_text(
            CLIENT.format(python=sys.executable, program=program, src=str(SRC), address=self.address)
        )
        self.client.chmod(0o755)
        command = [sys.executable, "-P", "-m", "advgen.warm.server", "--socket", self.address]
        command += ["--entry", entry or default_entry, "--owner", str(os.getpid()), "--idle", "1e9"]
        if preload is not True:
            command += ["--preload", ",".join(preload or ())]
        elif modules is not None:
            command += ["--preload", ",".join(modules)]
        self.log = self.folder / "server.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
        ready = self.process.stdout.readline().strip()
        if ready != "ready":
            self.process.kill()
            raise RuntimeError(
                f"the {program} test fork server did not start:\n{self.log.read_text()[-3000:]}"
            )

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        for path in (self.client, Path(self.address), self.log):
            path.unlink(missing_ok=True)
        for path in (self.bin, self.folder):
            try:
                path.rmdir()
            except OSError:
                pass


_servers: dict[str, ForkServer] = {}
_lock = threading.Lock()


def enabled(env: dict[str, str]) -> bool:
    return env.get(ENABLE_ENV, "1") != "0"


def client(program: str, env: dict[str, str]) -> Path:
    """The client of this test process's ``program`` server (started on first use with ``env``)."""
    with _lock:
        server = _servers.get(program)
        if server is None or not server.alive():
            start = time.monotonic()
            server = _servers[program] = ForkServer(env, program)
            sys.stderr.write(f"{program} test fork server started in {time.monotonic() - start:.1f} s\n")
        return server.client


def wait_for_jobs(program: str, timeout: float = 60.0) -> None:
    """Wait until no job of this test process's ``program`` server runs (the children of a
    client killed with SIGKILL die a moment after it; Linux's ``/proc``)."""
    server = _servers.get(program)
    if server is None:
        return
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    deadline = time.monotonic() + timeout
    while children.exists() and children.read_text().split() and time.monotonic() < deadline:
        time.sleep(0.01)


def shutdown() -> None:
    with _lock:
        for server in _servers.values():
            server.stop()
        _servers.clear()
