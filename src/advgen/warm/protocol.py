"""What a job's client, the warm server and the job's forked child say to each other. Standard
library only.

One connection per job, a Unix stream socket:

1. the client sends 8 bytes (the length of a JSON payload), then the payload ``{"argv0",
   "argv", "cwd", "env", "state"}`` (``state``: :func:`advgen.warm.state.capture`);
2. the server answers :data:`RESTART` when it no longer serves (the advgen sources changed
   since it started, or its run ended); otherwise it forks a child, which takes on the job's
   process state and answers :data:`READY` with its pid, or :data:`FRESH` with one line saying
   what it could not take on (the client then runs the job as a fresh process);
3. the client answers :data:`GO` and a byte saying which of its descriptors 0, 1 and 2 are
   open, together with those (``SCM_RIGHTS``): a stream the caller closed is closed in the job
   too; only then does the job run (a client that gave up waiting, or died, never has its job run
   twice, and its streams are never held by a server that does not answer);
4. when the job ends, the child itself sends :data:`STATUS` (its exit status), and the server,
   once it has reaped the child, sends :data:`STATUS` too (the wait status: the exit status, or
   minus the signal that killed it). The client takes the first, so a job that ended normally
   has its status even if its server was killed meanwhile.

The child watches the connection: when the client dies, so does the job.
"""

from __future__ import annotations

import json
import os
import socket
import struct
from collections.abc import Sequence

#: the tags of the answers to a request
RESTART, READY, FRESH, STATUS = b"X", b"P", b"F", b"S"
#: the client's go-ahead
GO = b"G"
_SIZE = struct.Struct("!Q")
_PID = struct.Struct("!Q")
_STATUS = struct.Struct("!i")
_REASON = struct.Struct("!I")
#: the streams a job hands over: stdin, stdout, stderr
STREAMS = (0, 1, 2)


def is_open(fd: int) -> bool:
    """Whether ``fd`` is an open descriptor (a stream a process was started without is not)."""
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


class Unavailable(Exception):
    """The warm start cannot serve this job (the job then runs as a fresh process)."""


def recv_exact(sock: socket.socket, n: int) -> bytes:
    """``n`` bytes from ``sock``; ``ConnectionError`` when it closes first."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the connection closed")
        data += chunk
    return data


def send_request(sock: socket.socket, request: dict[str, object]) -> None:
    payload = json.dumps(request).encode()
    sock.sendall(_SIZE.pack(len(payload)) + payload)


def recv_request(conn: socket.socket) -> dict[str, object]:
    (size,) = _SIZE.unpack(recv_exact(conn, _SIZE.size))
    request = json.loads(recv_exact(conn, size))
    if not isinstance(request, dict):
        raise ValueError("the request is not a JSON object")
    return request


def send_go(sock: socket.socket, streams: Sequence[int] = STREAMS) -> None:
    """The go-ahead, with this process's standard streams ``streams`` (the open ones of 0-2)."""
    mask = sum(1 << fd for fd in streams)
    socket.send_fds(sock, [GO + bytes([mask])], list(streams))


def recv_go(conn: socket.socket) -> dict[int, int] | None:
    """Stream -> descriptor received for each standard stream the client has open, when the
    client gave the go-ahead; else ``None``."""
    message, fds, _, _ = socket.recv_fds(conn, len(GO) + 1, len(STREAMS))
    if len(message) == len(GO) + 1 and message[:1] == GO:
        streams = [fd for fd in STREAMS if message[1] & (1 << fd)]
        if len(streams) == len(fds) and message[1] < (1 << len(STREAMS)):
            return dict(zip(streams, fds, strict=True))
    for fd in fds:
        _close(fd)
    return None


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def send_restart(conn: socket.socket) -> None:
    conn.sendall(RESTART)


def send_ready(conn: socket.socket, pid: int) -> None:
    conn.sendall(READY + _PID.pack(pid))


def send_fresh(conn: socket.socket, reason: str) -> None:
    data = reason.encode(errors="replace")
    conn.sendall(FRESH + _REASON.pack(len(data)) + data)


def send_status(conn: socket.socket, status: int) -> None:
    conn.sendall(STATUS + _STATUS.pack(status))


def recv_answer(sock: socket.socket) -> tuple[bytes, int | str | None]:
    """The next answer: ``(RESTART, None)``, ``(READY, pid)``, ``(FRESH, reason)`` or
    ``(STATUS, status)``; ``ConnectionError`` when the connection closes first."""
    tag = recv_exact(sock, 1)
    if tag == READY:
        return tag, _PID.unpack(recv_exact(sock, _PID.size))[0]
    if tag == FRESH:
        (size,) = _REASON.unpack(recv_exact(sock, _REASON.size))
        return tag, recv_exact(sock, size).decode(errors="replace")
    if tag == STATUS:
        return tag, _STATUS.unpack(recv_exact(sock, _STATUS.size))[0]
    if tag == RESTART:
        return tag, None
    raise ConnectionError(f"an unknown answer {tag!r}")
