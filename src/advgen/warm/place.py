"""Where a run's warm server listens, and the lock that lets one job start it. Standard library only.

Every server of a user lives in one private folder: ``$XDG_RUNTIME_DIR/advgen-warm`` where
that is set (a per-user folder the login manager makes), else ``$TMPDIR/advgen-warm-<uid>``
(``/tmp`` without ``$TMPDIR``). The folder is made with mode 0700 and refused unless it is a
real folder of this user that no one else may enter; the socket in it gets mode 0600.

One server per run and working folder: the socket's name is a digest of the owner (host, pid,
SLURM job), the working folder, the interpreter, the location of the advgen package and
:func:`import_environment` (the variables that libraries read when they are imported, which a
forked job cannot change: thread counts of OpenMP, MKL and OpenBLAS, which Snakemake sets per
job from its ``threads:``, Python's own, matplotlib's configuration folder, the dynamic
loader's). Jobs that differ in any of these get servers of their own.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from collections import namedtuple
from collections.abc import Mapping

from advgen.warm.protocol import Unavailable

#: variables read by a library when it is imported (a forked job inherits the server's)
IMPORT_PREFIXES = (
    "PYTHON",
    "OMP_",
    "MKL_",
    "KMP_",
    "OPENBLAS_",
    "GOTO_",
    "VECLIB_",
    "NUMEXPR_",
    "TORCH",
    "PYTORCH",
    "MPL",
    "LD_",
    "LC_",
)
IMPORT_NAMES = ("LANG", "HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")
#: longest socket path a Unix socket address takes (Linux: 108 bytes with the final NUL)
MAX_SOCKET_PATH = 107


class Place(namedtuple("Place", "socket log lock")):
    """A server's socket, its log, and the user's lock for starting servers (paths, as str)."""

    __slots__ = ()


def import_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables of ``environ`` that the libraries read on import, sorted."""
    return {k: v for k, v in sorted(environ.items()) if k.startswith(IMPORT_PREFIXES) or k in IMPORT_NAMES}


def private_folder(environ: Mapping[str, str] = os.environ) -> str:
    """The user's folder of servers (made on first use); :class:`Unavailable` when it is not
    private (another owner, a link, other users may enter it)."""
    runtime = environ.get("XDG_RUNTIME_DIR", "")
    if runtime and _private(runtime, strict=False):
        folder = os.path.join(runtime, "advgen-warm")
    else:
        folder = os.path.join(environ.get("TMPDIR") or "/tmp", f"advgen-warm-{os.getuid()}")
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise Unavailable(f"cannot make {folder}: {exc.strerror}") from None
    if not _private(folder):
        raise Unavailable(f"{folder} is not a private folder of this user (mode 0700)")
    return folder


def _private(folder: str, strict: bool = True) -> bool:
    try:
        st = os.lstat(folder)
    except OSError:
        return False
    mode_ok = not (st.st_mode & 0o077) or not strict
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and mode_ok


def place_for(owner_tag: str, environ: Mapping[str, str] = os.environ, cwd: str | None = None) -> Place:
    """The server of this job's run, folder, interpreter, package and import environment."""
    import advgen

    key = {
        "owner": owner_tag,
        "cwd": cwd if cwd is not None else os.getcwd(),
        "python": sys.executable,
        "package": os.path.dirname(os.path.abspath(advgen.__file__)),
        "environment": import_environment(environ),
    }
    name = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:24]
    folder = private_folder(environ)
    socket_path = os.path.join(folder, f"{name}.sock")
    if len(os.fsencode(socket_path)) > MAX_SOCKET_PATH:
        raise Unavailable(f"the socket path {socket_path} is longer than {MAX_SOCKET_PATH} bytes")
    return Place(socket_path, os.path.join(folder, f"{name}.log"), os.path.join(folder, "start.lock"))
