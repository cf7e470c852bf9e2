"""The forked child of the warm server becomes the job's ``advgen`` process.

What the child sees is what a fresh process started by the job's client would see: the job's
working folder, its environment (``os.environ`` replaced, so every variable advgen reads when a
command runs is the job's, ``TZ`` included: ``time.tzset``), the client's process state
(:mod:`advgen.warm.state`: file mode creation mask, resource limits, nice value, CPU affinity,
blocked signals, scheduling policy, I/O priority, OOM score adjustment), its descriptors 0-2
(the job's ``> log 2>&1``; one the caller closed is closed here too) behind new
``sys.stdin``/``stdout``/``stderr`` made as a fresh interpreter makes them (``None`` for a closed
one, the same buffering, names and error handlers), ``sys.argv``, Python's default signal
dispositions except for the signals the client's caller ignores (which stay ignored: SIGHUP
under ``nohup``, SIGINT in a background job), the temporary folder of its ``$TMPDIR``, fresh
seeds for ``random`` and numpy's global generator, and a process group of its own (for the
signals the server and the client send the job) in the caller's session: the server stays in
the session of the job that started it, so on a kernel that groups scheduling by session
(autogroup) a warm job competes for the CPU in its caller's group at its caller's nice value,
as a fresh one does (a job from another session runs fresh: :mod:`advgen.warm.state`).
What it cannot take on (:func:`advgen.warm.state.apply`), or any failure before the job runs,
it answers with one line instead (:data:`~advgen.warm.protocol.FRESH`): the client then runs
the job as a fresh process. The job runs only on the client's go-ahead.

Its exit status is a fresh interpreter's (an exception prints its traceback and exits 1, an
interrupt kills it with SIGINT, a standard stream that cannot be flushed at the end, a full
disk or a pipe whose reader has gone, makes it 120), and it ends as one (its threads joined,
logging shut down, the streams flushed), though without the exit handlers of libraries the
server imported for other jobs; it reports that status to the client itself, so a server
killed meanwhile costs the job nothing. When the client dies, the child is killed too.

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
    never returns (whatever happens, this process ends here: it never runs the server's code).

    ``close`` releases what the child must not hold (the server's listening socket, the other
    jobs' connections); ``announce``, when given, is written to the job's stderr first."""
    try:
        _become(conn, request, entry, close, announce)
    finally:
        os._exit(1)


def _become(
    conn: socket.socket,
    request: dict[str, Any],
    entry: Callable[[list[str]], Any],
    close: Callable[[], None],
    announce: str | None,
) -> NoReturn:
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
        os.setpgid(0, 0)  # a group of its own for the job's signals; the caller's session (no setsid)
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
        streams = protocol.recv_go(conn)
    except OSError:
        streams = None
    if streams is None:  # the client gave up waiting (or died): the job never runs
        os._exit(0)
    try:
        for target in protocol.STREAMS:
            if target in streams:
                os.dup2(streams[target], target)
                os.close(streams[target])
            else:  # closed by the caller: closed for the job
                os.close(target)
        _fresh_streams()
        threading.Thread(target=_die_with_client, args=(conn,), daemon=True).start()
        if announce and 2 in streams:
            _write_stderr(announce + "\n")
    except BaseException as exc:
        _write_stderr(f"advgen: warm start: cannot start the job: {exc!r}\n")
        os._exit(1)
    _exit(conn, _run(entry, list(request["argv"])))


def _write_stderr(text: str) -> None:
    """``text`` to descriptor 2, unbuffered: a full or broken stderr loses it, as it loses a fresh
    process's, and leaves nothing in a buffer that would fail the job's last flush."""
    try:
        os.write(2, text.encode(errors="backslashreplace"))
    except OSError:
        pass


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
        _print_error(traceback.format_exc())
        return 1
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    _print_error(f"{code}\n")
    return 1


def _print_error(text: str) -> None:
    """``text`` to ``sys.stderr`` as the interpreter prints an uncaught error: nothing when
    ``sys.stderr`` is ``None`` (a closed stderr), a failed write ignored."""
    if sys.stderr is None:
        return
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except Exception:
        pass


def _exit(conn: socket.socket, code: int) -> NoReturn:
    """End as a fresh interpreter ends a job: the job's threads joined, logging shut down, the
    streams flushed, then the exit status told to the client. Not through the server's exit
    handlers (and the libraries it imported that the job never used): ``os._exit``."""
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    try:
        logging.shutdown()
    except Exception:
        pass
    if os.environ.get(USAGE_ENV, "0") not in ("", "0") and sys.stderr is not None:
        _flush()
        _print_error(usage_line() + "\n")
    if not _flush_at_exit():
        code = 120  # what the interpreter exits with when it cannot flush stdout or stderr
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
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass


def _flush_at_exit() -> bool:
    """Flush stdout and stderr as the interpreter does when it ends (``Py_FinalizeEx``): a failure
    of stdout's is reported on stderr as an ignored exception, stderr's is dropped; ``False``
    when either failed."""
    ok = True
    for stream in (sys.stdout, sys.stderr):
        if stream is None or getattr(stream, "closed", True):
            continue
        try:
            stream.flush()
        except Exception as exc:
            ok = False
            if stream is sys.stdout:
                _print_error(
                    f"Exception ignored in: {stream!r}\n{''.join(traceback.format_exception_only(exc))}"
                )
    return ok


def _fresh_streams() -> None:
    """``sys.stdin``/``stdout``/``stderr`` on descriptors 0-2 as the interpreter makes them at
    start-up (``create_stdio``): ``None`` for a closed descriptor; text over a buffered binary
    stream named ``<stdin>``..., newline ``\\n``; stdout line-buffered on a terminal only,
    stderr always, with ``backslashreplace``; unbuffered (write-through) under ``-u``."""
    encoding, errors = _stdio_encoding()
    server = sys.__stdout__ or sys.__stderr__  # unbuffered (-u, PYTHONUNBUFFERED): write-through
    buffered = not getattr(server, "write_through", False)
    made: list[io.TextIOWrapper | None] = []
    for fd, name in ((0, "<stdin>"), (1, "<stdout>"), (2, "<stderr>")):
        if not protocol.is_open(fd):
            made.append(None)
            continue
        reading = fd == 0  # (stdin is buffered even under -u, as the interpreter keeps it)
        binary: Any = open(
            fd, "rb" if reading else "wb", buffering=-1 if buffered or reading else 0, closefd=False
        )
        raw = getattr(binary, "raw", binary)
        raw.name = name
        text = io.TextIOWrapper(
            binary,
            encoding=encoding,
            errors="backslashreplace" if fd == 2 else errors,
            newline="\n",
            line_buffering=buffered and (fd == 2 or raw.isatty()),
            write_through=not buffered,
        )
        text.mode = "r" if reading else "w"  # type: ignore[misc]
        made.append(text)
    sys.stdin = sys.__stdin__ = made[0]  # type: ignore[misc]
    sys.stdout = sys.__stdout__ = made[1]  # type: ignore[misc]
    sys.stderr = sys.__stderr__ = made[2]  # type: ignore[misc]


def _stdio_encoding() -> tuple[str, str]:
    """The encoding and error handler of the server's stdout or stdin (they depend on the locale
    and on ``PYTHONIOENCODING``, part of the server's import environment)."""
    for stream in (sys.__stdout__, sys.__stdin__):
        if stream is not None:
            return stream.encoding, stream.errors or "strict"
    import locale

    return locale.getpreferredencoding(False), "strict"


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
