"""Inputs that are not regular files: refused with one line before they are opened.

Opening a FIFO waits for a writer that may never come, and a device may never end: a reader
calls :func:`regular_input` first; a command that rewrites a file in place calls
:func:`in_place_file` (a folder is refused there too). A missing or unreadable path passes
both: its reader names that. An output, in place or not, that exists as a FIFO, a socket or a
device (or a link to one) is refused before the command works (:func:`special_output`): a
writer would replace it with a regular file, or write into the device.
"""

from __future__ import annotations

import os
import stat

from advgen.errors import AdvgenError, CheckpointError
from advgen.write_errors import PathLike


def special_kind(mode: int) -> str:
    """What a file that is not a regular file or a folder is, for a message."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def regular_input(path: PathLike) -> None:
    """Refuse an input that exists but is neither a regular file nor a folder (a FIFO, a
    socket, a device) with one line, before it is opened: opening a FIFO waits for a writer
    that may never come, and a device may never end. A missing or unreadable path passes (its
    reader names that)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return
    raise CheckpointError(f"{path}: is {special_kind(mode)}, not a regular file (refusing to read it)")


def in_place_file(path: PathLike) -> None:
    """Refuse a file a command rewrites in place (reads, then replaces atomically: ``claims
    --readme``) that exists but is not a regular file (a folder, a FIFO, a socket, a device) with
    one line, before it is opened. A missing or unreadable path passes (its reader names that)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else special_kind(mode)
        raise AdvgenError(f"{path}: is {kind}, not a regular file (refusing to rewrite it in place)")


def special_output(path: PathLike) -> str | None:
    """What an existing output ``path`` is when it is a FIFO, a socket or a device (or a symbolic
    link to one), else ``None``: a command refuses to write it. A missing path, a regular file
    and a folder pass."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return special_kind(mode)


def refuse_special_output(path: PathLike, what: str = "") -> None:
    """:func:`special_output` as one line (:class:`~advgen.errors.AdvgenError`)."""
    kind = special_output(path)
    if kind is not None:
        via = f" (through the link to {os.path.realpath(path)})" if os.path.islink(path) else ""
        name = f"{what} {path}" if what else str(path)
        raise AdvgenError(f"{name}: is {kind}{via}, not a regular file or folder (refusing to write it)")
