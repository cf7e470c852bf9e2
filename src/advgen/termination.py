"""SIGTERM and SIGINT (``scancel``, a SLURM preemption, a stopped Snakemake, Ctrl-C) as exit
status 143 and 130, never mid-write.

:func:`exit_on_sigterm` (the ``advgen`` command line runs every command inside it) turns SIGTERM
into ``SystemExit(143)`` and SIGINT into ``SystemExit(130)`` (no ``KeyboardInterrupt`` traceback),
so the writers' clean-up runs. Inside a :func:`deferred` section (every write of :mod:`advgen.io`,
from the creation of its temporary file to its rename or removal) the exit waits until the
section ends: a signal then never lands between a temporary file's creation and the ``try`` that
removes it, nor inside ``torch.save``, whose writer turns an exception raised within it into
``RuntimeError: ... unexpected pos`` (exit status 1 and a traceback, instead of 143). A write
under way when the signal arrives is finished, or removed if it fails.

Any exception that ends a command after a signal arrived also ends it with 128 + the signal
(:func:`exit_status`), so a requeue script that looks for 143 reads every such job right.

A signal that arrives after a run's outputs are written must not discard them (a 143 makes
Snakemake delete complete outputs and run the job again). A training run deletes its resume
state after its outputs inside a :func:`settling` section: a signal there is only noted, and
ends the command at the next write or the next run's start (:func:`exit_if_signalled`); if the
command instead returns 0, its outputs are complete (:func:`complete`): the signal is dropped,
a later one ignored, and the exit status is 0. The console script also leaves both signals
ignored while the interpreter shuts down (``final``), when no Python handler runs any more.

Python runs signal handlers in the main thread only, so only the main thread's sections defer
the exit; elsewhere :func:`deferred` does nothing.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

#: the signals that end a command (status 128 + the signal)
SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _State:
    installed = False  # exit_on_sigterm is active
    depth = 0  # nesting of deferred sections (main thread)
    signum: int | None = None  # the termination signal received, if any
    complete = False  # the command's outputs are all written: signals are ignored
    settling = 0  # nesting of settling sections (a signal is noted, the exit waits)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _handler(signum: int, frame: FrameType | None) -> None:
    if _State.complete:
        return
    _State.signum = signum
    if _State.depth == 0 and _State.settling == 0:
        raise SystemExit(128 + signum)


def exit_status() -> int | None:
    """``128 + signal`` once a SIGTERM or SIGINT has arrived under :func:`exit_on_sigterm`, else ``None``."""
    return None if _State.signum is None else 128 + _State.signum


def complete() -> None:
    """The command's outputs are all written: a signal noted in a :func:`settling` section is
    dropped and a later one ignored, so the command ends with its own status and its outputs stay
    (outside :func:`exit_on_sigterm`: nothing)."""
    if _State.installed and _main_thread():
        _State.complete, _State.signum = True, None


def exit_if_signalled() -> None:
    """End the command now (``SystemExit(128 + signal)``) if a signal was noted in a
    :func:`settling` section: call where more work starts (the next training run)."""
    if _State.installed and _main_thread() and _State.depth == 0 and _State.settling == 0:
        if _State.signum is not None and not _State.complete:
            raise SystemExit(128 + _State.signum)


@contextlib.contextmanager
def settling() -> Iterator[None]:
    """A clean-up after a run's outputs are written (its resume state deleted): a signal that
    arrives is noted without ending the command; the exit comes at the next write or
    :func:`exit_if_signalled`, or never if the command then completes (status 0)."""
    if not (_State.installed and _main_thread()):
        yield
        return
    _State.settling += 1
    try:
        yield
    finally:
        _State.settling -= 1


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A section a signal does not interrupt: the exit it asks for happens when the section ends
    (replacing any exception the section raised)."""
    if not (_State.installed and _main_thread()):
        yield
        return
    exit_if_signalled()  # noted while settling: no new write starts
    _State.depth += 1
    try:
        yield
    finally:
        _State.depth -= 1
        if _State.depth == 0 and _State.settling == 0 and _State.signum is not None:
            raise SystemExit(128 + _State.signum)


@contextlib.contextmanager
def exit_on_sigterm(final: bool = False) -> Iterator[None]:
    """Turn SIGTERM and SIGINT into ``SystemExit(128 + signal)`` while the block runs (main thread
    only); an exception escaping the block after a signal arrived becomes that exit too.

    ``final``: the process ends with the block (the console script). When the block ended after
    :func:`complete`, both signals stay ignored (``SIG_IGN``) instead of getting their previous
    handlers back, so a signal during the interpreter's shutdown cannot kill a finished command."""
    if not _main_thread():
        yield
        return
    # SIGINT ignored by the parent (a background job of a non-interactive shell) stays ignored
    wanted = [s for s in SIGNALS if s != signal.SIGINT or signal.getsignal(s) is not signal.SIG_IGN]
    previous = {s: signal.signal(s, _handler) for s in wanted}
    _State.installed, _State.depth, _State.signum, _State.complete = True, 0, None, False
    _State.settling = 0
    try:
        yield
    except BaseException as exc:
        status = exit_status()
        if status is None or (isinstance(exc, SystemExit) and exc.code == status):
            raise
        raise SystemExit(status) from exc
    finally:
        keep_ignoring = final and _State.complete
        for s, handler in previous.items():
            signal.signal(
                s, signal.SIG_IGN if keep_ignoring else signal.SIG_DFL if handler is None else handler
            )
        _State.installed, _State.complete = False, False
