"""The job schema's definitions (``jobs.schema.yaml``), written from the spec dataclasses.

Each job kind's spec is a frozen dataclass (:attr:`advgen.pipeline.jobkind.JobKind.spec_type`);
its definition in ``jobs.schema.yaml`` (what the generated subcommand checks ``--spec``
against before it builds the dataclass) is written from it, so a spec's shape is stated once:

- the fields: ``properties``, closed (``additionalProperties: false``); ``required``: the
  fields without a default;
- a field's definition: its :func:`advgen.specs.job_schema` metadata (the config key it comes
  from, a ``$ref``, ``nullable``, a whole ``schema``, a ``description``), else its annotation
  (a nested spec dataclass, ``bool``, ``X | None``, ``dict[str, <dataclass>]``);
- a class's ``JOB_SCHEMA`` (a ``ClassVar``): what the definition adds beside its fields (a
  description, a ``$ref`` whose keys it shares, ``if``/``then``).

Every dataclass a job kind's spec is made of is written (:func:`spec_classes`), except the
definitions of the file's hand-written part, above :data:`MARKER`: the shared ``$defs``
(``name``, ``seed``, ``text``, ...), the specs that are a config entry's own definition
(``DatasetSpec``, ``RecipeSpec``, ...: a ``$ref`` into a stage schema) and the sweeps' grid
points (their shared properties). ``python -m advgen.registries`` checks the written part
(:func:`jobs_schema_problems`), ``--write`` rewrites it (:func:`write_jobs_schema`);
:func:`missing_definitions` names a job kind whose spec has no definition, and
:func:`check_definitions` (run by :func:`advgen.pipeline.check.checked_pipeline`: the
workflow, its lint and dry run, ``advgen check-config``) refuses it in one line.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
import textwrap
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from advgen.config import SCHEMA_DIR, load_schema
from advgen.errors import ConfigError
from advgen.specs import SCHEMA_KEY

if TYPE_CHECKING:
    from advgen.pipeline.jobkind import AnyJobKind

#: the job schema's file name in the schemas folder
JOBS_SCHEMA = "jobs.schema.yaml"
#: the line above the written definitions: everything below it is written, never edited
MARKER = (
    "  # --- written from the spec dataclasses by `python -m advgen.registries --write`: do not edit below"
)
#: the longest line of a field's definition in flow style (longer ones go in block style)
WIDTH = 110


def spec_classes(kinds: Iterable[AnyJobKind] | None = None) -> dict[str, type]:
    """Every dataclass the job kinds' specs are made of (``kinds``: default every row of
    :data:`advgen.pipeline.jobkinds.JOB_KINDS`), by name, in the order of their modules'
    definitions (module by module)."""
    if kinds is None:
        from advgen.pipeline.jobkinds import JOB_KINDS

        kinds = JOB_KINDS
    found: dict[str, type] = {}

    def walk(cls: type) -> None:
        if cls.__name__ in found:
            return
        found[cls.__name__] = cls
        for hint in typing.get_type_hints(cls).values():
            for arg in _args_deep(hint):
                if isinstance(arg, type) and dataclasses.is_dataclass(arg):
                    walk(arg)

    for kind in kinds:
        walk(kind.spec_type)

    def order(cls: type) -> tuple[str, int]:
        names = list(vars(sys.modules[cls.__module__]))
        return cls.__module__, names.index(cls.__name__) if cls.__name__ in names else 0

    return {cls.__name__: cls for cls in sorted(found.values(), key=order)}


def _args_deep(hint: Any) -> list[Any]:
    out = [hint]
    for arg in typing.get_args(hint):
        out += _args_deep(arg)
    return out


def _key_ref(config_key: str) -> str:
    """``robustness.classifier.epochs`` -> ``robustness.schema.yaml#/$defs/classifier/properties/epochs``."""
    schema, definition, *keys = config_key.split(".")
    return f"{schema}.schema.yaml#/$defs/{definition}" + "".join(f"/properties/{k}" for k in keys)


def _annotation_node(cls: type, name: str, hint: Any) -> dict[str, Any]:
    """A field's definition from its annotation alone (no :func:`advgen.specs.job_schema` metadata)."""
    origin = typing.get_origin(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return {"$ref": f"#/$defs/{hint.__name__}"}
    if hint is bool:
        return {"type": "boolean"}
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return {"anyOf": [{"type": "null"}, _annotation_node(cls, name, args[0])]}
    if origin in (dict, Mapping):
        key, value = typing.get_args(hint)
        if key is str and isinstance(value, type) and dataclasses.is_dataclass(value):
            return {
                "type": "object",
                "propertyNames": {"$ref": "#/$defs/name"},
                "additionalProperties": {"$ref": f"#/$defs/{value.__name__}"},
            }
    raise TypeError(
        f"{cls.__module__}.{cls.__name__}.{name}: its annotation does not say its definition: "
        "give it field(metadata=job_schema(config_key=..., ref=... or schema=...))"
    )


def field_node(cls: type, field: dataclasses.Field[Any], hint: Any) -> dict[str, Any]:
    """One field's definition (module docstring)."""
    meta: Mapping[str, Any] = field.metadata.get(SCHEMA_KEY, {})
    if "schema" in meta:
        node = dict(meta["schema"])
    elif "ref" in meta or "config_key" in meta:
        node = {"$ref": meta["ref"] if "ref" in meta else _key_ref(meta["config_key"])}
    else:
        node = _annotation_node(cls, field.name, hint)
    if meta.get("nullable"):
        node = {"anyOf": [{"type": "null"}, node]}
    if "description" in meta:
        node = {"description": meta["description"], **node}
    return node


def _required(field: dataclasses.Field[Any]) -> bool:
    stated = field.metadata.get(SCHEMA_KEY, {}).get("required")
    if stated is not None:
        return bool(stated)
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def definition(cls: type) -> dict[str, Any]:
    """``cls``'s definition (module docstring)."""
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    extra = dict(getattr(cls, "JOB_SCHEMA", {}))
    node: dict[str, Any] = {}
    if "description" in extra:
        node["description"] = extra.pop("description")
    node |= {"type": "object", "additionalProperties": False}
    required = [f.name for f in fields if _required(f)]
    if required:
        node["required"] = required
    node["properties"] = {f.name: field_node(cls, f, hints[f.name]) for f in fields}
    return node | extra


def _hand_written(text: str) -> str:
    if MARKER not in text:
        raise ValueError(f"{JOBS_SCHEMA}: no line {MARKER.strip()!r}")
    return text.partition(MARKER)[0].rstrip("\n") + "\n"


def written(hand: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The written definitions: every spec dataclass the hand-written ``$defs`` (``hand``) lack."""
    return {name: definition(cls) for name, cls in spec_classes().items() if name not in hand}


#: scalars YAML would read as something else than a string when plain
_RESERVED = {"null", "true", "false", "yes", "no", "on", "off", "y", "n", "~"}


def _scalar(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, str):
        plain = re.fullmatch(r"[$A-Za-z_][A-Za-z0-9_]*", value) and value.lower() not in _RESERVED
        return value if plain else json.dumps(value)
    return json.dumps(value)


def _flow(node: Any) -> str:
    if isinstance(node, Mapping):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in node.items()) + "}"
    if isinstance(node, list):
        return "[" + ", ".join(map(_flow, node)) + "]"
    return _scalar(node)


def _lines(key: str, value: Any, indent: int, block: bool = False) -> list[str]:
    """``key: value`` at ``indent``: in flow style where it fits a line (and describes nothing),
    else in block style; a long description folded."""
    head = " " * indent + f"{_scalar(key)}:"
    if key == "description" and isinstance(value, str) and len(f"{head} {_scalar(value)}") > WIDTH:
        wrapped = textwrap.wrap(value, WIDTH - indent - 2, break_long_words=False, break_on_hyphens=False)
        return [f"{head} >-", *(" " * (indent + 2) + line for line in wrapped)]
    line = f"{head} {_flow(value)}"
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
        return [head, *(out for k, v in value.items() for out in _lines(k, v, indent + 2))]
    if isinstance(value, list) and not any(isinstance(v, (Mapping, list)) for v in value):
        body = textwrap.wrap(", ".join(map(_scalar, value)), WIDTH - indent - 4, break_on_hyphens=False)
        body[0], body[-1] = "[" + body[0], body[-1] + "]"
        return [f"{head} {body[0]}", *(" " * (indent + 4) + b for b in body[1:])]
    if isinstance(value, list):
        return [head, *(" " * (indent + 2) + f"- {_flow(v)}" for v in value)]
    return [line]


def render(hand_text: str) -> str:
    """The whole file: its hand-written part, the marker, then the written definitions."""
    hand = yaml.safe_load(hand_text)["$defs"]
    lines = [hand_text.rstrip("\n"), "", MARKER]
    for name, node in written(hand).items():
        lines += ["", f"  {name}:"]
        for key, value in node.items():
            lines += _lines(key, value, 4, block=key == "properties")
    return "\n".join(lines) + "\n"


def jobs_schema_problems(schema_dir: Path = SCHEMA_DIR) -> list[str]:
    """One line if the file's written part is not what the dataclasses write."""
    path = schema_dir / JOBS_SCHEMA
    text = path.read_text(encoding="utf-8")
    if render(_hand_written(text)) != text:
        return [f"{path}: its spec definitions are not the spec dataclasses'"]
    return []


def write_jobs_schema(schema_dir: Path = SCHEMA_DIR) -> list[str]:
    """Rewrite the file's written part if stale; the paths written."""
    path = schema_dir / JOBS_SCHEMA
    text = path.read_text(encoding="utf-8")
    new = render(_hand_written(text))
    if new == text:
        return []
    path.write_text(new, encoding="utf-8")
    return [str(path)]


def missing_definitions(
    kinds: Iterable[AnyJobKind] | None = None, schema_dir: Path = SCHEMA_DIR
) -> list[str]:
    """One line per job kind whose spec, or a dataclass it nests, has no definition in
    ``jobs.schema.yaml`` (a new kind before ``python -m advgen.registries --write``)."""
    if kinds is None:
        from advgen.pipeline.jobkinds import JOB_KINDS

        kinds = JOB_KINDS
    defined = load_schema(schema_dir / JOBS_SCHEMA)["$defs"]
    out = []
    for kind in kinds:
        missing = [name for name in spec_classes([kind]) if name not in defined]
        if missing:
            out.append(
                f"{JOBS_SCHEMA}: job kind {kind.name}: no definition of its spec's {', '.join(missing)}"
                " (python -m advgen.registries --write writes it from the dataclass)"
            )
    return out


def check_definitions(kinds: Iterable[AnyJobKind] | None = None, schema_dir: Path = SCHEMA_DIR) -> None:
    """Refuse a job kind whose spec has no definition (:func:`missing_definitions`): one
    :class:`~advgen.errors.ConfigError` line, before any job is planned."""
    problems = missing_definitions(kinds, schema_dir)
    if problems:
        raise ConfigError(problems[0])
