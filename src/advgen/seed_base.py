"""Fresh seeds in one line: the top-level ``seed_base`` offsets every seed of the study.

A study's randomness comes from the seeds its config states or defaults: the top-level
``seed`` (the default of every job without its own), each model entry's ``seed`` / ``seeds``
(and so the range ``replicates`` counts from), each attack's ``seed``, the transfer
matrix's ``noise_seed``, the generative sweeps', the defense's and the sample quality's
``seed``. :func:`apply_seed_base` adds ``seed_base`` to every one of them, once, after the
config is validated and before :func:`advgen.replicates.expand_replicates` names the runs.
So ``seed_base: 1000`` moves the whole study onto seeds 1000, 1001, ... that no earlier run
used (a registered report's confirmatory run), and ``seed_base: 0`` (the default) changes
nothing at all: the same job specs, run names and DAG.

What defines the *data* is not a seed of the run and stays: a dataset's ``split_seed``, a
classifier's ``subset_seed`` (Szegedy's halves, the data-size fractions) and the evaluated
test subsets of the attacks (seeded by 0 in the jobs), so a confirmatory run trains and
attacks new models on the same digits.

Run names carry the seeds the runs train with (``mnist_ns_seed1001``: seed 1001), while the
config's references keep naming a run by its seed *relative to* ``seed_base``: with
``seed_base: 1000``, ``mnist_cnn_small_seed0`` in a list names the run of seed 1000 (the
entry's first run, ``mnist_cnn_small``) and ``mnist_ns_seed2`` the run ``mnist_ns_seed1002``
(:func:`reference_seed`). One config thus serves both phases unchanged but for this line.

Torch-free: the workflow calls it at parse time (:mod:`advgen.config_files`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advgen.errors import ConfigError

#: the top-level key
KEY = "seed_base"
#: the largest seed (numpy's and torch's seeds take 32 bits; every seed key's schema bound)
MAX_SEED = 2**32 - 1
#: the model sections, whose entries carry ``seed`` and ``seeds``
MODEL_SECTIONS = ("gans", "autoencoders", "classifiers")
#: other keys holding one seed (or, for a sweep, a grid axis of seeds); "*" matches every key
SEED_KEYS: tuple[tuple[str, ...], ...] = (
    ("seed",),
    ("robustness", "attacks", "*", "seed"),
    ("robustness", "transfer", "noise_seed"),
    ("sweeps", "*", "seed"),
    ("defense", "purify", "seed"),
    ("defense", "probe", "seed"),
    ("sample_quality", "seed"),
)


def seed_base(config: Mapping[str, Any]) -> int:
    """The config's ``seed_base`` (0 when absent)."""
    return int(config.get(KEY) or 0)


def reference_seed(config: Mapping[str, Any], relative: int) -> int:
    """The seed a reference ``<entry>_seed<relative>`` names: ``seed_base + relative``."""
    return seed_base(config) + relative


def _places(node: Any, path: tuple[str, ...], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, dict]]:
    """(dotted key, parent mapping) of every key ``path`` (``*``: any key) reaches in ``node``."""
    if not isinstance(node, dict) or not path:
        return
    head, rest = path[0], path[1:]
    for key in sorted(node) if head == "*" else [head] if head in node else []:
        if rest:
            yield from _places(node[key], rest, (*prefix, key))
        else:
            yield ".".join((*prefix, key)), node


def _shifted(value: Any, base: int, where: str, source: str) -> Any:
    """``value`` (a seed, a list of seeds or ``None``) moved by ``base``; bounds checked."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, list):
        return [_shifted(v, base, where, source) for v in value]
    if not isinstance(value, int):
        return value
    moved = value + base
    if moved > MAX_SEED:
        raise ConfigError(
            f"{source}: {where}: seed {value} + seed_base {base} = {moved} is past the largest seed {MAX_SEED}"
        )
    return moved


def apply_seed_base(config: dict[str, Any], source: str = "config") -> int:
    """Add ``seed_base`` to every seed of the validated ``config``, in place; returns the base.

    Call it once, after validation (which fills the seed defaults, e.g. each attack's
    ``seed: 0``) and before :func:`advgen.replicates.expand_replicates`. The top-level ``seed``
    (every job's default, filled in the job specs later) is always present after validation.
    Errors are one :class:`ConfigError` line naming the key whose moved seed passes
    :data:`MAX_SEED`.
    """
    base = seed_base(config)
    if base == 0:
        return 0
    config.setdefault("seed", 0)
    for path in SEED_KEYS:
        for where, parent in list(_places(config, path)):
            key = path[-1]
            parent[key] = _shifted(parent[key], base, where, source)
    for section in MODEL_SECTIONS:
        for name, entry in (config.get(section) or {}).items():
            if not isinstance(entry, dict):
                continue
            for key in ("seed", "seeds"):
                if key in entry:
                    entry[key] = _shifted(entry[key], base, f"{section}.{name}.{key}", source)
    return base


def run_seeds(config: Mapping[str, Any]) -> dict[str, int]:
    """Every model run of an expanded config (``gans``, ``autoencoders``, ``classifiers``) -> the
    seed it trains with (its ``seed``, else the top-level one; both already moved by the base):
    what a claims page lists as a claim's ``seed_values`` for the runs its roles name."""
    return {
        name: int(run.get("seed", config.get("seed", 0)))
        for section in MODEL_SECTIONS
        for name, run in sorted((config.get(section) or {}).items())
    }
