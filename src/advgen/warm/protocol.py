"""What a job's client and the warm server say to each other. Standard library only.

One connection per job, a Unix stream socket. The client sends 8 bytes (the length of a JSON
payload) together with its descriptors 0, 1 and 2 (``SCM_RIGHTS``), then the payload
``{"argv0", "argv", "cwd", "env"}``. The server answers 8 bytes: the pid of the child that
runs the job, or :data:`RESTART` when it no longer serves (the advgen sources changed since it
started, or its run ended), and when the child ends, its wait status as a signed 4-byte
integer (the exit status, or minus the signal that killed it). The child watches the
connection: when the client dies, so does the job.
"""

from __future__ import annotations

import json
import os
import socket
import struct

#: the server's first answer when the client must start a new server and ask again
RESTART = 0
_SIZE = struct.Struct("!Q")
_PID = struct.Struct("!Q")
_STATUS = struct.Struct("!i")
#: the streams a job hands over: stdin, stdout, stderr
STREAMS = (0, 1, 2)


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
    socket.send_fds(sock, [_SIZE.pack(len(payload))], list(STREAMS))
    sock.sendall(payload)


def recv_request(conn: socket.socket) -> tuple[dict[str, object], list[int]]:
    """The request and the descriptors that came with it (the caller closes them)."""
    header, fds, _, _ = socket.recv_fds(conn, _SIZE.size, len(STREAMS))
    try:
        if len(header) != _SIZE.size or len(fds) != len(STREAMS):
            raise ConnectionError("a short request")
        (size,) = _SIZE.unpack(header)
        request = json.loads(recv_exact(conn, size))
        if not isinstance(request, dict):
            raise ValueError("the request is not a JSON object")
    except BaseException:
        for fd in fds:
            _close(fd)
        raise
    return request, fds


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def send_pid(conn: socket.socket, pid: int) -> None:
    conn.sendall(_PID.pack(pid))


def recv_pid(sock: socket.socket) -> int:
    return _PID.unpack(recv_exact(sock, _PID.size))[0]


def send_status(conn: socket.socket, status: int) -> None:
    conn.sendall(_STATUS.pack(status))


def recv_status(sock: socket.socket) -> int:
    return _STATUS.unpack(recv_exact(sock, _STATUS.size))[0]
