"""Strict reading of config files, before Snakemake's parsed config is used.

Snakemake parses ``--configfile`` itself and is lenient: duplicate keys are merged (the
last wins) and its messages lack the file and line. :func:`read_config_file` reads a
config file with advgen's own YAML loader and raises one-line
:class:`~advgen.errors.ConfigError` messages:

* non-UTF-8 bytes: ``FILE: byte N: not valid UTF-8``;
* a syntax error: ``FILE:LINE:COLUMN: YAML syntax error: ...``;
* a duplicate key: ``FILE:LINE: duplicate key 'k' (first defined at line M)``;
* an empty file, or a top level that is a list or a scalar: ``FILE: ...``.

:func:`check_config_files` then merges the files as Snakemake does (later files update
earlier ones, recursively) and validates the result against the schema, so
``advgen check-config FILE...`` gives the same answer the workflow would.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from advgen import yaml_loader
from advgen.errors import ConfigError


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys, naming both lines."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    # keys written in this mapping; keys merged in with `<<: *anchor` may be overridden here
    own = [key_node for key_node, _ in node.value if key_node.tag != "tag:yaml.org,2002:merge"]
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    for key_node in own:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise ConfigError(
                f"{loader.name}:{key_node.start_mark.line + 1}:{key_node.start_mark.column + 1}: "
                "a mapping key must be a scalar"
            ) from None
        line = key_node.start_mark.line + 1
        if key in seen:
            raise ConfigError(
                f"{loader.name}:{line}: duplicate key '{key}' (first defined at line {seen[key]})"
            )
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
#: the same loader on libyaml (``None`` without it); its errors are re-raised by ``_StrictLoader``
_CStrictLoader = yaml_loader.c_variant(_StrictLoader)


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML ``text`` (from file ``name``) strictly; errors name file:line:column."""
    try:
        return yaml_loader.load(text, loader=_StrictLoader, fast=_CStrictLoader, name=name)
    except yaml_loader.ExpansionError as exc:
        mark = exc.problem_mark
        raise ConfigError(
            f"{name}:{f'{mark.line + 1}:{mark.column + 1}: ' if mark else ' '}{exc.problem}"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"{where}: YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{name}: YAML error: {' '.join(str(exc).split())}") from None


def read_input_bytes(path: Path, what: str) -> bytes:
    """The bytes of an input file (``what``: "config file", "claims file"); one line for a file
    that is missing, a folder or unreadable."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a {what}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None


def read_config_file(path: str | Path) -> dict[str, Any]:
    """Read one config file strictly: a UTF-8 YAML mapping without duplicate keys."""
    path = Path(path)
    data = read_input_bytes(path, "config file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: byte {exc.start}: not valid UTF-8 (0x{data[exc.start]:02x})") from None
    if "\x00" in text:
        raise ConfigError(f"{path}: byte {data.index(0)}: NUL byte in a text file")
    config = parse_yaml(text, str(path))
    if config is None:
        raise ConfigError(f"{path}: the config file is empty (expected a mapping of sections)")
    if not isinstance(config, dict):
        kind = "a list" if isinstance(config, list) else f"a {type(config).__name__} scalar"
        raise ConfigError(f"{path}: the top level must be a mapping of sections, found {kind}")
    return config


def merge_configs(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Recursive update as Snakemake merges config files (later files win, dicts merge)."""
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            merge_configs(base[key], value)
        else:
            base[key] = value
    return base


def read_config_files(paths: Sequence[str | Path]) -> dict[str, Any]:
    """Read and merge ``paths`` in order (each read strictly)."""
    merged: dict[str, Any] = {}
    for path in paths:
        merge_configs(merged, read_config_file(path))
    return merged


def key_line(path: str | Path, key_path: Sequence[str]) -> tuple[int, int | None]:
    """(depth, 1-based line) of the longest prefix of ``key_path`` found in YAML file ``path``."""
    try:
        node = yaml.compose(Path(path).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeError, yaml.YAMLError):
        return 0, None
    depth, line = 0, None
    for key in key_path:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key]
            if not match:
                break
            k, node = match[-1]
            line = k.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and key.isdigit() and int(key) < len(node.value):
            node = node.value[int(key)]
            line = node.start_mark.line + 1
        else:
            break
        depth += 1
    return depth, line


_SOURCE = "\x00config"


def _validate_located(config: dict[str, Any], paths: Sequence[str | Path], schema: str | Path | None) -> None:
    """Validate ``config``; an error names the file and line that set the offending key."""
    from advgen.config import SCHEMA_DIR, validate_config
    from advgen.config_checks import check_name_case, check_run_names
    from advgen.replicates import expand_replicates
    from advgen.seed_base import apply_seed_base

    try:
        validate_config(config, schema or SCHEMA_DIR / "config.schema.yaml", source=_SOURCE)
        apply_seed_base(config, _SOURCE)  # `seed_base` moves every seed of the study
        expand_replicates(config, _SOURCE)  # `seeds`/`replicates` -> one entry per seed
        check_name_case(config, _SOURCE)  # the runs' names too
        check_run_names(config, _SOURCE)
        _check_plans(config, _SOURCE)
    except ConfigError as exc:
        raise ConfigError(overlay_hint(_locate(str(exc), paths), paths)) from None


#: a message saying the config names an entry it does not define (a section's, a role's), or
#: gives an entry without a key it needs: what an overlay read without its base config says
_UNKNOWN_ENTRY = re.compile(r"unknown [a-z_ ]+ '[^']*' \(defined|names no entry of|missing required key")


def overlay_hint(message: str, paths: Sequence[str | Path]) -> str:
    """``message``, and where one config file names an entry it does not define or leaves out a
    key an entry needs, how to read that file as an overlay: the files merge in order, so its base
    config goes first."""
    if len(paths) != 1 or not _UNKNOWN_ENTRY.search(message):
        return message
    return (
        f"{message}; if {paths[0]} adds to another config, name that one first "
        f"(files merge in order): --configfile config/config.yaml {paths[0]}"
    )


def _locate(message: str, paths: Sequence[str | Path]) -> str:
    """Rewrite the ``_SOURCE`` prefix that validation put on ``message`` as ``FILE:LINE`` of its key path."""
    rest = message.removeprefix(f"{_SOURCE}: ")
    key, _, _problem = rest.partition(": ")
    parts = [p for p in key.split(".") if p] if key and " " not in key else []
    best: tuple[int, str, int | None] = (0, ", ".join(str(p) for p in paths) or "config", None)
    for path in paths:  # the deepest match wins; among equals, the last file (it overrides)
        depth, line = key_line(path, parts) if parts else (0, None)
        if depth and depth >= best[0]:
            best = (depth, str(path), line)
    where = best[1] if best[2] is None else f"{best[1]}:{best[2]}"
    return f"{where}: {rest}"


def check_config_files(paths: Sequence[str | Path], schema: str | Path | None = None) -> dict[str, Any]:
    """Read, merge and validate ``paths`` as the workflow would; returns the completed config."""
    if not paths:
        raise ConfigError("no config file given")
    config = read_config_files(paths)
    _validate_located(config, paths, schema)
    return config


def _check_plans(config: dict[str, Any], source: str) -> None:
    """The cross-section checks the workflow runs at parse time (no torch import)."""
    from advgen.cv.settings import cv_settings
    from advgen.defense import plan as defense_plan
    from advgen.robustness import plan as robustness_plan
    from advgen.sweeps.grid import of as sweeps_plan

    sq = config.get("sample_quality") or {}
    classifiers = config.get("classifiers") or {}
    if sq:
        for name in sorted({sq["classifier"], *sq.get("classifier_by_dataset", {}).values()}):
            if name not in classifiers:
                known = ", ".join(sorted(classifiers)) or "none"
                raise ConfigError(f"{source}: sample_quality: unknown classifier '{name}' (defined: {known})")
    if config.get("cv") is not None:
        cv_settings(config["cv"], source=source)
    robustness_plan.of(config, source).check_references()
    sweeps_plan(config, source=source)
    defense_plan.of(config, source).check_references()


def strict_workflow_config(
    configfiles: Sequence[str | Path], config: dict[str, Any], schema: str | Path | None = None
) -> dict[str, Any]:
    """Re-read the workflow's config files strictly, then validate Snakemake's ``config``.

    Called by ``workflow/rules/common.smk`` before Snakemake's parsed ``config`` is used:
    duplicate keys, bad encoding or shape in a file Snakemake accepted leniently, and
    schema errors, are one :class:`ConfigError` line naming FILE:LINE. ``config`` (which
    includes ``--config`` overrides) is completed with defaults in place.
    """
    paths = [_display(p) for p in configfiles]
    for path in paths:
        read_config_file(path)
    _validate_located(config, paths, schema)
    return config


def _display(path: str | Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    import os

    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


#: config keys that name files the workflow reads: relative ones resolve against the workflow's folder
INPUT_PATHS = (("claims",), ("cv", "cv"), ("cv", "bib"), ("cv", "stats"))


def workflow_folder(configfiles: Sequence[str | Path]) -> Path:
    """The workflow folder a config belongs to: the nearest folder holding a ``Snakefile`` at or
    above the first config file's folder, else the working folder."""
    if configfiles:
        for folder in Path(configfiles[0]).resolve().parents:
            if (folder / "Snakefile").is_file():
                return folder
    return Path.cwd()


def resolve_input_paths(config: dict[str, Any], base: str | Path) -> None:
    """Make the config's relative :data:`INPUT_PATHS` relative to ``base`` (the workflow folder,
    as Snakemake resolves a workflow's own files), shown relative to the working folder when
    they lie below it. A ``cv`` section gets its defaults first (a config without one asks for
    no CV)."""
    from advgen.cv.settings import cv_settings

    if "claims" not in config:
        return  # not validated: the check names the problem
    if config.get("cv") is not None:
        config["cv"] = cv_settings(config["cv"])
    for keys in INPUT_PATHS:
        parent = config
        for key in keys[:-1]:
            parent = parent.get(key) or {}
        value = parent.get(keys[-1])
        if isinstance(value, str) and value and not Path(value).is_absolute():
            parent[keys[-1]] = _display(Path(base).resolve() / value)
