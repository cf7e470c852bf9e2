"""The job schema's definitions (``jobs.schema.yaml``), written from the spec dataclasses.

Each job kind's spec is a frozen dataclass (:attr:`advgen.pipeline.jobkind.JobKind.spec_type`);
its definition in ``jobs.schema.yaml`` (what the generated subcommand checks ``--spec``
against before it builds the dataclass) is written from it, so a spec's shape is stated once:

- the fields: ``properties``, closed (``additionalProperties: false``); ``required``: the
  fields without a default;
- a field's definition: its :func:`advgen.specs.job_schema` metadata (the config key it comes
  from, a ``$ref``, ``nullable``, a whole ``schema``, a ``description``), else the config key
  of its name in the class's ``CONFIG_KEYS`` (a ``ClassVar``: a GAN's spec is a ``gans``
  entry's keys), else its annotation (a nested spec dataclass, ``bool``, ``X | None``,
  ``dict[str, <dataclass>]``, ``tuple[<dataclass>, ...]``);
- a class's ``JOB_SCHEMA`` (a ``ClassVar``): what the definition adds beside its fields (a
  description, a ``$ref`` whose keys it shares, ``if``/``then``);
- a class that is a config entry's own definition (its ``CONFIG_ENTRY``,
  :class:`advgen.specs.ConfigEntry`: a dataset, a GAN's recipe, the robust-features
  parameters): a ``$ref`` to the entry's definition and the fields it requires
  (:func:`entry_definition`).

Every definition is written, below :data:`MARKER` (above it, the file's ``$schema`` and
``description``): the shared ones (``name``, ``seed``, ``text``, ...:
:func:`advgen.pipeline.spec_shared.shared_definitions`), then every dataclass a job kind's spec
is made of (:func:`spec_classes`), in the YAML text of :mod:`advgen.pipeline.spec_yaml`.
``python -m advgen.registries`` checks the file (:func:`jobs_schema_problems`), ``--write``
rewrites it (:func:`write_jobs_schema`); :func:`missing_definitions` names a job kind whose spec
has no definition, and :func:`check_definitions` (run by
:func:`advgen.pipeline.check.checked_pipeline`: the workflow, its lint and dry run,
``advgen check-config``) refuses it in one line.
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from advgen.config import SCHEMA_DIR, load_schema
from advgen.errors import ConfigError
from advgen.pipeline.spec_shared import shared_definitions
from advgen.pipeline.spec_yaml import lines
from advgen.specs import SCHEMA_KEY, ConfigEntry

if TYPE_CHECKING:
    from advgen.pipeline.jobkind import AnyJobKind

#: the job schema's file name in the schemas folder
JOBS_SCHEMA = "jobs.schema.yaml"
#: the line above the written definitions: everything below it is written, never edited
MARKER = (
    "  # --- written from advgen.pipeline.spec_shared and the spec dataclasses"
    " by `python -m advgen.registries --write`: do not edit below"
)


def spec_classes(kinds: Iterable[AnyJobKind] | None = None) -> dict[str, type]:
    """Every dataclass the job kinds' specs are made of (``kinds``: default every row of
    :data:`advgen.pipeline.jobkinds.JOB_KINDS`), by name, in the order of their modules'
    definitions (module by module)."""
    if kinds is None:
        from advgen.pipeline.jobkinds import JOB_KINDS

        kinds = JOB_KINDS
    found = nested_classes(kind.spec_type for kind in kinds)

    def order(cls: type) -> tuple[str, int]:
        names = list(vars(sys.modules[cls.__module__]))
        return cls.__module__, names.index(cls.__name__) if cls.__name__ in names else 0

    return {cls.__name__: cls for cls in sorted(found.values(), key=order)}


def nested_classes(roots: Iterable[type]) -> dict[str, type]:
    """``roots`` and every dataclass their fields' annotations name, at any depth, by name."""
    found: dict[str, type] = {}

    def walk(cls: type) -> None:
        if cls.__name__ in found:
            return
        found[cls.__name__] = cls
        hints = typing.get_type_hints(cls)
        for field in dataclasses.fields(cls):
            named = field.metadata.get(SCHEMA_KEY, {}).get("ref")
            for arg in [*_args_deep(hints[field.name]), named]:
                if isinstance(arg, type) and dataclasses.is_dataclass(arg):
                    walk(arg)

    for cls in roots:
        walk(cls)
    return found


def _args_deep(hint: Any) -> list[Any]:
    out = [hint]
    for arg in typing.get_args(hint):
        out += _args_deep(arg)
    return out


def _names_dataclass(hint: Any) -> bool:
    """Whether an annotation is or holds a spec dataclass (``Panel``, ``tuple[Titled, ...]``)."""
    return any(isinstance(arg, type) and dataclasses.is_dataclass(arg) for arg in _args_deep(hint))


def _key_ref(config_key: str) -> str:
    """``robustness.classifier.epochs`` -> ``robustness.schema.yaml#/$defs/classifier/properties/epochs``."""
    schema, definition, *keys = config_key.split(".")
    return f"{schema}.schema.yaml#/$defs/{definition}" + "".join(f"/properties/{k}" for k in keys)


def _ref(ref: str | type) -> str:
    """A ``job_schema`` ``ref``: a definition, or the spec dataclass it is the definition of."""
    return f"#/$defs/{ref.__name__}" if isinstance(ref, type) else ref


def _annotation_node(cls: type, name: str, hint: Any) -> dict[str, Any]:
    """A field's definition from its annotation alone (no :func:`advgen.specs.job_schema` metadata)."""
    origin = typing.get_origin(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return {"$ref": f"#/$defs/{hint.__name__}"}
    if hint is bool:
        return {"type": "boolean"}
    if origin is tuple and _names_dataclass(hint):
        item, _ = typing.get_args(hint)
        return {"type": "array", "uniqueItems": True, "items": {"$ref": f"#/$defs/{item.__name__}"}}
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
    keys: str = getattr(cls, "CONFIG_KEYS", "")
    if "schema" in meta:
        node = dict(meta["schema"])
    elif "ref" in meta or "config_key" in meta:
        node = {"$ref": _ref(meta["ref"]) if "ref" in meta else _key_ref(meta["config_key"])}
    elif keys and not _names_dataclass(hint):
        node = {"$ref": _key_ref(f"{keys}.{field.name}")}
    else:
        node = _annotation_node(cls, field.name, hint)
    if meta.get("nullable"):
        node = {"anyOf": [{"type": "null"}, node]}
    if "description" in meta:
        node = {"description": meta["description"].replace("{key}", f"{keys}.{field.name}"), **node}
    return node


def _required(field: dataclasses.Field[Any]) -> bool:
    stated = field.metadata.get(SCHEMA_KEY, {}).get("required")
    if stated is not None:
        return bool(stated)
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _referred(ref: str) -> dict[str, Any]:
    """The definition ``ref`` (``<file>#/<pointer>``) names in the packaged schemas."""
    where, _, pointer = ref.partition("#/")
    node: dict[str, Any] = load_schema(SCHEMA_DIR / where)
    for part in pointer.split("/"):
        node = node[part]
    return node


def entry_definition(cls: type, entry: ConfigEntry) -> dict[str, Any]:
    """The definition of a spec class that is a config entry (:class:`advgen.specs.ConfigEntry`):
    a ``$ref`` to the entry's, and the fields it requires."""
    ref = _key_ref(entry.key)
    node: dict[str, Any] = {"description": entry.description} if entry.description else {}
    needed = [f.name for f in dataclasses.fields(cls) if _required(f)]
    if entry.whole:
        return node | {"type": "object", "required": needed, "$ref": ref}
    own = _referred(ref)
    defaulted = {k for k, v in own.get("properties", {}).items() if "default" in v}
    needed = [n for n in needed if n not in defaulted and n not in own.get("required", [])]
    return node | {"$ref": ref} | ({"required": needed} if needed else {})


def definition(cls: type) -> dict[str, Any]:
    """``cls``'s definition (module docstring)."""
    entry = getattr(cls, "CONFIG_ENTRY", None)
    if isinstance(entry, ConfigEntry):
        return entry_definition(cls, entry)
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


def written() -> dict[str, dict[str, Any]]:
    """The written definitions: the shared ones (:mod:`advgen.pipeline.spec_shared`), then every
    spec dataclass's."""
    return shared_definitions() | {name: definition(cls) for name, cls in spec_classes().items()}


def render(hand_text: str) -> str:
    """The whole file: its hand-written part (the ``$schema``, the ``description`` and the
    ``$defs:`` key, no definition), the marker, then the written definitions."""
    if yaml.safe_load(hand_text).get("$defs"):
        raise ValueError(f"{JOBS_SCHEMA}: a definition above {MARKER.strip()!r}: every one is written")
    out = [hand_text.rstrip("\n"), MARKER]
    for name, node in written().items():
        out += ["", f"  {name}:"]
        for key, value in node.items():
            out += lines(key, value, 4, block=key == "properties")
    return "\n".join(out) + "\n"


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
