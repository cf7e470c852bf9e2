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

A lock file is data in a folder others may write to, never a path to follow: it is created with
``O_EXCL | O_NOFOLLOW`` relative to a descriptor of its folder, and an existing one is opened
with ``O_NOFOLLOW`` only after it proved to be what a command leaves: a regular file of this
user's, with one link, a few bytes long. A planted symbolic link (dangling or not), a hard link
to another file, a FIFO, a device, a socket or a folder at a lock's name is one line, exit
status 2, before anything is opened for writing: nothing is written through it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
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


#: the most a lock file a command made holds (its writer's pid and a newline)
_MAX_LOCK_BYTES = 32
_OPEN = os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK


def _foreign(info: os.stat_result) -> str | None:
    """What makes an existing lock file one no command of this user's made, or ``None``."""
    from advgen.input_files import special_kind

    if stat.S_ISLNK(info.st_mode):
        return "a symbolic link"
    if stat.S_ISDIR(info.st_mode):
        return "a folder"
    if not stat.S_ISREG(info.st_mode):
        return special_kind(info.st_mode)
    if info.st_nlink != 1:
        return f"a file with {info.st_nlink} links (a hard link to another file)"
    if info.st_uid != os.geteuid():
        return f"a file of user {info.st_uid}"
    if info.st_size > _MAX_LOCK_BYTES:
        return f"a file of {info.st_size} bytes"
    return None


def _open(folder: int, path: Path, output: str, what: str) -> int:
    """The lock file ``path`` opened for writing relative to ``folder``: created anew, or an
    existing lock file a command left (checked before it is opened, and again once open)."""
    try:
        return os.open(path.name, _OPEN | os.O_CREAT | os.O_EXCL, 0o666, dir_fd=folder)
    except FileExistsError:
        pass
    problem = None
    try:
        before = os.stat(path.name, dir_fd=folder, follow_symlinks=False)
        problem = _foreign(before)
        if problem is None:
            fd = os.open(path.name, _OPEN, dir_fd=folder)
            after = os.fstat(fd)
            problem = _foreign(after)
            if problem is None and (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino):
                return fd
            os.close(fd)
            problem = problem or "a file that changed while it was opened"
    except FileNotFoundError:  # its holder removed it meanwhile: make it anew
        return _open(folder, path, output, what)
    except OSError as exc:
        if exc.errno != errno.ELOOP:  # (O_NOFOLLOW: a link swapped in after the check)
            raise
        problem = "a symbolic link"
    raise AdvgenError(
        f"{what} {output}: its lock file {path} is {problem}, not a lock file an advgen command "
        "made (nothing was written through it); remove it and run the command again"
    )


def _take(output: str, what: str) -> tuple[Path, int]:
    """Open and lock ``output``'s lock file; the (path, descriptor) held."""
    path = lock_path(output)
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        while True:
            fd = _open(folder, path, output, what)
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
            if _same(fd, folder, path.name):
                with contextlib.suppress(OSError):  # the holder's pid, for the second writer's line:
                    os.ftruncate(fd, 0)  # best effort (a full disk fails the job's own write)
                    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
                return path, fd
            os.close(fd)  # its last holder removed it after we opened it: take the new one
    finally:
        os.close(folder)


def _same(fd: int, folder: int | None, name: str | Path) -> bool:
    """Whether ``name`` (in ``folder``, not followed) is still the file open at ``fd``."""
    try:
        info = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (info.st_dev, info.st_ino) == (held.st_dev, held.st_ino)


def _release(path: Path, fd: int) -> None:
    with contextlib.suppress(OSError):
        if _same(fd, None, path):  # while still held: a writer that opened it before retries
            path.unlink()
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
