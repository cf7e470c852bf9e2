"""The warm server (advgen.warm, as the test suite's fork servers of tests/forkserver.py start it)
stands in for a fresh process: the child gets the client's arguments, working folder,
environment and descriptors, the client exits with the child's status, signals to the client
reach the child, a child killed by a signal (SIGKILL too) ends its client by the same signal,
and a client killed with SIGKILL takes its child with it. (A local run's outputs through it
equal a run of fresh processes: tests/workflow/test_warm_workflow.py.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from tests import forkserver
from tests.conftest import base_env

PROBE = textwrap.dedent(
    """
    import json, os, sys, time

    def main(argv):
        if argv[0] == "describe":
            print(json.dumps({"argv": argv, "cwd": os.getcwd(), "probe": os.environ.get("PROBE"),
                              "sys_argv": sys.argv}))
            print("to stderr", file=sys.stderr)
            return 0
        if argv[0] == "exit":
            return int(argv[1])
        if argv[0] == "raise":
            raise ValueError("boom")
        if argv[0] == "sleep":
            with open(argv[1], "w") as f:
                f.write(str(os.getpid()))
            time.sleep(60)
            return 0
    """
)


@pytest.fixture(scope="module")
def probe_server(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("probe")
    (folder / "probe_main.py").write_text(PROBE)
    env = base_env()
    env["PYTHONPATH"] = f"{folder}{os.pathsep}{env['PYTHONPATH']}"
    server = forkserver.ForkServer(env, "probe", entry="probe_main:main", preload=False)
    yield server
    server.stop()


def client(server: forkserver.ForkServer, *args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(server.client), *args], capture_output=True, text=True, timeout=60, **kwargs)


def test_the_child_gets_the_clients_arguments_folder_environment_and_streams(probe_server, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    proc = client(probe_server, "describe", "x y", cwd=work, env={**os.environ, "PROBE": "seen"})
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    assert seen == {
        "argv": ["describe", "x y"],
        "cwd": str(work),
        "probe": "seen",
        "sys_argv": [str(probe_server.client), "describe", "x y"],  # the script, as in a fresh process
    }
    assert proc.stderr == "to stderr\n"


@pytest.mark.parametrize(("args", "status"), [(("exit", "0"), 0), (("exit", "3"), 3), (("raise",), 1)])
def test_the_client_exits_with_the_childs_status(probe_server, args, status):
    proc = client(probe_server, *args)
    assert proc.returncode == status
    if args == ("raise",):
        assert "ValueError: boom" in proc.stderr


def wait_for(path: Path) -> int:
    for _ in range(500):
        if path.exists() and path.read_text():
            return int(path.read_text())
        time.sleep(0.01)
    raise AssertionError(f"{path} never written")


def gone(pid: int) -> bool:
    for _ in range(500):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.01)
    return False


def test_sigterm_to_the_client_reaches_the_child(probe_server, tmp_path):
    marker = tmp_path / "pid"
    proc = subprocess.Popen([str(probe_server.client), "sleep", str(marker)])
    child = wait_for(marker)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == -signal.SIGTERM  # as a fresh process killed by SIGTERM
    assert gone(child)


def test_a_client_killed_with_sigkill_takes_its_child_along(probe_server, tmp_path):
    marker = tmp_path / "pid"
    proc = subprocess.Popen([str(probe_server.client), "sleep", str(marker)])
    child = wait_for(marker)
    proc.kill()
    proc.wait(timeout=30)
    assert gone(child)


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_a_child_killed_by_a_signal_ends_its_client_by_the_same_signal(probe_server, tmp_path, signum):
    """SIGKILL too (the OOM killer's), which the client cannot set an action for."""
    marker = tmp_path / "pid"
    proc = subprocess.Popen([str(probe_server.client), "sleep", str(marker)], stderr=subprocess.PIPE)
    os.kill(wait_for(marker), signum)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == -signum, stderr.decode()
    assert not stderr
