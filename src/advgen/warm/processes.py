"""The warm server's view of processes: who a job's client is, whether that client is stopped,
the signals the server sends to a job's process group, and the server's own resource limits.
Linux; standard library only.
"""

from __future__ import annotations

import os
import socket
import struct


def peer_pid(conn: socket.socket) -> int | None:
    """The pid of the process at the other end of ``conn`` (Linux's ``SO_PEERCRED``)."""
    try:
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except (OSError, AttributeError):
        return None
    return struct.unpack("3i", creds)[0] or None


def stopped(pid: int) -> bool:
    """Whether process ``pid`` is stopped (``/proc/PID/stat``'s state ``T``)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rpartition(b")")[2].split()[:1] == [b"T"]
    except OSError:
        return False


def signal_group(pid: int, sig: int) -> None:
    """``sig`` to the job's process group (the child leads one: it called ``setpgid``)."""
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


#: limits a server raises from its starter's soft value to the hard one (not the core size or the
#: stack size: the first would have a server dump its memory, the second changes its memory layout)
RAISED_LIMITS = ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_NOFILE")


def raise_soft_limits() -> None:
    """Make this process's soft limits of :data:`RAISED_LIMITS` its hard ones: a server is not bound
    by the soft limits of the job that happened to start it (each job gets its own,
    :mod:`advgen.warm.state`)."""
    import resource

    for name in RAISED_LIMITS:
        which = getattr(resource, name, None)
        if which is not None:
            soft, hard = resource.getrlimit(which)
            if soft != hard:
                resource.setrlimit(which, (hard, hard))


def leave_terminal() -> None:
    """Give up the controlling terminal, staying in the session (``TIOCNOTTY``; a session leader
    would hang up its terminal's foreground group instead: it keeps it). The server and the jobs it
    forks then read and write a terminal as a process without one does (no SIGTTIN, no SIGTTOU),
    as they did in a session of their own, while they keep the caller's session, and with it its
    scheduling group (autogroup)."""
    import fcntl
    import termios

    if os.getsid(0) == os.getpid():
        return
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError:  # no controlling terminal
        return
    try:
        fcntl.ioctl(fd, termios.TIOCNOTTY)
    except OSError:
        pass
    finally:
        os.close(fd)
