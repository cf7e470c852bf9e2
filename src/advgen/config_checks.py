"""The config's cross-entry checks, after the schema: every split holds every class, names are
usable as wildcard values and folder names, cross references resolve, and a grid's job count is
bounded. :func:`advgen.config.validate_config` runs them in order."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from advgen.errors import ConfigError


def check_splits(config: Mapping[str, Any], source: str) -> None:
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
#: page, ``Study.sections``), so one name is one entry of one of them
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


def check_names(config: Mapping[str, Any], source: str) -> None:
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


def check_references(config: Mapping[str, Any], source: str) -> None:
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
