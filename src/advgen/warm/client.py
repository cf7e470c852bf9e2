"""The ``advgen`` console script: a job of a local run starts warm, anything else fresh.

:func:`main` imports only the standard library (and advgen's own small ``warm`` modules)
before it decides: with no owner (:func:`advgen.warm.owner.owner_of_job`) it runs
:func:`advgen.cli.main` in this process, as before. Otherwise it connects to the run's server
(starting it, under the user's lock, when no server answers or a dead one left its socket
behind), hands over the job (:mod:`advgen.warm.protocol`), forwards SIGTERM, SIGINT, SIGHUP,
SIGQUIT, SIGUSR1 and SIGUSR2 to the job, and exits as the job did: with its exit status, or
killed by the same signal. When no server can be had (a folder that is not private, a server
that does not start) the job runs fresh, after one line that says why.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections.abc import Sequence

from advgen.warm import owner as owners
from advgen.warm import protocol
from advgen.warm.place import Place, place_for
from advgen.warm.protocol import Unavailable

#: how long a client waits for a server it started to import its libraries
START_TIMEOUT = 600.0
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)
_ATTEMPTS = 3


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``advgen`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    owner = owners.owner_of_job(os.environ)
    if owner is not None:
        try:
            return run_warm(place_for(owner.tag()), argv, owner.pid)
        except Unavailable as exc:
            print(f"advgen: warm start unavailable ({exc}); running a fresh process", file=sys.stderr)
    from advgen.cli import main as fresh

    return fresh(argv)


def run_warm(place: Place, argv: list[str], owner_pid: int) -> int:
    """Run the job in a child of ``place``'s server (started if need be); its exit status."""
    for _ in range(_ATTEMPTS):
        sock = connect(place.socket) or start(place, owner_pid)
        code = forward(sock, argv)
        if code is not None:
            return code
    raise Unavailable(f"the server at {place.socket} asked for a restart {_ATTEMPTS} times")


def connect(path: os.PathLike[str] | str) -> socket.socket | None:
    """A connection to the server at ``path``, or ``None`` when none listens there."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(os.fspath(path))
    except (FileNotFoundError, ConnectionRefusedError):
        sock.close()
        return None
    except OSError as exc:
        sock.close()
        raise Unavailable(f"cannot connect to {path}: {exc.strerror}") from None
    return sock


def start(place: Place, owner_pid: int) -> socket.socket:
    """Start the server of ``place`` (one job at a time: the user's lock) and connect to it."""
    import fcntl

    fd = os.open(place.lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        sock = connect(place.socket)  # another job started it while this one waited
        if sock is not None:
            return sock
        try:
            os.unlink(place.socket)  # a dead server's socket
        except FileNotFoundError:
            pass
        _spawn(place, owner_pid)
    finally:
        os.close(fd)
    sock = connect(place.socket)
    if sock is None:
        raise Unavailable(f"the server started but {place.socket} does not answer")
    return sock


def _spawn(place: Place, owner_pid: int) -> None:
    """Start ``python -m advgen.warm.server`` for ``place`` and wait until it listens."""
    import select
    import subprocess

    command = [
        sys.executable,
        "-P",  # not the job's folder first on sys.path: a file there must not shadow a library
        "-m",
        "advgen.warm.server",
        "--socket",
        str(place.socket),
        "--lock",
        str(place.lock),
        "--owner",
        str(owner_pid),
        "--log",
        str(place.log),
        "--announce",
    ]
    try:  # a new file: a server that is still finishing its jobs keeps writing the old one
        os.unlink(place.log)
    except FileNotFoundError:
        pass
    with open(os.open(place.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as log:
        proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, start_new_session=True
        )
    assert proc.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    line = b""
    while not line.endswith(b"\n"):
        if not select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))[0]:
            proc.kill()
            raise Unavailable(f"the server did not start in {START_TIMEOUT:.0f} s (log: {place.log})")
        chunk = os.read(proc.stdout.fileno(), 64)
        if not chunk:
            break
        line += chunk
    proc.stdout.close()
    if line.strip() != b"ready":
        proc.wait()
        raise Unavailable(f"the server failed to start: {_last_line(place.log)} (log: {place.log})")


def _last_line(path: os.PathLike[str]) -> str:
    try:
        with open(path, "rb") as f:
            lines = f.read().decode(errors="replace").strip().splitlines()
    except OSError:
        return "no log"
    return lines[-1] if lines else "no message"


def forward(sock: socket.socket, argv: list[str]) -> int | None:
    """Hand the job to the server on ``sock`` and wait for it; ``None`` when the server asks for
    a restart (or closed the connection) before it started the job."""
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else "advgen"
    request: dict[str, object] = {"argv0": argv0, "argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}
    try:
        protocol.send_request(sock, request)
        pid = protocol.recv_pid(sock)
    except ConnectionError:  # the server went away before it started the job: ask again
        sock.close()
        return None
    except OSError as exc:
        sock.close()
        raise Unavailable(f"the server failed to take the job: {exc}") from None
    if pid == protocol.RESTART:
        sock.close()
        return None
    for sig in FORWARDED:
        signal.signal(sig, lambda signum, frame: _kill(pid, signum))
    try:
        status = protocol.recv_status(sock)
    except ConnectionError:
        print("advgen: the warm server ended before the job did", file=sys.stderr)
        return 1
    finally:
        sock.close()
    if status < 0:  # killed by a signal: so is this process, as the shell would see a fresh job
        if -status != signal.SIGKILL:  # (whose action is the default and cannot be set)
            signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
        return 128 - status
    return status


def _kill(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def forward_to(path: os.PathLike[str] | str, argv: Sequence[str] | None = None) -> int:
    """Run ``argv`` through the server listening at ``path`` (no owner, no start): what a
    client of a server started by hand (the test suite's) runs."""
    sock = connect(path)
    if sock is None:
        sys.exit(f"advgen: no warm server listens at {path}")
    code = forward(sock, list(sys.argv[1:] if argv is None else argv))
    if code is None:
        sys.exit(f"advgen: the warm server at {path} no longer serves")
    return code
