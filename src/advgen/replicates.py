"""Replicated runs as one line of config: ``seeds: [0, 1, 2]`` or ``replicates: 3``.

A model entry of ``gans``, ``autoencoders`` or ``classifiers`` may carry ``seeds`` (a
non-empty list of distinct integers) or ``replicates: N`` (seeds ``seed, seed+1, ...,
seed+N-1`` from the entry's ``seed``, else the config's top-level ``seed``). After the config
is validated, :func:`expand_replicates` replaces such an entry ``<entry>`` by N ordinary
entries, one per seed ``k``, each with ``seed: k`` and ``replicate_of: <entry>``. The run of
the first seed keeps the entry's own name; the others are ``<entry>_seed<k>``. So an entry that
gains seeds keeps its run (same name, same job spec: ``replicate_of`` is not part of a job's
spec) and only the new seeds' jobs run. ``<entry>_seed<k>`` names the run of seed ``k`` in
references, the first seed's too (``mnist_cnn_pgd_seed0`` is the run ``mnist_cnn_pgd``). An entry
without ``seeds``/``replicates`` stays one entry with its own name and no ``replicate_of``.
With a top-level ``seed_base`` (:mod:`advgen.seed_base`, applied before the expansion) the
seeds, and so the run names, are moved by it, while a reference ``<entry>_seed<k>`` keeps
naming the run of seed ``seed_base + k``: the config's references hold in both phases.

References from other sections to an expanded entry are rewritten by where they occur:

* a **list** of models (an attack's ``classifiers``, ``robustness.transfer.classifiers``,
  ``robustness.examples.classifiers``, ``robustness.masking.classifiers``, a sweep's
  ``generators``, ``defense.probe.gans`` / ``controls`` / ``classifiers``): the entry's name
  stands for every run, in seed order. Naming one run (``<entry>_seed<k>``) keeps just that
  run; a list naming both an entry and one of its runs is an error.
* a **single** model (``sample_quality.classifier`` and ``classifier_by_dataset``, a sweep's
  ``classifier``, ``robustness.capacity`` / ``data_size`` / ``data_size_sweeps.*`` /
  ``robust_features`` classifiers, ``defense.purify.classifier``, a purifier's
  ``generator``): the run of the entry's first seed. The robustness experiments then follow
  that run's entry: the capacity and data-size sweeps and the robust features run once per
  run of their base classifier (:func:`advgen.robustness.plan.base_runs`).

Torch-free: the workflow calls it at parse time (:mod:`advgen.config_files`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any, TypeVar

from advgen.errors import ConfigError
from advgen.seed_base import seed_base

T = TypeVar("T")

#: the sections whose entries may be replicated
SECTIONS = ("gans", "autoencoders", "classifiers")
#: the most runs one entry may have (``replicates`` and the length of ``seeds``: the schema's bounds)
MAX_RUNS = 1000
#: the largest seed (the schema's maximum of every seed: numpy's and torch's seeds take 32 bits)
MAX_SEED = 2**32 - 1

# (path to a list of model names, section the names belong to); "*" matches every key
LIST_REFERENCES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("robustness", "attacks", "*", "classifiers"), "classifiers"),
    (("robustness", "transfer", "classifiers"), "classifiers"),
    (("robustness", "examples", "classifiers"), "classifiers"),
    (("robustness", "masking", "classifiers"), "classifiers"),
    (("sweeps", "*", "generators"), "gans|autoencoders"),
    (("defense", "probe", "gans"), "gans"),
    (("defense", "probe", "controls"), "gans"),
    (("defense", "probe", "classifiers"), "classifiers"),
)
# (path to one model name, section)
SINGLE_REFERENCES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("sample_quality", "classifier"), "classifiers"),
    (("sample_quality", "classifier_by_dataset", "*"), "classifiers"),
    (("sweeps", "*", "classifier"), "classifiers"),
    (("robustness", "capacity", "classifier"), "classifiers"),
    (("robustness", "data_size", "classifier"), "classifiers"),
    (("robustness", "data_size_sweeps", "*", "classifier"), "classifiers"),
    (("robustness", "robust_features", "robust_classifier"), "classifiers"),
    (("robustness", "robust_features", "standard_classifier"), "classifiers"),
    (("robustness", "robust_features", "classifier"), "classifiers"),
    (("defense", "purify", "classifier"), "classifiers"),
    (("defense", "purify", "purifiers", "*", "generator"), "gans|autoencoders"),
)


def replicate_name(entry: str, seed: int) -> str:
    """The name by which references name ``entry``'s run with ``seed`` (see :func:`run_names`)."""
    return f"{entry}_seed{seed}"


def run_names(entry: str, seeds: list[int]) -> list[str]:
    """The names of ``entry``'s runs, in seed order: the first seed's run keeps ``entry``."""
    return [entry] + [replicate_name(entry, s) for s in seeds[1:]]


#: the part :func:`replicate_name` adds to a run's name (also inside a name derived from it, such
#: as a capacity sweep point ``<run>_<mode>_w0p5``)
_SEED_PART = re.compile(r"_seed[0-9]+(?=_|$)")


def entry_of(run: str) -> str:
    """The model a run's name belongs to, read from the name alone (for tables, which carry the
    run's name, not its entry): ``<entry>_seed<k>`` -> ``<entry>``, wherever the part stands
    (``m_seed2_pgd_w0p5`` -> ``m_pgd_w0p5``); any other name is its own model. An entry named
    ``x_seed3`` by hand is read as a run of ``x``."""
    return _SEED_PART.sub("", run)


def seed_part(run: str) -> str:
    """``k`` of the ``_seed<k>`` part of a run's name, ``""`` for an entry's own (first) run: two
    entries' runs with the same part are runs of the same seed."""
    match = _SEED_PART.search(run)
    return match.group(0)[len("_seed") :] if match else ""


def entry_seeds(entry: Mapping[str, Any], default_seed: int, key: str) -> list[int] | None:
    """The seeds ``entry`` asks for (None: not replicated); ``key`` names it in errors."""
    has_seeds, has_reps = "seeds" in entry, "replicates" in entry
    if has_seeds and has_reps:
        raise ConfigError(f"{key}: give one of 'seeds' and 'replicates', not both")
    if has_seeds:
        seeds = entry["seeds"]
        if not isinstance(seeds, list) or not seeds:
            raise ConfigError(f"{key}.seeds: expected a non-empty list of integers, got {seeds!r}")
        for s in seeds:
            if isinstance(s, bool) or not isinstance(s, int) or s < 0:
                raise ConfigError(f"{key}.seeds: expected non-negative integers, got {s!r}")
        for j, s in enumerate(seeds):
            if s in seeds[:j]:
                i = seeds.index(s)
                raise ConfigError(
                    f"{key}.seeds: {s!r} is listed twice (items {i} and {j}); the values of a list must differ"
                )
        if len(seeds) > MAX_RUNS:
            raise ConfigError(f"{key}.seeds: {len(seeds)} items, more than the limit of {MAX_RUNS}")
        return list(seeds)
    if has_reps:
        n = entry["replicates"]
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_RUNS:
            raise ConfigError(f"{key}.replicates: expected an integer in 1..{MAX_RUNS}, got {n!r}")
        first = int(entry.get("seed", default_seed))
        if first + n - 1 > MAX_SEED:
            raise ConfigError(
                f"{key}.replicates: {n} seeds from {first} run up to {first + n - 1}, more than the "
                f"largest seed {MAX_SEED}; lower the entry's seed or give seeds: [...]"
            )
        return [first + i for i in range(n)]
    return None


def expand_replicates(config: dict[str, Any], source: str = "config") -> dict[str, list[str]]:
    """Expand replicated entries of ``config`` in place and rewrite references to them.

    Returns ``{entry: [replicate names in seed order]}`` for every expanded entry. Errors
    are :class:`ConfigError` lines ``<source>: <section>.<entry>.<key>: <problem>``.
    Calling it again on an expanded config changes nothing.
    """
    default_seed = int(config.get("seed", 0))
    base = seed_base(config)
    expanded: dict[str, dict[str, list[str]]] = {}
    aliases: dict[str, dict[str, str]] = {}  # <entry>_seed<seed - seed_base> -> its run, per section
    for section in SECTIONS:
        entries = config.get(section)
        if not isinstance(entries, dict):
            continue
        out: dict[str, Any] = {}
        for name, entry in entries.items():
            key = f"{section}.{name}"
            seeds = (
                entry_seeds(entry, default_seed, f"{source}: {key}") if isinstance(entry, Mapping) else None
            )
            if seeds is None:
                out[name] = entry
                continue
            spec = {k: v for k, v in entry.items() if k not in ("seeds", "replicates")}
            names = run_names(name, seeds)
            for s, new in zip(seeds, names, strict=True):
                for taken in {new, replicate_name(name, s)} - {name}:
                    if taken in entries or taken in out:
                        raise ConfigError(
                            f"{source}: {key}: replicate name '{taken}' is already the name of another entry"
                        )
                out[new] = {**copy.deepcopy(spec), "seed": s, "replicate_of": name}
            expanded.setdefault(section, {})[name] = names
            own = _aliases(name, seeds, names, base, f"{source}: {key}")
            for alias in sorted(set(own) - set(names) - {replicate_name(name, seeds[0])}):
                if alias in entries or alias in out:  # seed_base > 0: an alias no run is named
                    raise ConfigError(
                        f"{source}: {key}: replicate name '{alias}' is already the name of another entry"
                    )
            aliases.setdefault(section, {}).update(own)
        config[section] = out
    if expanded:
        _rewrite_references(config, expanded, aliases, source)
    return {name: names for per in expanded.values() for name, names in per.items()}


def _aliases(entry: str, seeds: list[int], names: list[str], base: int, where: str) -> dict[str, str]:
    """``<entry>_seed<k>`` -> the run of seed ``base + k``, for every run: references name a run by
    its seed relative to ``seed_base`` (:mod:`advgen.seed_base`). With ``base`` 0 these are the
    first run's alias ``<entry>_seed<first>`` and every other run's own name.

    Raises:
        ConfigError: an alias that is another run's name (``seed_base`` 3 with seeds 3..7: ``x_seed4``
            would name the run of seed 7 and the run named for seed 4).
    """
    out: dict[str, str] = {}
    for seed, run in zip(seeds, names, strict=True):
        if seed < base:
            continue
        alias = replicate_name(entry, seed - base)
        if alias in names and alias != run:
            raise ConfigError(
                f"{where}: with seed_base {base}, '{alias}' would name the run of seed {seed} and the run "
                f"of seed {seed - base}; take a seed_base past the entry's own seeds"
            )
        out[alias] = run
    return out


def _matches(
    node: Any, path: tuple[str, ...], prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], Any]]:
    """(key path, parent mapping) pairs where ``path`` (with ``*`` wildcards) ends in ``node``."""
    if not isinstance(node, dict):
        return []
    head, rest = path[0], path[1:]
    keys = sorted(node) if head == "*" else [head] if head in node else []
    if not rest:
        return [((*prefix, k), node) for k in keys]
    return [m for k in keys for m in _matches(node[k], rest, (*prefix, k))]


def _lookup(
    expanded: dict[str, dict[str, list[str]]], aliases: dict[str, dict[str, str]], sections: str, name: Any
) -> list[str] | None:
    """The runs a reference ``name`` stands for: every run of an expanded entry, or the one run an
    alias (``<entry>_seed<first>``) names; ``None`` for any other name (left as it is)."""
    for section in sections.split("|"):
        if isinstance(name, str) and name in expanded.get(section, {}):
            return expanded[section][name]
        if isinstance(name, str) and name in aliases.get(section, {}):
            return [aliases[section][name]]
    return None


def _rewrite_references(
    config: dict[str, Any],
    expanded: dict[str, dict[str, list[str]]],
    aliases: dict[str, dict[str, str]],
    source: str,
) -> None:
    for path, sections in LIST_REFERENCES:
        for keys, parent in _matches(config, path):
            names = parent[keys[-1]]
            if not isinstance(names, list):
                continue
            out: list[Any] = []
            for name in names:
                runs = _lookup(expanded, aliases, sections, name)
                out.extend(runs if runs is not None else [name])
            repeated = sorted({n for n in out if isinstance(n, str) and out.count(n) > 1})
            if repeated:
                raise ConfigError(
                    f"{source}: {'.'.join(keys)}: '{repeated[0]}' is listed twice (an entry with "
                    "seeds/replicates stands for all its runs; name either the entry or some of its runs)"
                )
            parent[keys[-1]] = out
    for path, sections in SINGLE_REFERENCES:
        for keys, parent in _matches(config, path):
            runs = _lookup(expanded, aliases, sections, parent[keys[-1]])
            if runs is not None:
                parent[keys[-1]] = runs[0]


#: a run's seed (its entry's, else the config's)
SEED = "seed"
#: the key of a run naming the entry it replicates (:func:`expand_replicates` writes it)
REPLICATE_OF = "replicate_of"
#: the keys of a model entry that say which runs it stands for, not how one is trained
RUN_KEYS = (REPLICATE_OF, "seeds", "replicates")


def run_entry(entry: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """A model entry as its job's spec JSON: the global ``seed`` filled in when it has none,
    without ``replicate_of`` (a run's name and seed say what it is, and an entry that gains
    seeds keeps its first run's spec, so that run does not rerun: :mod:`advgen.replicates`)."""
    return {SEED: seed, **{k: v for k, v in entry.items() if k not in RUN_KEYS}}


def replicated(entries: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Run -> the entry it replicates, for the runs of an expanded model section that have one
    (``replicate_of``)."""
    return {run: str(entry[REPLICATE_OF]) for run, entry in entries.items() if entry.get(REPLICATE_OF)}


def run_specs(
    spec_type: type[T], entries: Mapping[str, Mapping[str, Any]], seed: int, where: str
) -> dict[str, T]:
    """Each run's job spec (:func:`run_entry`, typed: :func:`advgen.specs.typed_spec`), runs
    sorted by name; ``where`` names the section in errors."""
    from advgen.specs import typed_spec

    return {
        run: typed_spec(spec_type, run_entry(entry, seed), f"{where}.{run}")
        for run, entry in sorted(entries.items())
    }
