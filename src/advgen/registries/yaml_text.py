"""The YAML text of the registries' copies: JSON values as YAML flow scalars and flow
collections, and a block-style YAML file's blocks found and rewritten in place (its comments,
order and style kept)."""

from __future__ import annotations

import json
import math
import re
import textwrap
from collections.abc import Sequence
from typing import Any

import yaml


def same(a: Any, b: Any) -> bool:
    """Equal values of the same JSON type (1 and 1.0 differ: a spec would change)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def node_at(tree: Any, path: Sequence[str]) -> Any:
    for key in path:
        tree = tree.get(key) if isinstance(tree, dict) else None
    return tree


def scalar(value: Any) -> str:
    """``value`` as a YAML flow scalar."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, float) and math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    return text if yaml.safe_load(text) == text and re.fullmatch(r"[\w.-]+", text) else json.dumps(text)


def flow_value(value: Any) -> str:
    """``value`` in YAML flow style."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow_value(v) for v in value) + "]"
    return scalar(value)


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def block(lines: list[str], path: Sequence[str]) -> tuple[int, int]:
    """(line of the last key of ``path``, end of its block) in a block-style YAML text."""
    lo, hi, indent, found = 0, len(lines), 0, -1
    for key in path:
        found = next(
            (
                i
                for i in range(lo, hi)
                if indent_of(lines[i]) == indent and lines[i].lstrip().startswith(f"{key}:")
            ),
            -1,
        )
        if found < 0:
            raise LookupError(f"{'.'.join(path)}: no key '{key}'")
        end = found + 1
        while end < hi and (not lines[end].strip() or indent_of(lines[end]) > indent):
            end += 1
        while end > found + 1 and not lines[end - 1].strip():
            end -= 1
        lo, hi = found + 1, end
        indent = next((indent_of(line) for line in lines[lo:hi] if line.strip()), indent + 2)
    return found, hi


def set_value(lines: list[str], path: Sequence[str], text: str) -> None:
    at, _ = block(lines, path)
    lines[at] = f"{' ' * indent_of(lines[at])}{path[-1]}: {text}"


def description_lines(text: str, indent: int) -> list[str]:
    """``description: text`` at ``indent``: on one line where it fits (plain, else quoted) and
    reads back as the same string, else folded (``>-``) and wrapped at 100 columns."""
    pad = " " * indent
    quoted = "'" + text.replace("'", "''") + "'"
    for value in (text, quoted, json.dumps(text, ensure_ascii=False)):
        line = f"{pad}description: {value}"
        if len(line) <= 100 and reads_back(line, {"description": text}):
            return [line]
    body = textwrap.wrap(
        text, 100, initial_indent=pad + "  ", subsequent_indent=pad + "  ", break_on_hyphens=False
    )
    lines = [f"{pad}description: >-", *body]
    if not reads_back("\n".join(lines), {"description": text}):
        raise ValueError(f"a description YAML cannot fold as it is: {text!r}")
    return lines


def reads_back(text: str, value: Any) -> bool:
    """Whether the YAML ``text`` is ``value`` (a colon or a hash inside plain text is not)."""
    try:
        return bool(yaml.safe_load(text) == value)
    except yaml.YAMLError:
        return False


def object_lines(key: str, node: dict[str, Any], indent: int) -> list[str]:
    """``key:`` and ``node`` in block style at ``indent``: its ``properties`` and their values as
    blocks, a ``description`` by :func:`description_lines`, other values in flow style."""
    pad = " " * indent
    if not node:
        return [f"{pad}{key}: {{}}"]
    lines = [f"{pad}{key}:"]
    for k, v in node.items():
        if k == "description" and isinstance(v, str):
            lines += description_lines(v, indent + 2)
        elif isinstance(v, dict) and (key == "properties" or k == "properties"):
            lines += object_lines(k, v, indent + 2)
        else:
            lines.append(f"{pad}  {k}: {flow_value(v)}")
    return lines
