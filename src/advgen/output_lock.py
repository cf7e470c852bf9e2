"""One writer per output: a lock file beside each output, taken before a command works.

Two commands writing the same output at once (a second ``snakemake`` in the same folder, a
job rerun by hand while the workflow runs it) would each train for hours and then replace each
other's files, or mix a checkpoint of one with the table of the other. Before a command runs,
:func:`output_locks` takes an exclusive ``flock`` on ``.NAME.lock`` beside every output
``NAME`` (in the folder of its resolved path, so two spellings of one output share the lock),
without waiting: an output another process holds is one line naming the output and that
process, exit status 2, and nothing is written. The locks go when the command ends (the lock
files with them); a killed command's lock is released by the kernel, and the lock file it
leaves is taken over by the next writer. A folder a command empties and removes (a training
job's resume folder) counts its lock files as nothing (:func:`only_locks`).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from advgen.errors import AdvgenError

#: the lock file of output ``NAME``: ``.NAME<LOCK_SUFFIX>`` in the output's folder
LOCK_SUFFIX = ".lock"


def lock_path(output: str | os.PathLike[str]) -> Path:
    """The lock file of ``output`` (beside its resolved path)."""
    real = Path(os.path.realpath(output))
    return real.parent / f".{real.name}{LOCK_SUFFIX}"


def only_locks(folder: str | os.PathLike[str]) -> bool:
    """Whether ``folder`` holds nothing but lock files (a folder its command may remove: the
    lock files go with it, the locks themselves are held until the command ends)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    return all(n.startswith(".") and n.endswith(LOCK_SUFFIX) for n in names)


def _holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        pid = ""
    return f"process {pid}" if pid.isdigit() else "another process"


def _take(output: str, what: str) -> tuple[Path, int]:
    """Open and lock ``output``'s lock file; the (path, descriptor) held."""
    path = lock_path(output)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _holder(fd)
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise AdvgenError(
                    f"{what} {output}: {holder} is writing this output now (lock {path}); "
                    "one command per output at a time"
                ) from None
            raise
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:  # its last holder removed it after we opened it: take the new one
            same = False
        if same:
            with contextlib.suppress(OSError):  # the holder's pid, for the second writer's line: best
                os.ftruncate(fd, 0)  # effort (a full disk fails the job's own write, naming its output)
                os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            return path, fd
        os.close(fd)


def _release(path: Path, fd: int) -> None:
    with contextlib.suppress(OSError):
        path.unlink()  # while still held: a writer that opened it before retries on the new file
    os.close(fd)


@contextlib.contextmanager
def output_locks(outputs: Iterable[tuple[str, str]]) -> Iterator[None]:
    """Hold the lock of every output (``(option, path)`` pairs) while the block runs; an output
    another process holds is an :class:`AdvgenError` (one line). The folders made for the lock
    files go again when the command leaves them empty; a lock file that cannot be made (a
    read-only or full disk) is the one line the output's own write would give."""
    from advgen.io import make_folder, remove_folders
    from advgen.write_errors import write_error

    held: list[tuple[Path, int]] = []
    created: list[Path] = []
    try:
        seen: set[Path] = set()
        for what, output in outputs:
            if lock_path(output) in seen:
                continue
            seen.add(lock_path(output))
            try:
                created += make_folder(lock_path(output).parent)
                held.append(_take(output, what))
            except FileExistsError:  # a file where a folder of the path should be: the job says so
                continue
            except OSError as exc:
                error = write_error(output, exc)
                if error is None:
                    raise
                raise error from None
        yield
    finally:
        for path, fd in reversed(held):
            _release(path, fd)
        remove_folders(created)
