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
from typing import Any

import yaml

from advgen import yaml_loader
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


def _key_path(error: Any) -> str:
    parts = [str(p) for p in error.absolute_path]
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return ".".join(parts + extra[:1]) or "<top level>"
    if error.validator == "required":
        missing = [r for r in error.validator_value if r not in error.instance]
        return ".".join(parts + missing[:1]) or "<top level>"
    return ".".join(parts) or "<top level>"


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
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"unknown key '{extra[0]}' (allowed: {allowed})"
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
    _check_references(config, source)
    _check_names(config, source)
    _check_splits(config, source)
    return config


def _check_splits(config: Mapping[str, Any], source: str) -> None:
    """Every split of every dataset holds every class (:func:`advgen.data.sizes.split_problem`);
    the entries are validated, their defaults filled, already."""
    from advgen.data.sizes import split_problem
    from advgen.data.spec import DatasetSpec
    from advgen.specs import typed_spec

    for name, entry in (config.get("datasets") or {}).items():
        problem = split_problem(typed_spec(DatasetSpec, entry, f"{source}: datasets.{name}"))
        if problem is not None:
            raise ConfigError(f"{source}: datasets.{name}.{problem[0]}: {problem[1]}")


#: the most jobs one grid may make: a generative sweep (generators x grid points), a purifier's
#: trade-off grid, a classifier sweep (runs x modes x values); a DAG of tens of thousands of jobs
#: takes Snakemake minutes to plan
MAX_GRID_JOBS = 1000


def check_grid_size(sizes: Mapping[str, int], where: str) -> None:
    """``sizes`` (what -> how many, multiplied) must make at most :data:`MAX_GRID_JOBS` jobs."""
    jobs = math.prod(sizes.values())
    if jobs > MAX_GRID_JOBS:
        factors = " x ".join(f"{n:,} {what}" for what, n in sizes.items())
        raise ConfigError(
            f"{where}: {factors} make up to {jobs:,} jobs, more than the limit of {MAX_GRID_JOBS:,} per grid"
        )


#: where the config names entries (the names become wildcard values, folders and files)
NAMED_SECTIONS: tuple[tuple[str, ...], ...] = (
    ("datasets",),
    ("gans",),
    ("autoencoders",),
    ("classifiers",),
    ("robustness", "attacks"),
    ("robustness", "data_size_sweeps"),
    ("defense", "purify", "purifiers"),
)
#: Snakemake refuses a wildcard value that ends in a part repeated this many times
#: (``PeriodicWildcardError``: it takes it for a rule producing its own input)
PERIODIC_REPEATS = 20
_PERIODIC = re.compile(rf"(.+?)\1{{{PERIODIC_REPEATS - 1},}}$")


#: the named sections whose names share a folder of results (``results/sweeps/<sweep>/<generator>``
#: holds GANs and autoencoders); within a group, names must differ in more than case
NAME_GROUPS: tuple[tuple[tuple[str, ...], ...], ...] = (
    (("datasets",),),
    (("gans",), ("autoencoders",)),
    (("classifiers",),),
    (("robustness", "attacks"),),
    (("robustness", "data_size_sweeps"),),
    (("defense", "purify", "purifiers"),),
)


def _section_names(config: Mapping[str, Any], keys: tuple[str, ...]) -> list[str]:
    node: Any = config
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return [str(name) for name in node] if isinstance(node, Mapping) else []


def check_name_case(config: Mapping[str, Any], source: str) -> None:
    """Names of one group (:data:`NAME_GROUPS`) that differ only in case are one line: they become
    folder and file names, which a case-insensitive file system (macOS, Windows) would merge."""
    for group in NAME_GROUPS:
        seen: dict[str, tuple[str, str]] = {}
        for keys in group:
            where = ".".join(keys)
            for name in _section_names(config, keys):
                first = seen.setdefault(name.casefold(), (name, where))
                if first[0] != name:
                    raise ConfigError(
                        f"{source}: {where}.{name}: the name differs only in case from {first[1]}.{first[0]}; "
                        "results folders are named after entries and a case-insensitive file system would "
                        "merge them (rename one)"
                    )


#: the sections of trained models: a run is named by its entry's name alone (roles, the claims
#: page, ``Study.model_sections``), so one name is one entry of one of them
MODEL_SECTIONS = ("classifiers", "gans", "autoencoders")


def check_model_names(config: Mapping[str, Any], source: str) -> None:
    """No entry name in two of :data:`MODEL_SECTIONS` (a GAN and a classifier both ``x``: a role
    naming ``x`` would read either)."""
    seen: dict[str, str] = {}
    for section in MODEL_SECTIONS:
        for name in _section_names(config, (section,)):
            first = seen.setdefault(name, section)
            if first != section:
                raise ConfigError(
                    f"{source}: {section}.{name}: also the name of {first}.{name}; roles and the claims page "
                    "name a model by its entry's name alone, so each name is one model's (rename one)"
                )


def check_run_names(config: Mapping[str, Any], source: str) -> None:
    """:func:`check_model_names` for the runs, after :func:`advgen.replicates.expand_replicates`:
    no name of a replicate (a GAN ``g``'s run ``g_seed<seed>`` and the ``g_seed<k>`` references
    use, :mod:`advgen.seed_base`) is a model of another section's."""
    from advgen.replicates import replicate_name
    from advgen.seed_base import seed_base

    base, seen = seed_base(config), dict[str, str]()
    for section in MODEL_SECTIONS:
        entries = config.get(section)
        for name, entry in entries.items() if isinstance(entries, Mapping) else ():
            of = entry.get("replicate_of") if isinstance(entry, Mapping) else None
            names = {str(name)}
            if of is not None and isinstance(entry.get("seed"), int):
                names |= {replicate_name(of, entry["seed"]), replicate_name(of, entry["seed"] - base)}
            for run in sorted(names):
                first = seen.setdefault(run, f"{section}.{of or name}")
                if first.split(".")[0] != section:
                    raise ConfigError(
                        f"{source}: {section}.{of or name}: run name '{run}' is also a name of {first}; "
                        "roles and the claims page name a model by its run's name alone (rename one)"
                    )


def _check_names(config: Mapping[str, Any], source: str) -> None:
    """No name ends in a part repeated :data:`PERIODIC_REPEATS` times (the schema bounds their
    length), none differs only in case from another of its group (:func:`check_name_case`), and
    no model's name is another model's (:func:`check_model_names`)."""
    check_name_case(config, source)
    check_model_names(config, source)
    for keys in NAMED_SECTIONS:
        for name in _section_names(config, keys):
            match = _PERIODIC.search(str(name))
            if match:
                raise ConfigError(
                    f"{source}: {'.'.join(keys)}: name '{name}' ends in '{match.group(1)}' repeated "
                    f"{len(match.group(0)) // len(match.group(1))} times, which Snakemake refuses in a "
                    f"wildcard (at most {PERIODIC_REPEATS - 1} repeats)"
                )


# Cross references between experiments: (section, field, referenced section).
REFERENCES: list[tuple[str, str, str]] = [
    ("gans", "dataset", "datasets"),
    ("autoencoders", "dataset", "datasets"),
    ("classifiers", "dataset", "datasets"),
    ("defense", "classifier", "classifiers"),  # defense.purify.classifier (the rest: advgen.defense.plan)
]


def _check_references(config: Mapping[str, Any], source: str) -> None:
    """Check that names used across sections (e.g. a GAN's dataset) exist."""
    for section, field, target in REFERENCES:
        for name, exp in (config.get(section) or {}).items():
            if isinstance(exp, Mapping) and field in exp:
                ref = exp[field]
                if ref not in (config.get(target) or {}):
                    known = ", ".join(sorted(config.get(target) or {})) or "none"
                    raise ConfigError(
                        f"{source}: {section}.{name}.{field}: unknown {target[:-1]} '{ref}' "
                        f"(defined: {known})"
                    )


@functools.cache
def _definition_validator(schema: str, definition: str) -> Any:
    """A validator of ``<schema>#/$defs/<definition>`` (packaged schemas; built once per process)."""
    if definition not in load_schema(SCHEMA_DIR / schema).get("$defs", {}):
        raise KeyError(f"{schema} has no definition {definition!r}")
    return _validator_class()({"$ref": f"{schema}#/$defs/{definition}"}, registry=_packaged_registry())


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
