"""Workflow config: YAML loading, JSON-schema validation with defaults, job specs.

The Snakefile calls :func:`validate_config` before any job is scheduled. Errors are one
line that names the offending key path (``gans.digits_ns.loss: 'foo' is not one of
[...]``), raised as :class:`~advgen.errors.ConfigError`. Defaults declared in the schema
are filled in, so the spec a job receives through ``params:`` is complete and a changed
default reruns exactly the jobs it affects.

The schema is split per stage: ``config.schema.yaml`` refers to
``<stage>.schema.yaml`` files beside it with relative ``$ref``. The schemas are package data
(``advgen/schemas/``), found with :mod:`importlib.resources`, so a wheel or non-editable install
validates configs without the source tree.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import math
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

from advgen import yaml_loader
from advgen.config_checks import check_names, check_references, check_splits
from advgen.errors import ConfigError

# pip always installs a package as files (never zipped), so the resource folder is a real path.
SCHEMA_DIR = Path(str(resources.files("advgen") / "schemas"))
CONFIG_SCHEMA = SCHEMA_DIR / "config.schema.yaml"


def schema_path(name: str) -> Path:
    """The packaged schema file ``name`` (e.g. ``"cv.schema.yaml"``)."""
    return SCHEMA_DIR / name


def load_yaml(path: str | Path) -> Any:
    """Load a YAML file; a syntax error is reported with file, line and column."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    try:
        return yaml_loader.safe_load(text)
    except yaml_loader.ExpansionError as exc:
        raise ConfigError(f"{path}:{_where(exc)}{exc.problem}") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ConfigError(f"{where}: YAML syntax error: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: YAML error: {exc}") from exc


def _where(exc: yaml.MarkedYAMLError) -> str:
    """``LINE:COLUMN: `` of a marked YAML error (empty without a mark)."""
    mark = exc.problem_mark
    return f"{mark.line + 1}:{mark.column + 1}: " if mark else " "


def _stamp(path: str | Path) -> tuple[Path, int, int]:
    """``path`` resolved, with its modification time and size (a cache key that sees edits)."""
    path = Path(path).resolve()
    try:
        stat = path.stat()
    except OSError:
        return path, -1, -1
    return path, stat.st_mtime_ns, stat.st_size


@functools.cache
def _load_schema(stamp: tuple[Path, int, int]) -> Any:
    return load_yaml(stamp[0])


def load_schema(path: str | Path) -> Any:
    """The parsed schema file ``path``, read once per process (shared: do not modify it).

    The cache is keyed on the file's modification time and size, so an edited file is read again.
    """
    return _load_schema(_stamp(path))


def _registry(schema_dir: Path) -> Any:
    from referencing import Registry, Resource

    def retrieve(uri: str) -> Resource:
        name = uri.rsplit("/", 1)[-1]
        return Resource.from_contents(load_schema(schema_dir / name))

    return Registry(retrieve=retrieve)


@functools.cache
def _packaged_registry() -> Any:
    """The packaged schemas as one crawled registry (a ``$ref`` between them is a lookup, not a
    retrieval each time a spec is checked)."""
    from referencing import Registry, Resource

    files = sorted(SCHEMA_DIR.glob("*.schema.yaml"))
    return Registry().with_resources((f.name, Resource.from_contents(load_schema(f))) for f in files).crawl()


def preload_schemas() -> None:
    """Parse every packaged schema into this process's caches (a warm server does it once for all
    the jobs it forks, each of which would otherwise parse them again)."""
    _packaged_registry()
    _validator_class()


def _is_finite_number(checker: Any, instance: Any) -> bool:
    """JSON-schema ``number``: an int or a finite float (YAML's .nan and .inf are not numbers)."""
    if isinstance(instance, bool) or not isinstance(instance, int | float):
        return False
    return math.isfinite(instance)


@functools.cache
def _validator_class() -> Any:
    """Draft 2020-12 validator that fills ``default`` values, rejects non-finite numbers and
    matches a ``pattern`` against the whole string."""
    from jsonschema import Draft202012Validator, validators

    base_properties = Draft202012Validator.VALIDATORS["properties"]

    def set_defaults(validator: Any, properties: Any, instance: Any, schema: Any) -> Any:
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if isinstance(sub, dict) and "default" in sub and name not in instance:
                    instance[name] = json.loads(json.dumps(sub["default"]))
        yield from base_properties(validator, properties, instance, schema)

    checker = Draft202012Validator.TYPE_CHECKER.redefine("number", _is_finite_number)
    keywords = {"properties": set_defaults, "pattern": _whole_pattern}
    return validators.extend(Draft202012Validator, keywords, type_checker=checker)


def _whole_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    """``pattern`` matched against the whole string (:func:`re.fullmatch`), not searched: JSON
    Schema's ``re.search`` lets ``$`` match before a final newline, so ``"tiny_gan\n"`` would
    pass ``^[a-z_]+$`` and break the file names and shell commands made from it."""
    from jsonschema.exceptions import ValidationError

    if isinstance(instance, str) and re.fullmatch(pattern, instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r} (the whole value must)")


@functools.cache
def _validator(stamp: tuple[Path, int, int]) -> Any:
    """A validator of the top-level schema file ``stamp[0]`` (its ``$ref`` targets read beside it)."""
    return _validator_class()(load_schema(stamp[0]), registry=_registry(stamp[0].parent))


def _unexpected(error: Any) -> list[str]:
    """The keys an ``additionalProperties`` / ``unevaluatedProperties`` error refuses."""
    if error.validator == "additionalProperties":
        return sorted(set(error.instance) - set(error.schema.get("properties", {})))
    return sorted(k for k in error.instance if repr(k) in error.message)  # 'k' was unexpected


def key_parts(error: Any) -> list[Any]:
    """The key path of a schema ``error``, ending at the unknown or missing key it names."""
    parts = list(error.absolute_path)
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        return parts + _unexpected(error)[:1]
    if error.validator == "required":
        missing = [r for r in error.validator_value if r not in error.instance]
        return parts + missing[:1]
    return parts


def _key_path(error: Any) -> str:
    return ".".join(str(p) for p in key_parts(error)) or "<top level>"


def _repeated(items: list[Any]) -> tuple[int, int]:
    """The first pair of equal items (JSON equality: 5 and 5.0 are equal, True and 1 are not)."""
    for j, b in enumerate(items):
        for i in range(j):
            a = items[i]
            if isinstance(a, bool) == isinstance(b, bool) and a == b:
                return i, j
    return 0, 0


def _message(error: Any) -> str:
    if error.validator == "uniqueItems":
        i, j = _repeated(list(error.instance))
        return f"{error.instance[i]!r} is listed twice (items {i} and {j}); the values of a list must differ"
    if error.validator in ("maxLength", "maxItems"):
        size = len(error.instance)
        what = "characters" if error.validator == "maxLength" else "items"
        shown = (
            repr(error.instance[:24]) + ("..." if size > 24 else "") if error.validator == "maxLength" else ""
        )
        return (
            f"{shown + ' has ' if shown else ''}{size} {what}, more than the limit of {error.validator_value}"
        )
    if error.validator == "additionalProperties":
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        return f"unknown key '{_unexpected(error)[0]}' (allowed: {allowed})"
    if error.validator == "unevaluatedProperties" and _unexpected(error):
        return f"unknown key '{_unexpected(error)[0]}'"
    if error.validator == "required":
        missing = [r for r in error.validator_value if r not in error.instance]
        return f"missing required key '{missing[0]}'"
    if error.validator == "not" and error.validator_value == {"type": "null"}:  # a conditional requirement
        return f"null, but {error.schema.get('description', 'a value is required here')}"
    if error.validator == "type":
        if isinstance(error.instance, float) and not math.isfinite(error.instance):
            return f"expected a finite {error.validator_value}, got {error.instance!r}"
        return f"expected {error.validator_value}, got {type(error.instance).__name__} {error.instance!r}"
    return error.message


def _best_error(errors: list[Any]) -> Any:
    from jsonschema.exceptions import best_match

    return best_match(errors)


def validate_config(
    config: dict[str, Any],
    schema: str | Path | None = None,
    *,
    source: str = "config",
) -> dict[str, Any]:
    """Validate ``config`` in place against ``schema`` and fill defaults.

    Args:
        config: the loaded config dict (modified in place: defaults are added).
        schema: path of the top-level schema; ``$ref`` targets are resolved beside it
            (default: the packaged ``config.schema.yaml``).
        source: a name for the config used as the message prefix (e.g. its file name).

    Returns:
        The same dict, with defaults filled in.

    Raises:
        ConfigError: one line, ``<source>: <key.path>: <problem>``.
    """
    schema = CONFIG_SCHEMA if schema is None else Path(schema)
    if not isinstance(config, dict):
        raise ConfigError(f"{source}: the config must be a mapping, got {type(config).__name__}")
    errors = list(_validator(_stamp(schema)).iter_errors(config))
    if errors:
        err = _best_error(errors)
        raise ConfigError(f"{source}: {_key_path(err)}: {_message(err)}")
    check_references(config, source)
    check_names(config, source)
    check_splits(config, source)
    return config


@functools.cache
def _definition_validator(schema: str, definition: str) -> Any:
    """A validator of ``<schema>#/$defs/<definition>`` (packaged schemas; built once per process).

    A definition, not a whole file: a ``$ref`` to a file's root, which names its ``$schema``,
    would be checked by the plain draft validator (jsonschema picks the class a resource's
    ``$schema`` names), without this module's ``pattern``, ``number`` and ``default``."""
    if definition not in load_schema(SCHEMA_DIR / schema).get("$defs", {}):
        raise KeyError(f"{schema} has no definition {definition!r}")
    return _validator_class()({"$ref": f"{schema}#/$defs/{definition}"}, registry=_packaged_registry())


def schema_problem(instance: Any, schema: str, definition: str) -> tuple[list[Any], str] | None:
    """The first problem of ``instance`` against ``<schema>#/$defs/<definition>`` (packaged), as
    (its key path, ending at the unknown or missing key it names; the message); None if there is
    none. ``instance`` is not changed (a copy is checked, its defaults filled in there)."""
    errors = list(_definition_validator(schema, definition).iter_errors(copy.deepcopy(instance)))
    if not errors:
        return None
    err = _best_error(errors)
    what = err.schema.get("description") if err.validator == "pattern" else None
    return key_parts(err), _message(err) + (f" ({what})" if what else "")


def complete_entry(entry: Any, schema: str, definition: str, what: str = "--spec") -> Any:
    """A copy of ``entry`` checked against ``<schema>#/$defs/<definition>``, its defaults filled
    in; the first error is a :class:`ConfigError` naming ``what`` and the key."""
    entry = copy.deepcopy(entry)
    errors = list(_definition_validator(schema, definition).iter_errors(entry))
    if errors:
        err = _best_error(errors)
        raise ConfigError(f"{what}: {_key_path(err)}: {_message(err)}")
    return entry


#: the job specs' definitions, one per typed spec (named after its dataclass) and the plot spec's
JOBS_SCHEMA = "jobs.schema.yaml"


def check_spec(definition: str, spec: Any, what: str = "--spec") -> None:
    """Check a job's ``spec`` (parsed JSON) against ``jobs.schema.yaml#/$defs/<definition>``:
    types, enums and ranges, as the config keys it comes from are checked (their definitions are
    referenced there); ``spec`` itself is left as it is (no defaults added). The first error is a
    :class:`ConfigError` naming ``what`` and the key."""
    complete_entry(spec, JOBS_SCHEMA, definition, what)


def dataset_spec(entry: Mapping[str, Any], what: str = "--spec") -> Any:
    """The typed spec (:class:`advgen.data.spec.DatasetSpec`) of a ``datasets`` entry, the
    schema's defaults filled in; a bad entry is one line naming ``what`` and the key."""
    from advgen.data.spec import DatasetSpec
    from advgen.specs import typed_spec

    return typed_spec(DatasetSpec, complete_entry(dict(entry), "data.schema.yaml", "dataset", what), what)


T = TypeVar("T")


def typed_section(cls: type[T], name: str, section: Mapping[str, Any] | None, source: str = "config") -> T:
    """The config's section ``name`` typed as ``cls`` (a settings dataclass), checked against
    ``<name>.schema.yaml#/$defs/<name>`` with its defaults filled (absent: the schema's
    defaults); a bad section is one line naming ``source`` and the key."""
    from advgen.specs import typed_spec

    where = f"{source}: {name}"
    typed: T = typed_spec(cls, complete_entry(dict(section or {}), f"{name}.schema.yaml", name, where), where)
    return typed


def spec_json(spec: Mapping[str, Any]) -> str:
    """Serialise a job spec deterministically (sorted keys): the value of a rule's params."""
    return json.dumps(spec, sort_keys=True, separators=(",", ":"))


def parse_spec(text: str, *, what: str = "--spec") -> dict[str, Any]:
    """Parse a JSON spec given on the command line, strictly (:func:`advgen.strict_json.loads`:
    no NaN, no duplicate key, bounded nesting)."""
    from advgen import strict_json

    spec = strict_json.loads(text, what)
    if not isinstance(spec, dict):
        raise ConfigError(f"{what}: expected a JSON object")
    if what == "--spec":  # outputs record the digest of the job's spec (advgen.provenance)
        from advgen.provenance import note_job_spec

        note_job_spec(spec)
    return spec


@dataclasses.dataclass(frozen=True)
class ConfigFile:
    """A validated config's top level, typed: the global keys, and each section as the JSON
    object the schema validated (the stage plans type the sections they expand: the specs of
    :mod:`advgen.pipeline.study`). A section the config leaves out is empty or ``None``."""

    seed: int
    max_jobs: int
    device: str
    plots: dict[str, Any]
    claims: str | None
    roles: dict[str, Any]
    seed_base: int = 0
    toy_scale: bool = False
    stack_seeds: str = "auto"
    datasets: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    classifiers: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    gans: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    autoencoders: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    sample_quality: dict[str, Any] | None = None
    robustness: dict[str, Any] | None = None
    sweeps: dict[str, Any] | None = None
    defense: dict[str, Any] | None = None
    cv: dict[str, Any] | None = None

    @classmethod
    def of(cls, config: Mapping[str, Any], source: str = "config") -> ConfigFile:
        """The top level of a validated ``config`` (its global keys filled by the schema)."""
        from advgen.specs import typed_spec

        top: ConfigFile = typed_spec(cls, config, source)
        return top
