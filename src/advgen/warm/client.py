"""The ``advgen`` console script: a job of a local run starts warm, anything else fresh.

:func:`main` imports only the standard library (and advgen's own small ``warm`` modules)
before it decides: with no owner (:func:`advgen.warm.owner.owner_of_job`) it runs
:func:`advgen.cli.console` in this process, as before. Otherwise it connects to the run's
server (starting it, under the user's start lock, when no server answers or a dead one left
its socket behind), hands over the job with its process state (:mod:`advgen.warm.protocol`,
:mod:`advgen.warm.state`), gives the go-ahead, forwards SIGTERM, SIGINT, SIGHUP, SIGQUIT,
SIGUSR1 and SIGUSR2 to the job (those its caller does not ignore), stops and continues the job
with itself (SIGTSTP, SIGCONT; the server follows a SIGSTOP), and exits as the job did: with its
exit status, or killed by the same signal. Its signal handlers are set before it looks for a
server: until the job runs, SIGTERM and SIGINT end it as they end a fresh ``advgen`` (143, 130,
no traceback, and the job never runs); once the job has ended, every forwarded signal is
ignored to the exit, as a fresh command that completed ignores them (:mod:`advgen.termination`).

When no server can be had (a folder that is not private, something else at the socket path, a
server that does not start, or does not take the job within :data:`HANDOFF_TIMEOUT` seconds, a
working folder that is gone, a process state the child cannot take on) the job runs fresh,
after one line that says why. A server that stops answering has its socket removed, so the
next job starts a new one.

A standard stream the caller closed is closed for the job too: while the client works, the
closed ones of descriptors 0-2 hold ``/dev/null`` (so that no socket of the client lands there
and is handed to the job as its stream), and the job gets only the open ones
(:class:`_Streams`). The client's own lines go to descriptor 2 unbuffered: a full or broken
stderr loses them and nothing else.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Sequence
from types import FrameType

from advgen.warm import owner as owners
from advgen.warm import protocol
from advgen.warm import state as process_state
from advgen.warm.place import Place, place_for
from advgen.warm.protocol import Unavailable

#: how long a client waits for a server to import its libraries (its own, or another job's)
START_TIMEOUT = 600.0
#: how long a client waits for a listening server to take its job
HANDOFF_TIMEOUT = 30.0
#: options added to the server's command line (the test suite's servers import less)
SERVER_OPTIONS: tuple[str, ...] = ()
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)
_ATTEMPTS = 3


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``advgen`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    owner = owners.owner_of_job(os.environ)
    if owner is not None:
        _signals.install()
        _streams.hold()
        try:
            return run_warm(place_for(owner.tag()), argv, owner.pid)
        except Unavailable as exc:
            why = str(exc)
        except OSError as exc:  # the working folder deleted, a folder that cannot be made...
            why = _oserror(exc)
        _say(f"advgen: warm start unavailable ({why}); running a fresh process")
        _streams.release()
        _signals.restore()
    from advgen.cli import console

    return console(argv)


def _oserror(exc: OSError) -> str:
    where = f": {exc.filename}" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


def _say(line: str) -> None:
    """One line of the client's to descriptor 2, unbuffered (lost if stderr is full or closed)."""
    try:
        os.write(2, (line + "\n").encode(errors="backslashreplace"))
    except OSError:
        pass


class _Streams:
    """The standard streams the caller gave this process: the open ones go to the job; the closed
    ones hold ``/dev/null`` while the client works (:meth:`hold`), so that a socket or file of the
    client never takes descriptor 0, 1 or 2, and are closed again before a fresh start
    (:meth:`release`)."""

    def __init__(self) -> None:
        self.open: tuple[int, ...] = protocol.STREAMS
        self.held: list[int] = []

    def hold(self) -> None:
        if self.held:
            return
        self.open = tuple(fd for fd in protocol.STREAMS if protocol.is_open(fd))
        while True:  # a new descriptor is the lowest free one: the closed streams first
            fd = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
            if fd not in protocol.STREAMS:
                os.close(fd)
                return
            self.held.append(fd)

    def release(self) -> None:
        for fd in self.held:
            os.close(fd)
        self.held.clear()
        self.open = protocol.STREAMS


_streams = _Streams()


class _Signals:
    """What the client does with a signal: before its job runs, end as a fresh ``advgen`` would
    (SIGTERM, SIGINT) or take the default action; while the job runs, pass it on; once the job has
    ended, ignore it. A signal the caller ignores stays ignored (no handler is set)."""

    HANDLED = (*FORWARDED, signal.SIGTSTP, signal.SIGCONT)

    def __init__(self) -> None:
        self.previous: dict[int, object] = {}
        self.pid: int | None = None
        self.done = False

    def install(self) -> None:
        if self.previous:
            return
        for sig in self.HANDLED:
            if signal.getsignal(sig) is not signal.SIG_IGN:
                self.previous[sig] = signal.signal(sig, self._on_signal)

    def restore(self) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)  # type: ignore[arg-type]
        self.previous.clear()

    def finish(self) -> None:
        """The job has ended: ignore the signals to the exit (no job left to pass them to)."""
        self.done = True
        for sig in self.previous:
            signal.signal(sig, signal.SIG_IGN)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.done:
            return
        if self.pid is None:  # no job yet
            if signum in (signal.SIGTERM, signal.SIGINT):
                raise SystemExit(128 + signum)
            if signum != signal.SIGCONT:
                self._default(signum)
            return
        if signum == signal.SIGTSTP:  # Ctrl-Z: stop the job's process group, then this process
            _kill(self.pid, signal.SIGSTOP, group=True)
            self._default(signum)
        elif signum == signal.SIGCONT:
            _kill(self.pid, signal.SIGCONT, group=True)
        else:
            _kill(self.pid, signum)

    def _default(self, signum: int) -> None:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)  # a stop returns here once continued
        signal.signal(signum, self._on_signal)


_signals = _Signals()


def run_warm(place: Place, argv: list[str], owner_pid: int) -> int:
    """Run the job in a child of ``place``'s server (started if need be); its exit status."""
    for _ in range(_ATTEMPTS):
        sock = connect(place.socket) or start(place, owner_pid)
        code = forward(sock, argv, _abandoning(place, _inode(place.socket)))
        if code is not None:
            return code
    raise Unavailable(f"the server at {place.socket} asked for a restart {_ATTEMPTS} times")


def connect(path: os.PathLike[str] | str) -> socket.socket | None:
    """A connection to the server at ``path``, or ``None`` when none listens there."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(HANDOFF_TIMEOUT)  # a listener whose queue is full and never drains
    try:
        sock.connect(os.fspath(path))
    except (FileNotFoundError, ConnectionRefusedError):
        sock.close()
        return None
    except TimeoutError:
        sock.close()
        raise Unavailable(f"the server at {path} did not accept within {HANDOFF_TIMEOUT:.0f} s") from None
    except OSError as exc:
        sock.close()
        raise Unavailable(f"cannot connect to {path}: {exc.strerror}") from None
    return sock


def start(place: Place, owner_pid: int) -> socket.socket:
    """Start the server of ``place`` (one at a time: the user's start lock, which the starting
    server holds until it listens) and connect to it."""
    fd = _locked(place.lock)
    try:
        sock = connect(place.socket)  # another job started it while this one waited
        if sock is not None:
            return sock
        _remove(place.socket)  # a dead server's socket
        _spawn(place, owner_pid, fd)
    finally:
        os.close(fd)
    sock = connect(place.socket)
    if sock is None:
        raise Unavailable(f"the server started but {place.socket} does not answer")
    return sock


def _locked(path: str) -> int:
    """``path`` opened and locked (``flock``), waiting at most :data:`START_TIMEOUT` seconds."""
    import fcntl

    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise Unavailable(f"cannot open the start lock: {_oserror(exc)}") from None
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                raise Unavailable(f"a server has been starting for {START_TIMEOUT:.0f} s ({path})") from None
            time.sleep(0.05)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise Unavailable(f"{path} is in the way of the server's socket ({exc.strerror})") from None


def _spawn(place: Place, owner_pid: int, lock_fd: int) -> None:
    """Start ``python -m advgen.warm.server`` for ``place`` and wait until it listens; the server
    inherits the start lock and holds it until then (even if this client is killed meanwhile)."""
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
        "--lock-fd",
        str(lock_fd),
        "--owner",
        str(owner_pid),
        "--log",
        str(place.log),
        "--announce",
        *SERVER_OPTIONS,
    ]
    try:  # a new file: a server that is still finishing its jobs keeps writing the old one
        os.unlink(place.log)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise Unavailable(f"cannot replace the server's log: {_oserror(exc)}") from None
    with open(os.open(place.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as log:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            process_group=0,  # out of the terminal's job control, in the caller's session (autogroup)
            pass_fds=(lock_fd,),
        )
    assert proc.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    line = b""
    while not line.endswith(b"\n"):
        if not select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))[0]:
            proc.kill()
            raise Unavailable(f"the server did not start in {START_TIMEOUT:.0f} s (log: {place.log})")
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            break
        line += chunk
    proc.stdout.close()
    answer = line.decode(errors="replace").strip()
    if answer == "ready":
        return
    if answer.startswith("failed: "):
        raise Unavailable(f"the server failed to start: {answer[8:]} (log: {place.log})")
    code = proc.wait()
    how = f"killed by signal {-code}" if code < 0 else f"with status {code}"
    raise Unavailable(f"the server exited {how} before it listened (log: {place.log})")


def forward(sock: socket.socket, argv: list[str], on_timeout: Callable[[], None] | None = None) -> int | None:
    """Hand the job to the server on ``sock``, give the go-ahead and wait for the job's status;
    ``None`` when the server asks for a restart (or closed the connection) before a child took
    the job. :class:`Unavailable` (the job did not run: run it fresh) when the server does not
    answer in :data:`HANDOFF_TIMEOUT` seconds (after calling ``on_timeout``) or the child cannot
    take on the job's process state."""
    _signals.install()
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else "advgen"
    try:
        request: dict[str, object] = {
            "argv0": argv0,
            "argv": argv,
            "cwd": os.getcwd(),
            "env": dict(os.environ),
            "state": process_state.capture(),
        }
    except OSError as exc:
        sock.close()
        raise Unavailable(_oserror(exc)) from None
    sock.settimeout(HANDOFF_TIMEOUT)
    try:
        protocol.send_request(sock, request)
        tag, value = protocol.recv_answer(sock)
    except TimeoutError:
        sock.close()
        if on_timeout is not None:
            on_timeout()
        raise Unavailable(f"the server did not take the job within {HANDOFF_TIMEOUT:.0f} s") from None
    except ConnectionError:  # the server went away before it started the job: ask again
        sock.close()
        return None
    except OSError as exc:
        sock.close()
        raise Unavailable(f"the server failed to take the job: {exc}") from None
    if tag == protocol.RESTART:
        sock.close()
        return None
    if tag != protocol.READY:
        sock.close()
        if tag == protocol.FRESH:
            raise Unavailable(str(value))
        raise Unavailable(f"the warm child ended before the job started (status {value})")
    assert isinstance(value, int)
    _signals.pid = value  # from here on a signal goes to the job
    try:
        protocol.send_go(sock, _streams.open)
    except OSError:  # nobody holds the other end: the child is gone, the job never ran
        _signals.pid = None
        sock.close()
        raise Unavailable("the warm child ended before the job started") from None
    sock.settimeout(None)
    try:
        tag, value = protocol.recv_answer(sock)
        while tag != protocol.STATUS:
            tag, value = protocol.recv_answer(sock)
    except OSError:  # the job was killed by a signal and its server too: nobody saw how it ended
        _signals.finish()
        _say("advgen: the warm job ended without an exit status (its server was killed)")
        return 1
    finally:
        sock.close()
    _signals.finish()
    assert isinstance(value, int)
    if value < 0:  # killed by a signal: so is this process, as the shell would see a fresh job
        if -value != signal.SIGKILL:  # (whose action is the default and cannot be set)
            signal.signal(-value, signal.SIG_DFL)
        os.kill(os.getpid(), -value)
        return 128 - value
    return value


def _inode(path: str) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _abandoning(place: Place, inode: int | None) -> Callable[[], None]:
    return lambda: _abandon(place, inode)


def _abandon(place: Place, inode: int | None) -> None:
    """Remove the socket of a server that does not answer (if it is still the one at
    ``inode``), so the next job starts a new server; the old one finishes the jobs it holds."""
    import fcntl

    try:
        fd = os.open(place.lock, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if inode is not None and _inode(place.socket) == inode:
            os.unlink(place.socket)
    except OSError:  # locked by a starting server, or gone: leave it
        pass
    finally:
        os.close(fd)


def _kill(pid: int, signum: int, group: bool = False) -> None:
    try:
        if group:
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def forward_to(path: os.PathLike[str] | str, argv: Sequence[str] | None = None) -> int:
    """Run ``argv`` through the server listening at ``path`` (no owner, no start): what a
    client of a server started by hand (the test suite's) runs."""
    _streams.hold()
    sock = connect(path)
    if sock is None:
        sys.exit(f"advgen: no warm server listens at {path}")
    try:
        code = forward(sock, list(sys.argv[1:] if argv is None else argv))
    except Unavailable as exc:
        sys.exit(f"advgen: the warm server at {path} cannot run the job: {exc}")
    if code is None:
        sys.exit(f"advgen: the warm server at {path} no longer serves")
    return code
