"""A fork server for the ``advgen`` jobs that the workflow tests make Snakemake run.

A job of the tiny test configs computes for a fraction of a second and spends about 2 CPU
seconds starting Python and importing torch, pandas and matplotlib. The workflow tests run
hundreds of such jobs. Here one server process per test process imports those libraries once;
each ``advgen`` command of a job is then a small client (``bin/advgen``, standard library only)
that hands its arguments, working folder, environment and standard streams to the server, which
forks a child that runs :func:`advgen.cli.main` exactly as the console script would.

What the child sees is what a fresh ``advgen`` process sees: its own working folder, its own
environment (``os.environ`` replaced), its own file descriptors 0-2 (the job's ``> log 2>&1``),
``sys.argv``, default signal dispositions, and a new session. The client waits for the child and
exits with its status; SIGTERM, SIGINT and SIGHUP sent to the client are forwarded to the child,
and if the client itself dies (SIGKILL), the child is killed too (it watches the connection).
What differs: the libraries are imported before the job's environment is set, so an environment
variable read at import time by a library would come from the test process (advgen reads its
variables when called, and ``OMP_NUM_THREADS`` / ``MKL_NUM_THREADS`` are read by torch when its
thread pool starts, which the server never does: it runs no torch operation).

Set ``ADVGEN_TEST_FORKSERVER=0`` to run every job as a fresh process instead. The stand-in
``advgen`` of ``tests/conftest.py``, the SLURM tests and the CI's wheel workflow never use it;
``make test-paper`` does (``python tests/forkserver.py run COMMAND...``).

Protocol (one connection per command, a Unix stream socket): the client sends 8 bytes (the
length of a JSON payload) together with its descriptors 0, 1 and 2 (``SCM_RIGHTS``), then the
payload ``{"argv", "cwd", "env"}``; the server answers the child's pid (8 bytes) at once and,
when the child ends, its wait status as a signed 4-byte integer (the exit status, or minus the
signal that killed it).
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ENABLE_ENV = "ADVGEN_TEST_FORKSERVER"

#: what a server of each program imports before it forks (what the jobs of the test configs and
#: Snakemake's runs of them import), and the function its children run
PROGRAMS = {
    "advgen": (
        "advgen.cli:main",
        (
            "numpy",
            "torch",
            "torch.nn",
            "torch.optim",
            "torch.func",
            "pandas",
            "pyarrow",
            "pyarrow.parquet",
            "scipy.optimize",
            "sklearn.datasets",
            "torchmetrics",
            "matplotlib",
            "matplotlib.pyplot",
            "jsonschema",
            "yaml",
            "advgen.cli",
            "advgen.io",
        ),
    ),
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

CLIENT = """\
#!{python} -S
# Stand-in for the advgen console script: runs the command in a child of the test fork
# server (tests/forkserver.py) and exits with its status.
import json, os, signal, socket, struct, sys

sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect({address!r})
payload = json.dumps({{"argv": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ)}}).encode()
socket.send_fds(sock, [struct.pack("!Q", len(payload))], [0, 1, 2])
sock.sendall(payload)


def read(n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            sys.exit("advgen (test fork server): the server closed the connection")
        data += chunk
    return data


pid = struct.unpack("!Q", read(8))[0]
for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
    signal.signal(sig, lambda signum, frame: os.kill(pid, signum))
status = struct.unpack("!i", read(4))[0]
if status < 0:
    signal.signal(-status, signal.SIG_DFL)
    os.kill(os.getpid(), -status)
    sys.exit(128 - status)
sys.exit(status)
"""


# --- the server (``python tests/forkserver.py SOCKET``)
def _preload(modules: tuple[str, ...]) -> None:
    import importlib

    for name in modules:
        importlib.import_module(name)
    if "torch" in modules:
        import torch

        # an optimizer's first step imports TorchDynamo (about 1.3 CPU s); torch.compiler.disable
        # imports it too, without running any torch operation (no thread pool starts before a fork)
        torch.compiler.disable(lambda: None)


def _recv_exact(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("client closed the connection")
        data += chunk
    return data


def _entry(spec: str):
    """``module:function``, the function a child runs with the command's arguments."""
    import importlib

    module, _, function = spec.partition(":")
    return getattr(importlib.import_module(module), function)


def _run_child(
    conn: socket.socket, fds: list[int], request: dict, close: list[socket.socket], program: str, entry: str
) -> None:
    """In the forked child: become the process the client stands for; never returns."""
    code = 1
    try:
        for sock in close:
            sock.close()
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setsid()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = [program, *request["argv"]]

        def watch() -> None:  # the client died (SIGKILL): so does this job
            try:
                conn.recv(1)
            finally:
                os.kill(os.getpid(), signal.SIGKILL)

        threading.Thread(target=watch, daemon=True).start()
        main = _entry(entry)
        try:
            code = main(request["argv"])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if exc.code is not None and not isinstance(exc.code, int):
                print(exc.code, file=sys.stderr)
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code if isinstance(code, int) else 1)


def serve(address: str, program: str, entry: str = "", preload: str = "preload") -> None:
    default_entry, modules = PROGRAMS.get(program, ("", ()))
    entry = entry or default_entry
    if preload == "preload":
        _preload(modules)
    _entry(entry)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(64)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes the loop through the pipe
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(wake_r, selectors.EVENT_READ)
    children: dict[int, socket.socket] = {}
    print("ready", flush=True)
    while True:
        for key, _ in selector.select(timeout=1.0):
            if key.fileobj is listener:
                conn, _ = listener.accept()
                try:
                    header, fds, _, _ = socket.recv_fds(conn, 8, 3)
                    (size,) = struct.unpack("!Q", header)
                    request = json.loads(_recv_exact(conn, size))
                except (OSError, ValueError, struct.error):
                    conn.close()
                    continue
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:
                    _run_child(conn, fds, request, [listener, *children.values()], program, entry)
                for fd in fds:
                    os.close(fd)
                children[pid] = conn
                try:
                    conn.sendall(struct.pack("!Q", pid))
                except OSError:
                    pass
            else:
                os.read(wake_r, 4096)
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            conn = children.pop(pid, None)
            if conn is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            try:
                conn.sendall(struct.pack("!i", code))
            except OSError:
                pass
            conn.close()


# --- the test side
class ForkServer:
    """A running server of ``program`` and the ``bin/`` folder whose ``program`` talks to it."""

    def __init__(self, env: dict[str, str], program: str, entry: str = "", preload: bool = True) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix=f"{program}-forkserver-"))
        self.address = str(self.folder / "socket")
        self.bin = self.folder / "bin"
        self.bin.mkdir()
        self.client = self.bin / program
        self.client.write_text(CLIENT.format(python=sys.executable, address=self.address))
        self.client.chmod(0o755)
        command = [sys.executable, str(Path(__file__).resolve()), self.address, program, entry]
        self.process = subprocess.Popen(
            [*command, "preload" if preload else "none"], env=env, stdout=subprocess.PIPE, text=True
        )
        ready = self.process.stdout.readline().strip()
        if ready != "ready":
            self.process.kill()
            raise RuntimeError(f"the {program} test fork server did not start (said {ready!r})")

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        for path in (self.client, Path(self.address)):
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


def shutdown() -> None:
    with _lock:
        for server in _servers.values():
            server.stop()
        _servers.clear()


def run_with_server(command: list[str]) -> int:
    """``command`` with this environment, ``advgen`` on its PATH served by a fork server (stopped
    after it): what ``scripts/test_paper.sh`` runs the paper smoke DAG under."""
    env = dict(os.environ)
    server = ForkServer(env, "advgen")
    try:
        env["PATH"] = f"{server.bin}{os.pathsep}{env.get('PATH', '')}"
        return subprocess.run(command, env=env).returncode
    finally:
        server.stop()


if __name__ == "__main__":
    if sys.argv[1:2] == ["run"]:  # python tests/forkserver.py run COMMAND...
        sys.exit(run_with_server(sys.argv[2:]))
    serve(*sys.argv[1:5])
