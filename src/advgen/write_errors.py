"""The one line for a write that failed for a reason of the user's, not of the code's.

A full disk or quota is ``no space left on device: PATH``; a destination that cannot be written
(read-only, no permission, a file where a folder should be) ``PATH: cannot write (...)``; an
output larger than the file-size limit (``ulimit -f``; Python ignores SIGXFSZ, so the write fails
with EFBIG) ``PATH: cannot write (larger than the file-size limit, N bytes: ulimit -f)``. The
atomic writers of :mod:`advgen.io` raise these, and so do writers outside it that meet the same
faults (:func:`write_error`).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator

from advgen.errors import AdvgenError

#: a path as the writers and readers of files take it
PathLike = str | os.PathLike[str]

_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def out_of_space(exc: BaseException) -> bool:
    """Whether ``exc`` (or an exception it was raised from) is a full disk or quota.

    torch reports a full disk as ``unexpected pos`` with the ``OSError`` only in its context,
    pyarrow as an ``OSError`` whose message holds ``errno 28``."""
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in _NO_SPACE:
            return True
        text = str(e).lower()
        if "no space left on device" in text or "disk quota exceeded" in text:
            return True
    return False


def _too_large(path: PathLike) -> AdvgenError:
    """The one line for a write that failed with EFBIG: the file-size limit (``ulimit -f``,
    ``prlimit --fsize``) when one is set, else the file system's own maximum."""
    import resource

    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    if limit == resource.RLIM_INFINITY:
        return AdvgenError(f"{path}: cannot write (file too large for the file system)")
    return AdvgenError(f"{path}: cannot write (larger than the file-size limit, {limit} bytes: ulimit -f)")


def write_error(path: PathLike, exc: BaseException) -> AdvgenError | None:
    """The one-line error for a failed write of ``path``, or ``None`` when it is not the user's
    (a full disk, a read-only or forbidden destination, a file where a folder should be, an
    output over the file-size limit)."""
    if out_of_space(exc):
        return AdvgenError(f"no space left on device: {path}")
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno == errno.EFBIG:
            return _too_large(path)
        if isinstance(e, OSError) and e.errno in (
            errno.EROFS,
            errno.EACCES,
            errno.EPERM,
            errno.ENOTDIR,
            errno.EISDIR,
        ):
            return AdvgenError(f"{path}: cannot write ({os.strerror(e.errno)})")
    return None
