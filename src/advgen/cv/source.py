"""YAML sources of the CV (cv.yaml, stats.yaml): loading and validation with line numbers.

Every problem is a :class:`CVError` whose message starts with ``file:line:`` and names
the key path (``sections.education.entries[0].title``): YAML syntax errors, duplicate
mapping keys (which plain ``yaml.safe_load`` silently overwrites), schema violations and
an ``order`` entry that names no section.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from advgen.config import schema_path
from advgen.errors import AdvgenError

CV_SCHEMA = schema_path("cv.schema.yaml")


class CVError(AdvgenError):
    """Bad CV input: the message names the file, line and key."""


class _Loader(yaml.SafeLoader):
    """Safe loader that keeps dates as strings (the schema checks their format)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class Source:
    """A loaded YAML document that can tell the line of any key path."""

    def __init__(self, path: Path, data: Any, root: yaml.Node | None) -> None:
        self.path = path
        self.data = data
        self._root = root

    def line(self, keys: Sequence[str | int] = ()) -> int:
        """1-based line of the value at ``keys`` (the deepest existing prefix)."""
        node = self._root
        if node is None:
            return 1
        for key in keys:
            child = _child(node, key)
            if child is None:
                break
            node = child
        return node.start_mark.line + 1

    def error(self, keys: Sequence[str | int], message: str) -> CVError:
        """A :class:`CVError` ``file:line: key.path: message``."""
        where = key_path(keys)
        prefix = f"{self.path}:{self.line(keys)}: "
        return CVError(prefix + (f"{where}: " if where else "") + message)


def key_path(keys: Sequence[str | int]) -> str:
    """``["sections", "talks", "entries", 3]`` -> ``sections.talks.entries[3]``."""
    out = ""
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def _child(node: yaml.Node, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(key):
                return value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def _check_duplicates(path: Path, node: yaml.Node | None, keys: list[str | int]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            line = key_node.start_mark.line + 1
            if name in seen:
                where = key_path([*keys, name])
                raise CVError(f"{path}:{line}: {where}: duplicate key (first defined on line {seen[name]})")
            seen[name] = line
            _check_duplicates(path, value_node, [*keys, name])
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check_duplicates(path, item, [*keys, i])


def load_source(path: str | Path) -> Source:
    """Parse a YAML file, keeping its node tree for line lookups."""
    from advgen.input_files import regular_input

    path = Path(path)
    try:
        regular_input(path)  # a FIFO or a device: refused before it is opened
        text = path.read_text(encoding="utf-8")
    except AdvgenError as exc:
        raise CVError(str(exc)) from None
    except FileNotFoundError as exc:
        raise CVError(f"{path}: file not found") from exc
    except UnicodeDecodeError as exc:
        raise CVError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        root = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise CVError(f"{where}: YAML syntax error: {exc.problem or exc.context}") from exc
    _check_duplicates(path, root, [])
    return Source(path, data, root)


def _schema(name: str) -> dict[str, Any]:
    schema = yaml.safe_load(CV_SCHEMA.read_text(encoding="utf-8"))
    if name == "cv":
        return schema
    return {"$ref": f"#/$defs/{name}", "$defs": schema["$defs"]}


def _describe(error: Any) -> tuple[list[str | int], str]:
    """(key path, message) for a jsonschema error, pointing at the offending key."""
    keys: list[str | int] = list(error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        return [*keys, extra[0]], f"unknown key (allowed: {', '.join(allowed)})"
    if error.validator == "required":
        missing = [r for r in error.validator_value if r not in error.instance]
        return keys, f"missing required key '{missing[0]}'"
    if error.validator == "type":
        return (
            keys,
            f"expected {error.validator_value}, got {type(error.instance).__name__} {error.instance!r}",
        )
    if error.validator == "enum":
        return keys, f"{error.instance!r} is not one of {error.validator_value}"
    if error.validator == "not" and isinstance(error.instance, dict):
        return keys, "give either 'date' or 'start'/'end', not both"
    if error.validator == "pattern":
        return keys, f"{error.instance!r} does not match {error.validator_value!r}"
    return keys, error.message


def validate(source: Source, schema: str = "cv") -> Any:
    """Validate ``source.data`` against ``cv.schema.yaml`` (or one of its ``$defs``).

    Defaults declared in the schema are filled in. Raises :class:`CVError` naming the
    file, line and key path of the first (most relevant) problem.
    """
    from jsonschema.exceptions import best_match

    from advgen.config import _validator_class

    if source.data is None:
        raise CVError(f"{source.path}:1: the file is empty")
    data = json.loads(json.dumps(source.data))  # plain JSON types, a private copy
    validator = _validator_class()(_schema(schema))
    error = best_match(validator.iter_errors(data))
    if error is not None:
        keys, message = _describe(error)
        raise source.error(keys, message)
    for keys, value in _date_fields(data, schema):
        try:
            dt.date.fromisoformat(value)
        except ValueError as exc:
            raise source.error(keys, f"not a valid date: {value!r}") from exc
    return data


def _date_fields(data: Any, schema: str) -> list[tuple[list[str | int], str]]:
    key = "last_updated" if schema == "cv" else "as_of"
    value = data.get(key) if isinstance(data, dict) else None
    return [([key], value)] if isinstance(value, str) else []


def load_cv_yaml(path: str | Path) -> tuple[Source, dict[str, Any]]:
    """Load and validate cv.yaml; also check that ``order`` names defined sections."""
    source = load_source(path)
    data = validate(source, "cv")
    sections = data["sections"]
    seen: set[str] = set()
    for i, name in enumerate(data["order"]):
        if name not in sections:
            known = ", ".join(sorted(sections)) or "none"
            raise source.error(["order", i], f"unknown section '{name}' (defined: {known})")
        if name in seen:
            raise source.error(["order", i], f"section '{name}' is listed twice")
        seen.add(name)
    first = sections[data["order"][0]]
    if first.get("level", 1) != 1:
        raise source.error(
            ["sections", data["order"][0], "level"], "the first section cannot be a sub-section"
        )
    return source, data


def load_stats_yaml(path: str | Path) -> tuple[Source, dict[str, Any]]:
    """Load and validate the stats file (``cv.schema.yaml#/$defs/stats``)."""
    source = load_source(path)
    return source, validate(source, "stats")
