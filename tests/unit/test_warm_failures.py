"""A warm server that fails does not harm a job (advgen.warm.client, advgen.warm.server).

Whatever lies at the socket path (a folder, a stopped server, a listener that never answers)
and a working folder deleted under the job: one line, and the job runs fresh (the stopped
server's socket is removed, and the job it held never runs twice). A server killed while it
runs a job: the job reports its own exit status. A client killed while its server starts: the
next job waits for that server (the start lock is the server's until it listens) instead of
starting a second one; SIGTERM and SIGINT in that window end the client with 143 and 130, no
traceback. A server that fails to start: its own error in the line.

The servers here import one small module (or nothing) instead of torch (``--preload``; for the
servers the client starts, :data:`advgen.warm.client.SERVER_OPTIONS`), so each costs a fraction
of a second.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.unit.test_warm_server import Run, gone, server_of

#: a job that writes a file, says so, and exits once the file named second exists
WRITER = """
import os, sys, time

def main(argv):
    with open(argv[0], "w") as f:
        f.write("complete")
    print(os.getpid(), flush=True)
    while not os.path.exists(argv[1]):
        time.sleep(0.01)
    return 0
"""
#: a module whose import takes a while (a server that is slow to start)
SLOW = "import time\ntime.sleep(3)\n"
SMOKE = ("paper-smoke-config", str(REPO / "config" / "paper.yaml"), "-o")


def console(**patch: object) -> str:
    """The console script, with constants of advgen.warm.client replaced."""
    sets = "".join(f"c.{name} = {value!r}; " for name, value in patch.items())
    return f"import sys; import advgen.warm.client as c; {sets}sys.exit(c.main())"


class Lab(Run):
    """A run whose jobs find the test's modules (writer, slow) on their path."""

    def __init__(self, work: Path, env: dict[str, str]) -> None:
        super().__init__(work, env)
        modules = work.parent / "modules"
        modules.mkdir()
        (modules / "warm_writer.py").write_text(WRITER)
        (modules / "warm_slow.py").write_text(SLOW)
        self.env["PYTHONPATH"] = f"{modules}{os.pathsep}{self.env['PYTHONPATH']}"
        self.servers: list[subprocess.Popen[str]] = []

    def start(self, *args: str, script: str | None = None, **env: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", script or console(), *args],
            cwd=self.work,
            env={**self.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def call(self, *args: str, script: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", script or console(), *args],
            cwd=self.work,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )

    def server(self, *options: str) -> subprocess.Popen[str]:
        """A server at the run's socket, started by hand (importing nothing, unless ``options``)."""
        place = self.place()
        command = [sys.executable, "-P", "-m", "advgen.warm.server", "--socket", place.socket]
        command += ["--lock", place.lock, "--owner", str(self.owner.pid), "--preload", "", "--announce"]
        server = subprocess.Popen(
            [*command, *options], cwd=self.work, env=self.env, stdout=subprocess.PIPE, text=True
        )
        self.servers.append(server)
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        return server

    def end(self) -> None:
        for server in self.servers:
            if server.poll() is None:
                server.kill()
            server.wait()
            if server.stdout is not None:
                server.stdout.close()
        super().end()


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    yield from Lab.for_test(tmp_path)


def fresh_after_one_line(result: subprocess.CompletedProcess[str], why: str) -> None:
    """The job ran fresh (exit 0) after one line that says ``why``."""
    assert result.returncode == 0, result.stderr
    first, _, rest = result.stderr.partition("\n")
    assert first.startswith("advgen: warm start unavailable (") and why in first, result.stderr
    assert first.endswith("); running a fresh process")
    assert "Traceback" not in rest and "warm start (forked" not in rest


def test_a_folder_at_the_socket_path_is_one_line(lab: Lab) -> None:
    path = Path(lab.place().socket)
    path.mkdir(parents=True)
    result = lab.call("--version")
    fresh_after_one_line(result, f"{path} is in the way of the server's socket")
    assert result.stdout.startswith("advgen ")


def test_a_deleted_working_folder_is_one_line(lab: Lab) -> None:
    gone_folder = lab.work / "gone"
    gone_folder.mkdir()
    script = f"import os; os.chdir({str(gone_folder)!r}); os.rmdir({str(gone_folder)!r}); {console()}"
    result = lab.call("--version", script=script)
    fresh_after_one_line(result, "No such file or directory")
    assert result.stdout.startswith("advgen ")


def test_a_stopped_server_costs_one_line_and_never_runs_the_job_twice(lab: Lab) -> None:
    server = lab.server()
    first = lab.call("--version")
    assert first.returncode == 0 and server_of(first.stderr) == server.pid, first.stderr
    server.send_signal(signal.SIGSTOP)
    result = lab.call(*SMOKE, "b.yaml", script=console(HANDOFF_TIMEOUT=1.0))
    fresh_after_one_line(result, "the server did not take the job within 1 s")
    assert (lab.work / "b.yaml").read_text().startswith("# ")
    assert not Path(lab.place().socket).exists()  # the next job starts a new server
    (lab.work / "b.yaml").unlink()
    server.send_signal(signal.SIGCONT)  # it takes the abandoned connection: the job does not run
    time.sleep(1.0)
    assert not (lab.work / "b.yaml").exists()
    assert server.poll() is None


def test_a_listener_that_never_answers_costs_one_line(lab: Lab) -> None:
    path = Path(lab.place().socket)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        silent.bind(str(path))
        silent.listen(8)
        result = lab.call("--version", script=console(HANDOFF_TIMEOUT=1.0))
    finally:
        silent.close()
    fresh_after_one_line(result, "the server did not take the job within 1 s")
    assert result.stdout.startswith("advgen ")


def test_a_job_whose_server_is_killed_reports_its_own_status(lab: Lab) -> None:
    server = lab.server("--preload", "warm_writer", "--entry", "warm_writer:main")
    done = lab.work / "done"
    client = lab.start(str(lab.work / "out.txt"), str(done))
    assert client.stdout is not None
    job = int(client.stdout.readline())
    server.kill()
    server.wait()
    done.touch()
    assert client.wait(timeout=30) == 0, client.communicate()
    assert (lab.work / "out.txt").read_text() == "complete"
    assert gone(job, timeout=5)


def _servers_of(socket_path: str) -> list[int]:
    """The pids of the warm servers listening (or starting to) at ``socket_path``."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"advgen.warm.server" in argv and os.fsencode(socket_path) in argv:
            pids.append(int(proc.name))
    return pids


def _wait_for_server(socket_path: str) -> None:
    deadline = time.monotonic() + 30
    while not _servers_of(socket_path):
        assert time.monotonic() < deadline, "no server started"
        time.sleep(0.02)
    time.sleep(0.3)  # importing its modules


def test_a_client_killed_while_its_server_starts_leaves_one_server(lab: Lab) -> None:
    slow = console(SERVER_OPTIONS=("--preload", "warm_slow"))
    socket_path = lab.place().socket
    starter = lab.start("--version", script=slow)
    _wait_for_server(socket_path)
    starter.kill()
    starter.communicate()
    second = lab.call("--version", script=slow)  # waits for the first one's server
    assert second.returncode == 0, second.stderr
    assert [server_of(second.stderr)] == _servers_of(socket_path)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_the_server_starts_ends_the_client_as_a_fresh_job(lab: Lab, signum: int) -> None:
    client = lab.start("--version", script=console(SERVER_OPTIONS=("--preload", "warm_slow")))
    _wait_for_server(lab.place().socket)
    client.send_signal(signum)
    out, err = client.communicate(timeout=30)
    assert client.returncode == 128 + signum
    assert (out, err) == ("", "")


def test_a_server_that_cannot_start_is_named_by_its_own_error(lab: Lab) -> None:
    result = lab.call("--version", script=console(SERVER_OPTIONS=("--preload", "warm_no_such_module")))
    fresh_after_one_line(
        result, "the server failed to start: ModuleNotFoundError(\"No module named 'warm_no_such_module'\")"
    )
