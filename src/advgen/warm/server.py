"""The warm server: one process imports the libraries once and forks a child per job.

``python -P -m advgen.warm.server --socket PATH [--owner PID] [--lock PATH] [--lock-fd N]``
(the client starts it; ``-P`` keeps the job's folder off ``sys.path``) digests the advgen
sources, imports what the jobs import (:mod:`advgen.warm.preload`), binds its socket (mode
0600), prints ``ready`` (or ``failed: REASON``, the one line a client quotes) and serves: for
each request (:mod:`advgen.warm.protocol`) it digests the sources again
(:func:`advgen.provenance.digest_tree`, about 20 ms) and, when they changed since it started,
answers :data:`~advgen.warm.protocol.RESTART` and retires, so that the job starts a new server
that imports the new code; otherwise it forks a child that becomes the job
(:mod:`advgen.warm.child`) and reports the child's wait status when it ends (the child reports
its own exit status first). ``--lock-fd`` is the starting client's lock on the user's start lock,
which the server holds until it listens: a client killed while its server starts leaves the lock
held, so the next job waits for that server instead of starting a second one.

Its signal handlers are set before its imports (SIGTERM and SIGINT end a server that is still
starting with one line), and it makes its soft resource limits its hard ones
(:func:`advgen.warm.processes.raise_soft_limits`): a server is not bound by the soft limits of
the job that happened to start it (each job gets its own, :mod:`advgen.warm.state`). While a
job's client is stopped (SIGSTOP, which no process can catch and forward), the server stops the
job's process group, and continues it with the client.

It runs in the session of the job that started it (its own process group, no controlling
terminal: :func:`advgen.warm.processes.leave_terminal`), and so do the jobs it forks: on a kernel
that groups scheduling by session (autogroup) they share their caller's group, and its nice
value, as fresh jobs do (docs/security.md).

It never initialises CUDA: importing torch does not, and the server runs no torch operation
(nor does it start torch's thread pool); every child initialises CUDA on its own, with the
job's ``CUDA_VISIBLE_DEVICES``.

It retires (removes its socket, under the user's lock, if it is still its own, and takes no
more jobs) when the sources change, when it has run no job for ``--idle`` seconds, or when its
owner (the run's Snakemake, watched through a pidfd, else polled each second) ends or it gets
SIGTERM; in the last two cases it also sends SIGTERM to the process group of every job still
running, as a stopped Snakemake does, and SIGKILL :data:`GRACE_SECONDS` later. It exits once it
has retired and its last child has ended.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import selectors
import signal
import socket
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from advgen import provenance
from advgen.warm import child, protocol
from advgen.warm.owner import alive
from advgen.warm.preload import PRELOAD, entry_point, preload
from advgen.warm.processes import leave_terminal, peer_pid, raise_soft_limits, signal_group, stopped

IDLE_SECONDS = 600.0
GRACE_SECONDS = 30.0
ANNOUNCE = "advgen: warm start (forked from server pid {pid}; ADVGEN_WARM=0 starts fresh processes)"


def _log(message: str) -> None:
    print(
        f"{time.strftime('%Y-%m-%d %H:%M:%S')} advgen warm server {os.getpid()}: {message}", file=sys.stderr
    )


class Server:
    """A listening server; :meth:`run` serves until it has retired and its jobs have ended."""

    def __init__(
        self,
        path: Path,
        entry: Callable[[list[str]], Any],
        *,
        digest: str,
        owner: int | None = None,
        lock: Path | None = None,
        idle: float = IDLE_SECONDS,
        announce: bool = False,
    ) -> None:
        self.path, self.entry, self.digest, self.owner, self.lock = path, entry, digest, owner, lock
        self.idle = idle
        self.announce = ANNOUNCE.format(pid=os.getpid()) if announce else None
        self.children: dict[int, socket.socket] = {}
        self.clients: dict[int, int] = {}  # a job's pid -> its client's pid
        self.stopped: set[int] = set()  # the jobs this server stopped with their clients
        self.last_job = time.monotonic()
        self.retired = False
        self.kill_at: float | None = None
        self.terminated = False
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)  # the socket is born with mode 0600
        try:
            self.listener.bind(str(path))
        finally:
            os.umask(old_umask)
        os.chmod(path, 0o600)
        self.inode = os.stat(path).st_ino
        self.listener.listen(128)
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes the loop through the pipe
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_terminate)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ, "accept")
        self.selector.register(self.wake_r, selectors.EVENT_READ, "wake")
        self.pidfd = self._watch(owner)

    def _watch(self, owner: int | None) -> int | None:
        if owner is None or not hasattr(os, "pidfd_open"):
            return None
        try:
            fd = os.pidfd_open(owner)
        except OSError:  # gone already, or no pidfds here: polled instead
            return None
        self.selector.register(fd, selectors.EVENT_READ, "owner")
        return fd

    def _on_terminate(self, signum: int, frame: Any) -> None:
        self.terminated = True

    def run(self) -> int:
        """Serve; return 0 once retired with no job left (a child never returns from here)."""
        while not (self.retired and not self.children):
            for key, _ in self.selector.select(timeout=0.2 if self.children else 1.0):
                if key.data == "accept":
                    self._accept()
                elif key.data == "wake":
                    os.read(self.wake_r, 4096)
                elif key.data == "owner":
                    self._stop("its run ended")
            self._reap()
            self._follow_clients()
            self._tick()
        _log("exits")
        return 0

    def _accept(self) -> None:
        if self.retired:
            return
        conn, _ = self.listener.accept()
        conn.settimeout(10.0)  # a client that sends nothing cannot hold the server
        try:
            request = protocol.recv_request(conn)
        except (OSError, ValueError):
            conn.close()
            return
        conn.settimeout(None)
        self.last_job = time.monotonic()
        try:
            current = provenance.digest_tree(provenance.package_root())
        except OSError:  # a file replaced while it was read: an edit under way
            current = ""
        if current != self.digest:
            self._send(conn, protocol.send_restart)
            conn.close()
            self._retire("the advgen sources changed")
            return
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            child.become(conn, request, self.entry, lambda: self._close_in_child(conn), self.announce)
        self.children[pid] = conn
        client = peer_pid(conn)
        if client is not None:
            self.clients[pid] = client

    @staticmethod
    def _send(conn: socket.socket, send: Callable[..., None], *values: int) -> None:
        try:
            send(conn, *values)
        except OSError:  # the client is gone; its child sees the closed connection
            pass

    def _close_in_child(self, conn: socket.socket) -> None:
        self.selector.close()
        self.listener.close()
        for fd in (self.wake_r, self.wake_w, self.pidfd):
            if fd is not None:
                os.close(fd)
        for other in self.children.values():
            if other is not conn:
                other.close()

    def _reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.children.pop(pid, None)
            self.clients.pop(pid, None)
            self.stopped.discard(pid)
            if conn is not None:
                self._send(conn, protocol.send_status, os.waitstatus_to_exitcode(status))
                conn.close()
                self.last_job = time.monotonic()

    def _follow_clients(self) -> None:
        """Stop a job whose client is stopped (SIGSTOP: it cannot forward that one), continue it
        with its client (not once the jobs are being ended: they must see their SIGTERM)."""
        if self.kill_at is not None:
            return
        for job, client in self.clients.items():
            if stopped(client):
                if job not in self.stopped:
                    self.stopped.add(job)
                    signal_group(job, signal.SIGSTOP)
            elif job in self.stopped:
                self.stopped.discard(job)
                signal_group(job, signal.SIGCONT)

    def _tick(self) -> None:
        now = time.monotonic()
        if self.terminated and self.kill_at is None:
            self._stop("SIGTERM")
        if self.owner is not None and self.pidfd is None and self.kill_at is None and not alive(self.owner):
            self._stop("its run ended")
        if not self.retired and not self.children and now - self.last_job > self.idle:
            self._retire(f"no job for {self.idle:.0f} s")
        if self.kill_at is not None and now > self.kill_at:
            for pid in self.children:
                signal_group(pid, signal.SIGKILL)

    def _stop(self, reason: str) -> None:
        """Retire and end the running jobs: SIGTERM now, SIGKILL after the grace period."""
        self._retire(reason)
        if self.pidfd is not None:
            self.selector.unregister(self.pidfd)
            os.close(self.pidfd)
            self.pidfd = None
        self.owner = None
        if self.kill_at is None:
            self.kill_at = time.monotonic() + GRACE_SECONDS
            for pid in self.children:
                signal_group(pid, signal.SIGTERM)
                signal_group(pid, signal.SIGCONT)  # a stopped job gets it too
            self.stopped.clear()

    def _retire(self, reason: str) -> None:
        """Take no more jobs: remove the socket (if it is still this server's) and close it."""
        if self.retired:
            return
        self.retired = True
        _log(f"retires: {reason}")
        try:
            lock = os.open(self.lock, os.O_RDWR | os.O_CREAT, 0o600) if self.lock is not None else None
        except OSError:  # the folder is gone: so is any socket in it
            lock = None
        try:
            if lock is not None:
                fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if os.stat(self.path).st_ino == self.inode:
                    os.unlink(self.path)
            except FileNotFoundError:
                pass
        finally:
            if lock is not None:
                os.close(lock)
        self.selector.unregister(self.listener)
        self.listener.close()


def main(argv: Sequence[str] | None = None) -> int:
    for sig in (signal.SIGTERM, signal.SIGINT):  # before the imports: a server still starting
        signal.signal(sig, _on_signal_while_starting)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    p = argparse.ArgumentParser(prog="python -m advgen.warm.server", description=__doc__.splitlines()[0])
    p.add_argument("--socket", type=Path, required=True, help="the path to listen at")
    p.add_argument("--owner", type=int, default=None, help="end with this process (the run's Snakemake)")
    p.add_argument("--lock", type=Path, default=None, help="the user's lock for starting servers")
    p.add_argument("--lock-fd", type=int, default=None, help="the start lock, held until listening")
    p.add_argument("--log", type=Path, default=None, help="this server's stderr, removed when it exits")
    p.add_argument("--idle", type=float, default=IDLE_SECONDS, help="retire after this long without jobs")
    p.add_argument("--entry", default="advgen.cli:console", help="module:function a child runs")
    p.add_argument(
        "--preload",
        default=",".join(PRELOAD),
        help="comma-separated modules to import before forking ('' for none)",
    )
    p.add_argument("--announce", action="store_true", help="each job's stderr says it started warm")
    args = p.parse_args(argv)
    try:
        raise_soft_limits()
        leave_terminal()
        digest = provenance.package_digest()  # before the imports it vouches for; the jobs inherit it
        preload([m for m in args.preload.split(",") if m])
        server = Server(
            args.socket,
            entry_point(args.entry),
            digest=digest,
            owner=args.owner,
            lock=args.lock,
            idle=args.idle,
            announce=args.announce,
        )
    except BaseException as exc:  # the one line the starting client quotes; the log has the rest
        import traceback

        traceback.print_exc()
        reason = exc.code if isinstance(exc, SystemExit) and isinstance(exc.code, str) else repr(exc)
        _tell(f"failed: {' '.join(str(reason).split())}")
        return 1
    _log(f"ready at {args.socket} (owner {args.owner})")
    _tell("ready")
    if args.lock_fd is not None:
        os.close(args.lock_fd)  # listening: the next job connects instead of starting a server
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # the starting client stops reading; nothing more goes to it
    os.close(devnull)
    code = server.run()
    if args.log is not None:
        _remove_own_log(args.log)
    return code


def _on_signal_while_starting(signum: int, frame: Any) -> None:
    raise SystemExit(f"stopped by {signal.Signals(signum).name} while starting")


def _tell(line: str) -> None:
    """``line`` to the starting client, if it still listens (a killed one does not)."""
    try:
        print(line, flush=True)
    except (BrokenPipeError, ValueError):
        pass


def _remove_own_log(path: Path) -> None:
    """Remove ``path`` if it is still this server's stderr (a newer server may have a new one)."""
    try:
        if os.stat(path).st_ino == os.fstat(2).st_ino:
            os.unlink(path)
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main())
