"""The job schema's YAML text (``jobs.schema.yaml``): a definition's keys in flow style where
they fit a line, else in block style, long descriptions folded."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Mapping
from typing import Any

#: the longest line of a field's definition in flow style (longer ones go in block style)
WIDTH = 110

#: scalars YAML would read as something else than a string when plain
_RESERVED = {"null", "true", "false", "yes", "no", "on", "off", "y", "n", "~"}


def scalar(value: Any) -> str:
    """``value`` as a YAML scalar: plain where YAML reads it back as that string, else JSON."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, str):
        plain = re.fullmatch(r"[$A-Za-z_][A-Za-z0-9_]*", value) and value.lower() not in _RESERVED
        return value if plain else json.dumps(value)
    return json.dumps(value)


def flow(node: Any) -> str:
    """``node`` in YAML flow style."""
    if isinstance(node, Mapping):
        return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in node.items()) + "}"
    if isinstance(node, list):
        return "[" + ", ".join(map(flow, node)) + "]"
    return scalar(node)


def lines(key: str, value: Any, indent: int, block: bool = False) -> list[str]:
    """``key: value`` at ``indent``: in flow style where it fits a line (and describes nothing),
    else in block style; a long description folded."""
    head = " " * indent + f"{scalar(key)}:"
    if key == "description" and isinstance(value, str) and len(f"{head} {scalar(value)}") > WIDTH:
        wrapped = textwrap.wrap(value, WIDTH - indent - 2, break_long_words=False, break_on_hyphens=False)
        return [f"{head} >-", *(" " * (indent + 2) + line for line in wrapped)]
    line = f"{head} {flow(value)}"
    nested = isinstance(value, Mapping) and any(
        isinstance(v, Mapping) and "description" in v for v in value.values()
    )
    if value in ({}, []) or (
        len(line) <= WIDTH
        and not block
        and not nested
        and not (isinstance(value, Mapping) and "description" in value)
    ):
        return [line]
    if isinstance(value, Mapping):
        return [head, *(out for k, v in value.items() for out in lines(k, v, indent + 2))]
    if isinstance(value, list) and not any(isinstance(v, (Mapping, list)) for v in value):
        body = textwrap.wrap(", ".join(map(scalar, value)), WIDTH - indent - 4, break_on_hyphens=False)
        body[0], body[-1] = "[" + body[0], body[-1] + "]"
        return [f"{head} {body[0]}", *(" " * (indent + 4) + b for b in body[1:])]
    if isinstance(value, list):
        return [head, *(" " * (indent + 2) + f"- {flow(v)}" for v in value)]
    return [line]
