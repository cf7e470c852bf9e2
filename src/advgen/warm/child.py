"""The forked child of the warm server becomes the job's ``advgen`` process.

What the child sees is what a fresh process started by the job's client would see: the job's
working folder, its environment (``os.environ`` replaced, so every variable advgen reads when a
command runs is the job's, ``TZ`` included: ``time.tzset``), the client's process state
(:mod:`advgen.warm.state`: file mode creation mask, resource limits, nice value, CPU affinity,
blocked signals), its descriptors 0-2 (the job's ``> log 2>&1``) behind new
``sys.stdin``/``stdout``/``stderr`` buffered as a fresh interpreter buffers them, ``sys.argv``,
Python's default signal dispositions except for the signals the client's caller ignores (which
stay ignored: SIGHUP under ``nohup``, SIGINT in a background job), the temporary folder of its
``$TMPDIR``, fresh seeds for ``random`` and numpy's global generator, and a session of its own.
What it cannot take on (:func:`advgen.warm.state.apply`), or any failure before the job runs,
it answers with one line instead (:data:`~advgen.warm.protocol.FRESH`): the client then runs
the job as a fresh process. The job runs only on the client's go-ahead.

Its exit status is a fresh interpreter's (an exception prints its traceback and exits 1, an
interrupt kills it with SIGINT), and it ends as one (its threads joined, logging shut down, the
streams flushed), though without the exit handlers of libraries the server imported for other
jobs; it reports that status to the client itself, so a server killed meanwhile costs the job
nothing. When the client dies, the child is killed too.

What it cannot change is what the libraries read when the server imported them: those
variables are part of the server's identity (:func:`advgen.warm.place.import_environment`).
CUDA is not among them: the server never initialises it, each child does its own.
"""

from __future__ import annotations

import io
import logging
import os
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, NoReturn

from advgen.warm import protocol
from advgen.warm import state as process_state

#: set (and not "0") in a job's environment: the warm child ends the job's stderr with the job's
#: CPU seconds (:func:`usage_line`), which Snakemake's benchmark of the job cannot see: it measures
#: the client's processes, and the job runs in the server's forked child (benchmarks/gpu_busy.py)
USAGE_ENV = "ADVGEN_JOB_USAGE"
#: the start of that line
USAGE_PREFIX = "advgen: job usage: "

#: signals whose disposition a fresh interpreter leaves at the default
_DEFAULT = (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


def become(
    conn: socket.socket,
    request: dict[str, Any],
    entry: Callable[[list[str]], Any],
    close: Callable[[], None],
    announce: str | None = None,
) -> NoReturn:
    """Turn this forked process into the job and, on the client's go-ahead, run ``entry(argv)``;
    never returns.

    ``close`` releases what the child must not hold (the server's listening socket, the other
    jobs' connections); ``announce``, when given, is written to the job's stderr first."""
    try:
        close()
        signal.set_wakeup_fd(-1)
        ignored = process_state.ignored(request["state"])
        for sig in _DEFAULT:
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # as Python sets it at start-up
        for number in ignored:  # ignored by the caller: ignored by the job (nohup, a background job)
            signal.signal(number, signal.SIG_IGN)
        os.setsid()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()  # the job's TZ
        sys.argv = [request.get("argv0") or "advgen", *request["argv"]]
        _fresh_state()
        problem = process_state.apply(request["state"])  # the limits last: set-up is done
    except BaseException as exc:  # the job could not be set up: it runs fresh
        problem = f"cannot start the job in the warm child: {exc!r}"
    try:
        if problem is not None:
            protocol.send_fresh(conn, problem)
            os._exit(0)
        protocol.send_ready(conn, os.getpid())
        fds = protocol.recv_go(conn)
    except OSError:
        fds = None
    if fds is None:  # the client gave up waiting (or died): the job never runs
        os._exit(0)
    try:
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        _fresh_streams()
        threading.Thread(target=_die_with_client, args=(conn,), daemon=True).start()
        if announce:
            print(announce, file=sys.stderr, flush=True)
    except BaseException as exc:
        os.write(2, f"advgen: warm start: cannot start the job: {exc!r}\n".encode())
        os._exit(1)
    _exit(conn, _run(entry, list(request["argv"])))


def _run(entry: Callable[[list[str]], Any], argv: list[str]) -> int:
    """``entry(argv)``'s exit status, as the interpreter would make it of a script's end."""
    try:
        code = entry(argv)
    except SystemExit as exc:
        code = exc.code
    except KeyboardInterrupt:  # as Python ends on an unhandled interrupt: killed by SIGINT
        _flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        return 128 + signal.SIGINT
    except BaseException:
        traceback.print_exc()
        return 1
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _exit(conn: socket.socket, code: int) -> NoReturn:
    """End as a fresh interpreter ends a job: the job's threads joined, logging shut down, the
    streams flushed, then the exit status told to the client. Not through the server's exit
    handlers (and the libraries it imported that the job never used): ``os._exit``."""
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    logging.shutdown()
    if os.environ.get(USAGE_ENV, "0") not in ("", "0"):
        _flush()
        print(usage_line(), file=sys.stderr)
    _flush()
    try:
        protocol.send_status(conn, code & 0xFF)
    except OSError:  # the client is gone
        pass
    os._exit(code & 0xFF)


def usage_line() -> str:
    """The job's CPU seconds, user and system, of this process (a forked child's count starts at
    zero) and of the children it waited for."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    user, system = own.ru_utime + kids.ru_utime, own.ru_stime + kids.ru_stime
    return f"{USAGE_PREFIX}cpu_s={user + system:.2f} user_s={user:.2f} system_s={system:.2f}"


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass


def _fresh_streams() -> None:
    """``sys.stdin``/``stdout``/``stderr`` on descriptors 0-2, buffered as at a fresh start
    (stdout line-buffered on a terminal only, stderr always)."""
    encoding, errors = sys.stdout.encoding, sys.stdout.errors
    stdin = io.TextIOWrapper(open(0, "rb", closefd=False), encoding=encoding, errors=errors)
    stdout = io.TextIOWrapper(
        open(1, "wb", closefd=False), encoding=encoding, errors=errors, line_buffering=os.isatty(1)
    )
    stderr = io.TextIOWrapper(
        open(2, "wb", closefd=False),
        encoding=encoding,
        errors="backslashreplace",
        line_buffering=True,
    )
    sys.stdin = sys.__stdin__ = stdin  # type: ignore[misc]
    sys.stdout = sys.__stdout__ = stdout  # type: ignore[misc]
    sys.stderr = sys.__stderr__ = stderr  # type: ignore[misc]


def _fresh_state() -> None:
    """What the server's imports fixed that a fresh process would pick anew."""
    import random
    import tempfile

    tempfile.tempdir = None  # $TMPDIR of the job (Snakemake sets it per job)
    random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


def _die_with_client(conn: socket.socket) -> None:
    """Block until the client's end of the connection closes, then kill this job."""
    try:
        conn.recv(1)
    finally:
        os.kill(os.getpid(), signal.SIGKILL)
