"""Typed job specs: frozen dataclasses that cross the command line as JSON.

A job's spec is built once from the validated config (by the plans, or the workflow's
``params:``), crosses the command line as sorted JSON, and becomes a frozen dataclass of the
library again at the command's boundary (:func:`typed_spec`): an unknown or missing field,
or a value of the wrong shape, is a one-line :class:`~advgen.errors.ConfigError`. Lists
become tuples on the way in and lists again on the way out (:func:`spec_dict`), and an
optional field (default ``None``) the JSON left out stays out, so a checkpoint's ``config`` and
a spec's digest are the JSON the workflow passed.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from advgen.errors import ConfigError

#: the key of a field's metadata that holds what its job-schema definition says of it
SCHEMA_KEY = "advgen.schema"
#: the job schema's names (``jobs.schema.yaml#/$defs/name``) and the config's role names
NAME = "#/$defs/name"
ROLE = "config.schema.yaml#/properties/roles/propertyNames"
#: a stacked job's seeds: two or more, one per run (:mod:`advgen.pipeline.stacking`)
STACKED_SEEDS: dict[str, Any] = {
    "description": "the seeds of the entry's runs, in the order of their names",
    "type": "array",
    "minItems": 2,
    "uniqueItems": True,
    "items": {"$ref": "#/$defs/seed"},
}

T = TypeVar("T")


def job_schema(
    *,
    config_key: str | None = None,
    ref: str | type | None = None,
    description: str | None = None,
    nullable: bool = False,
    required: bool | None = None,
    schema: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A spec dataclass field's metadata: what its definition in ``jobs.schema.yaml`` says of it
    (:mod:`advgen.pipeline.spec_schema` writes the definitions from these), as in
    ``epochs: int = field(metadata=job_schema(config_key="robustness.classifier.epochs"))``:

    - ``config_key``: the config key the value comes from, ``<schema>.<definition>.<key>``
      (``robustness.classifier.epochs``: a ``robustness.classifiers`` entry's ``epochs``, whose
      definition in ``robustness.schema.yaml`` states its type and range once); or
    - ``ref``: any other definition (``#/$defs/name``, ``config.schema.yaml#/properties/seed``),
      or a spec dataclass whose definition it is, where the annotation does not name it (an
      object the job completes before it builds the dataclass);
    - ``nullable``: ``null`` is a value too (a ``None`` the dataclass takes);
    - ``schema``: the field's whole definition, where neither a key nor the annotation says it;
    - ``description``: what the value is, beside the definition it refers to;
    - ``required``: whether the definition requires it, where that is not "it has no default"
      (a field a spec nesting it leaves out, as a sweep's points leave out their ``device``).

    A field with none of these is defined by its class's ``CONFIG_KEYS`` (a ``ClassVar``: the
    config definition ``<schema>.<definition>`` whose keys of the same names the fields are;
    ``{key}`` in a description is then the field's key), else by its annotation: a nested spec
    dataclass, ``bool``, a ``dict[str, <dataclass>]``. A default (``field(default=...)``) only
    where the JSON may omit the field."""
    metadata = {
        "config_key": config_key,
        "ref": ref,
        "description": description,
        "nullable": nullable,
        "required": required,
        "schema": dict(schema) if schema is not None else None,
    }
    stated = {k: v for k, v in metadata.items() if v is not None and (k != "nullable" or v)}
    return {SCHEMA_KEY: stated}


def optional_key(config_key: str) -> Any:
    """A spec field that a job may leave out (``None``, its default, and ``null`` in its JSON),
    else a value of ``config_key`` (a :func:`job_schema` ``config_key``)."""
    return dataclasses.field(default=None, metadata=job_schema(config_key=config_key, nullable=True))


def ref_map(value: str | Mapping[str, Any], *, keys: str = NAME) -> dict[str, Any]:
    """The schema of an object from names (``keys``: a ``$ref``, default a job-schema name) to
    ``value`` (a ``$ref``, or a whole definition)."""
    return {
        "type": "object",
        "propertyNames": {"$ref": keys},
        "additionalProperties": {"$ref": value} if isinstance(value, str) else dict(value),
    }


def ref_array(ref: str, *, nonempty: bool = False) -> dict[str, Any]:
    """The schema of an array of distinct values of the definition ``ref`` (``nonempty``: one at
    least)."""
    return {
        "type": "array",
        **({"minItems": 1} if nonempty else {}),
        "uniqueItems": True,
        "items": {"$ref": ref},
    }


@dataclass(frozen=True)
class ConfigEntry:
    """A spec class's declaration that it IS a config entry (its ``CONFIG_ENTRY``, a ``ClassVar``):
    its job-schema definition is a ``$ref`` to the entry's own definition (``key``, as a
    :func:`job_schema` ``config_key``), which states the fields' types, ranges and defaults once.

    ``whole``: the job's JSON holds every field (a plan passes the entry filled), so the
    definition requires the dataclass's fields without a default, checked before the entry's
    defaults could fill them; else it requires only the fields that the entry's definition
    neither requires nor defaults (what the plan adds, a resolved seed)."""

    key: str
    description: str | None = None
    whole: bool = False


@dataclass(frozen=True)
class NoSettings:
    """The spec of a job that takes no settings: its outputs depend on its inputs (and the code)
    alone, e.g. a table concatenating other jobs' rows in their order."""

    JOB_SCHEMA: ClassVar[Mapping[str, Any]] = {
        "description": "a job whose outputs depend on its inputs alone (a concatenation, a recomputed fact)"
    }


def spec_dict(spec: Any) -> Any:
    """A typed spec (or any nesting of dataclasses, tuples, lists and dicts) as the plain JSON
    shape it crosses the command line in: dataclasses -> dicts, tuples -> lists, and an optional
    field (default ``None``) left ``None`` absent, as in the JSON it was built from."""
    if dataclasses.is_dataclass(spec) and not isinstance(spec, type):
        return {
            f.name: spec_dict(getattr(spec, f.name))
            for f in dataclasses.fields(spec)
            if not (f.default is None and getattr(spec, f.name) is None)
        }
    if isinstance(spec, (list, tuple)):
        return [spec_dict(v) for v in spec]
    if isinstance(spec, Mapping):
        return {k: spec_dict(v) for k, v in spec.items()}
    return spec


def typed_spec(cls: type[T], data: Mapping[str, Any], what: str = "--spec") -> T:
    """``cls`` (a dataclass) from the JSON object ``data``; an unknown or missing field, or a
    value of the wrong shape, is a :class:`ConfigError` naming ``what`` and the field."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} is not a dataclass")
    if not isinstance(data, Mapping):
        raise ConfigError(f"{what}: expected a JSON object ({cls.__name__})")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(
            f"{what}: unknown field '{unknown[0]}' (fields of {cls.__name__}: {', '.join(fields)})"
        )
    missing = [
        name
        for name, f in fields.items()
        if name not in data and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise ConfigError(f"{what}: missing field '{missing[0]}' ({cls.__name__})")
    hints = typing.get_type_hints(cls)
    return cls(**{name: _value(hints[name], value, f"{what}.{name}") for name, value in data.items()})


def _value(hint: Any, value: Any, what: str) -> Any:
    """``value`` converted to ``hint`` (lists become tuples, objects nested dataclasses)."""
    origin = typing.get_origin(hint) or hint
    if isinstance(origin, type) and dataclasses.is_dataclass(origin):
        return typed_spec(origin, value, what)
    if hint is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None or len(args) != 1:
            return value  # an optional field left empty, or a union the dataclass checks itself
        return _value(args[0], value, what)
    if origin in (tuple, list, Sequence):
        if not isinstance(value, list):
            raise ConfigError(f"{what}: expected a list, got {value!r}")
        items = [a for a in typing.get_args(hint) if a is not Ellipsis]
        return tuple(_value(items[0], v, f"{what}[]") if items else v for v in value)
    if origin in (dict, Mapping):
        if not isinstance(value, dict):
            raise ConfigError(f"{what}: expected an object, got {value!r}")
        pair = typing.get_args(hint)
        return {k: _value(pair[1], v, f"{what}.{k}") if pair else v for k, v in value.items()}
    expected = {str: (str,), int: (int,), float: (int, float), bool: (bool,)}.get(origin)
    if expected and (not isinstance(value, expected) or (origin is not bool and isinstance(value, bool))):
        raise ConfigError(f"{what}: expected {origin.__name__}, got {value!r}")
    return value
