"""The freeze's files read safely: regular files only, of a bounded size (a FIFO would block the
reader forever, ``/dev/zero`` never ends), JSON read strictly; each failure one line naming the
file."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path
from typing import Any

from advgen.errors import AdvgenError, ConfigError
from advgen.input_files import special_kind

#: the largest record, power plan or claims file read (each is some hundred kB)
MAX_BYTES = 16 * 2**20


def regular_file(path: str | Path, what: str) -> Path:
    """``path`` if it is a regular file; a missing one, a folder, a FIFO, a device or a file
    over :data:`MAX_BYTES` is one :class:`AdvgenError` line (a FIFO would block the reader
    forever, ``/dev/zero`` never ends)."""
    try:
        info = Path(path).stat()
    except FileNotFoundError:
        raise AdvgenError(f"{path}: {what} not found") from None
    except OSError as exc:
        raise AdvgenError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise AdvgenError(f"{path}: {what} is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        kind = special_kind(info.st_mode)
        raise AdvgenError(f"{path}: the {what} is {kind}, not a regular file (refusing to read it)")
    if info.st_size > MAX_BYTES:
        raise AdvgenError(f"{path}: the {what} has {info.st_size:,} bytes, more than {MAX_BYTES:,}")
    return Path(path)


def read_bytes(path: str | Path, what: str) -> bytes:
    """The bytes of a small regular file (:func:`regular_file`)."""
    try:
        with regular_file(path, what).open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise AdvgenError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise AdvgenError(f"{path}: the {what} has more than {MAX_BYTES:,} bytes")
    return data


def sha256(path: str | Path, what: str) -> str:
    """The sha256 of a small regular file's bytes; anything else is one line (:func:`regular_file`)."""
    return hashlib.sha256(read_bytes(path, what)).hexdigest()


def read_json(path: str | Path, what: str) -> Any:
    """A small JSON file, read strictly (:func:`advgen.strict_json.loads`: a key twice, ``NaN``,
    deep nesting refused), one :class:`ConfigError` line naming the file and key."""
    import json

    from advgen.strict_json import MAX_DEPTH, depth, loads

    try:
        text = read_bytes(path, what).decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a {what} (not UTF-8 text)") from None
    if depth(text) <= MAX_DEPTH:  # not JSON at all: say what the file should have been
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"{path}: not a {what} (not readable JSON: {exc.msg} at line {exc.lineno})"
            ) from None
        except ValueError:
            pass
    return loads(text, str(path))
