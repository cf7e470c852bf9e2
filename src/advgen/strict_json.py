"""Strict JSON for what crosses the command line (``--spec``, ``--rows``, ``--meta``, ``--budget``).

Python's :func:`json.loads` is lenient where a job spec must not be: it accepts ``NaN`` and
``Infinity``, turns ``1e400`` into ``inf``, reads integers of thousands of digits, keeps the last
of two equal keys, lets a lone surrogate (``"\\ud800"``) through, and recurses once per nesting
level (a value nested some thousands deep is a ``RecursionError``). :func:`loads` refuses each
of these with a :class:`~advgen.errors.ConfigError` of one line naming the option and, where
there is one, the key path (``--spec: lr: NaN is not a number JSON allows``):

* nesting deeper than :data:`MAX_DEPTH` (counted on the text, before parsing);
* ``NaN``, ``Infinity``, ``-Infinity``, and numbers that overflow a float (``1e400``);
* integers beyond :data:`MAX_INT` in size (no job counts that far; torch holds 64 bits);
* the same key twice in one object;
* a lone surrogate in a string or a key (not Unicode text: it cannot be written as UTF-8).

Ranges of the values themselves are the schemas' (:func:`advgen.config.check_spec`).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from advgen.errors import ConfigError

#: the deepest nesting of objects and lists accepted (job specs nest four or five levels)
MAX_DEPTH = 32
#: the largest integer magnitude accepted (int64)
MAX_INT = 2**63 - 1

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKETS = re.compile(r"[^\[\]{}]+")


class _Bad:
    """A value :func:`loads` refuses, kept in place so that the error can name its key path."""

    def __init__(self, why: str) -> None:
        self.why = why


class _Object(dict):
    """A JSON object; ``duplicate`` is its first repeated key, if any."""

    duplicate: str | None = None


def _pairs(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    for key, value in pairs:
        if key in obj and obj.duplicate is None:
            obj.duplicate = key
        obj[key] = value
    return obj


def _constant(name: str) -> _Bad:
    return _Bad(f"{name} is not a number JSON allows (numbers must be finite)")


def _float(text: str) -> float | _Bad:
    value = float(text)
    if not math.isfinite(value):
        return _Bad(f"the number {text[:24]} is out of range (a float overflows)")
    return value


def _int(text: str) -> int | _Bad:
    digits = len(text.lstrip("-"))
    if digits > len(str(MAX_INT)) or abs(int(text)) > MAX_INT:
        return _Bad(f"an integer of {digits} digits is out of range (at most {MAX_INT:,} in size)")
    return int(text)


def depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` in JSON ``text`` (brackets inside strings not counted)."""
    level = deepest = 0
    for char in _BRACKETS.sub("", _STRING.sub('""', text)):
        level += 1 if char in "[{" else -1
        deepest = max(deepest, level)
    return deepest


def _surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check(value: Any, path: list[str], what: str) -> Any:
    """``value`` with :class:`_Object` as plain dicts; the first refused part raises, naming its path."""

    def fail(why: str) -> ConfigError:
        return ConfigError(f"{what}: {'.'.join(path) + ': ' if path else ''}{why}")

    if isinstance(value, _Bad):
        raise fail(value.why)
    if isinstance(value, str):
        if _surrogate(value):
            raise fail(f"{value[:24]!r} holds a lone surrogate (not Unicode text)")
        return value
    if isinstance(value, list):
        head, last = path[:-1], path[-1] if path else ""
        return [_check(v, [*head, f"{last}[{i}]"], what) for i, v in enumerate(value)]
    if isinstance(value, _Object):
        if value.duplicate is not None:
            raise fail(f"duplicate key '{value.duplicate}' (a key may appear once in an object)")
        out = {}
        for key, v in value.items():
            if _surrogate(key):
                raise fail(f"the key {key[:24]!r} holds a lone surrogate (not Unicode text)")
            out[key] = _check(v, [*path, key], what)
        return out
    return value


def loads(text: str, what: str = "--spec") -> Any:
    """Parse JSON ``text`` strictly (see the module docstring); errors name ``what``."""
    deepest = depth(text)
    if deepest > MAX_DEPTH:
        raise ConfigError(f"{what}: nested {deepest} levels deep, more than the limit of {MAX_DEPTH}")
    try:
        value = json.loads(
            text, object_pairs_hook=_pairs, parse_constant=_constant, parse_float=_float, parse_int=_int
        )
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{what}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    return _check(value, [], what)
