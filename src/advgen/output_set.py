"""Outputs that change together: a command that writes several files leaves all of its old ones
or all of its new ones, whenever a signal ends it.

``with output_set():`` around a command's writes. Every write of :mod:`advgen.io` in the block
(:func:`advgen.io.atomic_path`, and the writers built on it) writes its temporary file beside its
output, as always, and leaves it there (:func:`stage`); when the block ends, the staged files are
moved in, one ``rename`` each (:func:`_commit`). During the moves a signal waits: SIGTERM and
SIGINT as in every write (:func:`advgen.termination.deferred`: the command then ends with 143 or
130), and every other signal whose default action ends a process (SIGHUP, SIGQUIT, SIGUSR1,
SIGALRM, SIGXCPU, ...) is noted and raised again after the last move. An error or a signal before
the moves removes every staged file, and the folders made for them: all the old outputs stay.

What no process can hold back (SIGKILL, the OOM killer, a power cut) may still land between two
renames. For that, a commit record ``.advgen-outputs.<random>.json`` listing the set's moves is
written into every folder the set writes, before the first move, and removed after the last.

What a reader can rely on: **a folder without a commit record holds outputs of whole sets, each
from one run**; a folder with one holds a set whose moves were cut short, and the next output set
that writes into it finishes them first (:func:`finish_records`; its staged files are complete,
so the killed run's set is rolled forward whole; a record whose writer may still be moving, a
live process of this host, is left to it). :func:`unfinished` lists a folder's records.

A record is data in a folder others may write to: one that is not a regular file of this user's,
is not a small JSON list of moves, or names a move that is not a staged file (``.NAME.<random>.tmp``,
a regular one-link file of this user's) beside its output ``NAME`` in the record's own folders is
left alone and finishes nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from advgen.termination import deferred
from advgen.write_errors import PathLike, write_error

#: a commit record's name: ``RECORD_PREFIX<random>RECORD_SUFFIX``
RECORD_PREFIX, RECORD_SUFFIX = ".advgen-outputs.", ".json"
_RECORD = re.compile(re.escape(RECORD_PREFIX) + r"[a-z0-9_]+" + re.escape(RECORD_SUFFIX))
#: the most a commit record may hold
_MAX_RECORD_BYTES = 1 << 20
#: signals whose default action ends a process, held back during the moves (SIGTERM and SIGINT
#: are :mod:`advgen.termination`'s; the synchronous ones a fault raises are not held)
_HELD = tuple(
    getattr(signal, name)
    for name in (
        "SIGHUP",
        "SIGQUIT",
        "SIGUSR1",
        "SIGUSR2",
        "SIGALRM",
        "SIGVTALRM",
        "SIGPROF",
        "SIGXCPU",
        "SIGIO",
        "SIGPWR",
        "SIGSTKFLT",
    )
    if hasattr(signal, name)
) + tuple(range(signal.SIGRTMIN, signal.SIGRTMAX + 1))


@dataclass
class _Set:
    staged: dict[Path, Path] = field(default_factory=dict)  # output -> its staged temporary file
    discards: list[Callable[[], None]] = field(default_factory=list)  # undo what staging made
    afters: list[Callable[[], None]] = field(default_factory=list)  # tidy up after the moves


_active: list[_Set] = []


def active() -> bool:
    """Whether an output set is open (:func:`advgen.io.atomic_path` then stages)."""
    return bool(_active)


def stage(tmp: Path, output: Path, discard: Callable[[], None], after: Callable[[], None]) -> None:
    """Keep the complete temporary file ``tmp`` of ``output`` for the set's moves (a second write of
    one output replaces its first); ``discard`` undoes what was made for it besides ``tmp`` (the
    folders), ``after`` runs once the set's moves are done (the leftovers of killed writers)."""
    current = _active[-1]
    output = Path(os.path.abspath(output))
    earlier = current.staged.pop(output, None)
    if earlier is not None:
        earlier.unlink(missing_ok=True)
    current.staged[output] = Path(os.path.abspath(tmp))
    current.discards.append(discard)
    current.afters.append(after)


@contextlib.contextmanager
def output_set() -> Iterator[None]:
    """The block's writes (:mod:`advgen.io`) replace their outputs together when it ends, or none
    of them (an exception or a signal in the block); nested blocks join the outermost."""
    if _active:
        yield
        return
    current = _Set()
    _active.append(current)
    try:
        yield
    except BaseException:
        _discard(current)
        raise
    finally:
        _active.remove(current)
    _commit(current)


def _discard(current: _Set) -> None:
    for tmp in current.staged.values():
        tmp.unlink(missing_ok=True)
    for discard in reversed(current.discards):
        discard()


def _commit(current: _Set) -> None:
    """Move the staged files in, signals held back, under a commit record in each folder."""
    moves = [(tmp, output) for output, tmp in current.staged.items()]
    if not moves:
        return
    with deferred(), _held_signals():
        try:
            for output in (o for _, o in moves):
                if output.is_dir() and not output.is_symlink():
                    raise IsADirectoryError(21, "Is a directory", str(output))
            folders = sorted({output.parent for _, output in moves})
            for folder in folders:
                finish_records(folder)
            records = [_write_record(folder, moves) for folder in folders] if len(moves) > 1 else []
        except BaseException as exc:
            _discard(current)
            error = write_error(moves[0][1], exc) if isinstance(exc, Exception) else None
            if error is not None:
                raise error from None
            raise
        done = 0
        try:
            for tmp, output in moves:
                os.replace(tmp, output)
                done += 1
        except OSError as exc:  # (a rename in one folder: not a full disk) the record stays
            if done == 0:
                _discard(current)
                for record in records:
                    record.unlink(missing_ok=True)
            raise write_error(output, exc) or exc from None
        for record in records:
            record.unlink(missing_ok=True)
        for after in current.afters:
            after()


@contextlib.contextmanager
def _held_signals() -> Iterator[None]:
    """Note the signals of :data:`_HELD` that still have their default action while the block runs,
    and raise the first one noted again after it (main thread only: elsewhere nothing)."""
    noted: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        noted.append(signum)

    previous: dict[int, object] = {}
    try:
        for sig in _HELD:
            if signal.getsignal(sig) is signal.SIG_DFL:
                previous[sig] = signal.signal(sig, note)
    except ValueError:  # not the main thread
        pass
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
        if noted:
            os.kill(os.getpid(), noted[0])


def _write_record(folder: Path, moves: list[tuple[Path, Path]]) -> Path:
    fd, name = tempfile.mkstemp(prefix=RECORD_PREFIX, suffix=RECORD_SUFFIX, dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        writer = {"host": socket.gethostname(), "pid": os.getpid()}
        json.dump({"moves": [[str(tmp), str(output)] for tmp, output in moves], "writer": writer}, f)
    return Path(name)


def unfinished(folder: PathLike) -> list[Path]:
    """The commit records in ``folder``: sets whose moves a killed command cut short."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(Path(folder) / n for n in names if _RECORD.fullmatch(n))


def finish_records(folder: PathLike) -> None:
    """Finish the moves of every valid commit record in ``folder`` whose writer is gone (in every
    folder it names) and remove the record there and in its other folders; an invalid one, or one
    whose writer may still be moving (:func:`_writer_gone`), is left alone."""
    for record in unfinished(folder):
        moves = _read_record(record)
        if moves is None or not _writer_gone(record):
            continue
        for tmp, output in moves:
            if _staged_file(tmp):
                os.replace(tmp, output)
        for other in {output.parent for _, output in moves}:
            for left in unfinished(other):
                if left == record or _read_record(left) == moves:
                    left.unlink(missing_ok=True)


#: a commit record older than this has no live writer, wherever it was written (its moves take
#: microseconds)
STALE_SECONDS = 60.0


def _writer_gone(record: Path) -> bool:
    """Whether the command that wrote ``record`` has ended: a process of this host that no longer
    exists, or a record older than :data:`STALE_SECONDS` (another host's, or a reused pid)."""
    try:
        if time.time() - os.lstat(record).st_mtime > STALE_SECONDS:
            return True
        with open(record, encoding="utf-8") as f:
            writer = json.load(f).get("writer") or {}
        if writer.get("host") != socket.gethostname() or not isinstance(writer.get("pid"), int):
            return False
        os.kill(writer["pid"], 0)
    except ProcessLookupError:
        return True
    except (OSError, ValueError, AttributeError):
        return False
    return writer["pid"] == os.getpid()


def _read_record(record: Path) -> list[tuple[Path, Path]] | None:
    """A record's moves, or ``None`` when it is not one this user's commit left."""
    try:
        fd = os.open(record, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_size > _MAX_RECORD_BYTES:
            return None
        data = json.loads(os.read(fd, _MAX_RECORD_BYTES + 1))
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)
    moves = data.get("moves") if isinstance(data, dict) else None
    if not isinstance(moves, list) or not moves:
        return None
    out = []
    folders = set()
    for move in moves:
        if not (isinstance(move, list) and len(move) == 2 and all(isinstance(p, str) for p in move)):
            return None
        tmp, output = Path(move[0]), Path(move[1])
        pattern = re.escape(f".{output.name}.") + r"[a-z0-9_]+\.tmp"
        if not (tmp.is_absolute() and tmp.parent == output.parent and re.fullmatch(pattern, tmp.name)):
            return None
        folders.add(output.parent)
        out.append((tmp, output))
    if Path(os.path.abspath(record)).parent not in folders:
        return None
    return out


def _staged_file(path: Path) -> bool:
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and info.st_uid == os.geteuid()
