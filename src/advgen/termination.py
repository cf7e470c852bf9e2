"""SIGTERM (``scancel``, a SLURM preemption, a stopped Snakemake) as exit status 143, never mid-write.

:func:`exit_on_sigterm` (the ``advgen`` command line runs every command inside it) turns SIGTERM
into ``SystemExit(143)``, so the writers' clean-up runs. Inside a :func:`deferred` section (every
write of :mod:`advgen.io`, from the creation of its temporary file to its rename or removal) the
exit waits until the section ends: a signal then never lands between a temporary file's creation
and the ``try`` that removes it, nor inside ``torch.save``, whose writer turns an exception raised
within it into ``RuntimeError: ... unexpected pos`` (exit status 1 and a traceback, instead of 143).
A write under way when the signal arrives is finished, or removed if it fails.

Any exception that ends a command after a SIGTERM arrived also ends it with 143
(:func:`exit_status`), so a requeue script that looks for 143 reads every such job right.

Python runs signal handlers in the main thread only, so only the main thread's sections defer
the exit; elsewhere :func:`deferred` does nothing.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


class _State:
    installed = False  # exit_on_sigterm is active
    depth = 0  # nesting of deferred sections (main thread)
    signum: int | None = None  # the termination signal received, if any


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _handler(signum: int, frame: FrameType | None) -> None:
    _State.signum = signum
    if _State.depth == 0:
        raise SystemExit(128 + signum)


def exit_status() -> int | None:
    """``128 + signal`` once a SIGTERM has arrived under :func:`exit_on_sigterm`, else ``None``."""
    return None if _State.signum is None else 128 + _State.signum


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A section a SIGTERM does not interrupt: the exit it asks for happens when the section ends
    (replacing any exception the section raised)."""
    if not (_State.installed and _main_thread()):
        yield
        return
    _State.depth += 1
    try:
        yield
    finally:
        _State.depth -= 1
        if _State.depth == 0 and _State.signum is not None:
            raise SystemExit(128 + _State.signum)


@contextlib.contextmanager
def exit_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into ``SystemExit(143)`` while the block runs (main thread only); an exception
    escaping the block after a SIGTERM arrived becomes ``SystemExit(143)`` too."""
    if not _main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _handler)
    _State.installed, _State.depth, _State.signum = True, 0, None
    try:
        yield
    except BaseException as exc:
        status = exit_status()
        if status is None or (isinstance(exc, SystemExit) and exc.code == status):
            raise
        raise SystemExit(status) from exc
    finally:
        signal.signal(signal.SIGTERM, previous)
        _State.installed = False
