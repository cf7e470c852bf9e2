"""The paper-scale smoke configuration: ``config/paper.yaml`` made small enough for 2 CPU cores.

:func:`smoke_config` derives it from the paper config (never a hand-kept copy), shrinking
only sizes: epochs, image and example counts, seeds (``replicates`` at most 2: each path a
replicated entry takes, with fewer jobs), optimisation steps and restarts, and sweep
grids (each grid keeps its two ends, plus ε = 0.3 where the grid has it; the capacity sweep
keeps widths up to 1), and the DCGAN's feature maps (``ngf``/``ndf`` 8 instead of 64). Every data set,
model, batch size, loss, training mode, attack, purifier, generator and rule of the paper
config stays, so ``make test-paper`` runs each code path the paper config runs (the M1/M3
pair at batch 24, the CelebA DCGAN at 64x64 with its G/D steps and unrolling, ``cnn_madry``
with FGSM-mix and PGD training, ...) on the fake data of :mod:`advgen.data.fake_sources`.
"""

from __future__ import annotations

import copy
from collections.abc import MutableMapping
from typing import Any

# Sizes of the smoke run: advgen.smoke_sizes.
from advgen.smoke_sizes import (
    DCGAN_FEATURES,
    EPOCHS,
    EXAMPLES,
    IMAGES,
    MAX_TEST,
    MAX_TRAIN,
    RESTARTS,
    SAMPLES,
    SEEDS,
    STEPS,
)

# Per-attack parameters that bound each attack's cost: advgen.attacks.registry (AttackInfo.smoke);
# per-sweep ones: advgen.sweeps.registry (Sweep.smoke, Sweep.smoke_grids).
# Sizes of the gradient-masking checks (robustness.masking.checks / purifier_checks).
MASKING_CHECKS = {
    "pgd_steps": STEPS,
    "long_steps": 2 * STEPS,
    "long_restarts": RESTARTS,
    "unbounded_steps": STEPS,
    "n_queries": 20,
    "max_examples": IMAGES * 2,
}
# The adaptive attacks' budget of defense.purify (advgen.defense.adaptive.AdaptiveBudget).
PURIFY_BUDGET = {
    "steps": 2,
    "restarts": 1,
    "eot_samples": 2,
    "rand_samples": 2,
    "short_unroll": 2,
    "unroll_restarts": 1,
    "latent_steps": STEPS,
}


def ends(grid: list[Any], keep: tuple[Any, ...] = ()) -> list[Any]:
    """A grid's first and last values, plus any of ``keep`` it contains, in the grid's order."""
    if len(grid) <= 2:
        return list(grid)
    chosen = {0, len(grid) - 1} | {i for i, v in enumerate(grid) if v in keep and v is not None}
    return [grid[i] for i in sorted(chosen)]


def cap(section: MutableMapping[str, Any], key: str, value: int) -> None:
    """Set ``section[key]`` to at most ``value`` (to ``value`` when unset, so the schema default is capped too)."""
    current = section.get(key)
    section[key] = value if current is None else min(current, value)


def _eps_grid(grid: list[Any]) -> list[Any]:
    return ends(grid, keep=(0.3,))


def _datasets(cfg: dict[str, Any]) -> None:
    for entry in cfg.get("datasets", {}).values():
        cap(entry, "max_train", MAX_TRAIN)
        cap(entry, "max_test", MAX_TEST)


def _seeds(cfg: dict[str, Any]) -> None:
    for section in ("gans", "autoencoders", "classifiers"):
        for entry in cfg.get(section, {}).values():
            if "replicates" in entry:
                cap(entry, "replicates", SEEDS)


def _generative(cfg: dict[str, Any]) -> None:
    for entry in cfg.get("gans", {}).values():
        entry["epochs"] = min(entry.get("epochs", EPOCHS), EPOCHS)
        cap(entry, "grid_size", 16)
        # the DCGAN pair at 64x64 and batch 128 costs ~7 TFLOP per iteration with 5 G / 2 D
        # steps and unrolling at the papers' 64 feature maps; 8 keeps every layer
        for role, key in (("generator", "ngf"), ("discriminator", "ndf")):
            if str(entry.get(role, "")).startswith("dcgan"):  # dcgan, dcgan_ngf32, dcgan_ndf128, ...
                kwargs = dict(entry.get(f"{role}_kwargs", {}))
                cap(kwargs, key, DCGAN_FEATURES)
                entry[f"{role}_kwargs"] = kwargs
    for entry in cfg.get("autoencoders", {}).values():
        entry["epochs"] = min(entry.get("epochs", EPOCHS), EPOCHS)
        cap(entry, "n_novel", 16)
    if "sample_quality" in cfg:
        sq = cfg["sample_quality"]
        cap(sq, "n_samples", SAMPLES)
        cap(sq, "batch_size", 50)
        cap(sq, "is_splits", 2)


def _robustness(cfg: dict[str, Any]) -> None:
    from advgen.attacks.registry import REGISTRY

    for entry in cfg.get("classifiers", {}).values():
        entry["epochs"] = min(entry.get("epochs", EPOCHS), EPOCHS)
        if entry.get("mode") == "pgd":
            cap(entry, "pgd_steps", 3)
            cap(entry, "width", 1.0)
        if entry.get("mode") == "pool":
            cap(entry, "pool_size", EXAMPLES)
    rob = cfg.get("robustness")
    if not rob:
        return
    cap(rob, "max_examples", EXAMPLES)
    for entry in rob.get("attacks", {}).values():
        entry["eps"] = _eps_grid(entry["eps"])
        if "max_examples" in entry:
            cap(entry, "max_examples", EXAMPLES)
        params = dict(entry.get("params", {}))
        for key, value in REGISTRY[entry["attack"]].smoke.items():
            cap(params, key, value)
        if params:
            entry["params"] = params
    if "capacity" in rob:
        # the widest nets (x4: 52M parameters) only cost time; the code path is the same
        rob["capacity"]["widths"] = ends([w for w in rob["capacity"]["widths"] if w <= 1.0] or [1.0])
    masking = rob.get("masking")
    if masking:
        for key in ("checks", "purifier_checks"):
            checks = dict(masking.get(key) or {})
            for name, value in MASKING_CHECKS.items():
                cap(checks, name, value)
            if "eps_grid" in checks:
                checks["eps_grid"] = _eps_grid(checks["eps_grid"])
            masking[key] = checks
    for sweep in [rob.get("data_size"), *rob.get("data_size_sweeps", {}).values()]:
        if sweep:
            sweep["fractions"] = ends(sweep["fractions"])
    features = rob.get("robust_features")
    if features:
        cap(features, "max_train", EXAMPLES)
        for key in ("robust", "non_robust"):
            features[key] = dict(features.get(key, {}))
            cap(features[key], "steps", STEPS)


def _sweeps(cfg: dict[str, Any]) -> None:
    from advgen.sweeps.registry import SWEEPS

    sweeps = cfg.get("sweeps", {})
    for name, sweep in SWEEPS.items():
        if name not in sweeps:
            continue
        entry = sweeps[name]
        for key, value in sweep.smoke.items():
            if isinstance(entry.get(key), list):  # a grid: each value capped, repeats dropped
                entry[key] = list(dict.fromkeys(min(v, value) for v in entry[key]))
            else:
                cap(entry, key, value)
        for key in sweep.smoke_grids:
            if key in entry:
                entry[key] = ends(entry[key])


def _defense(cfg: dict[str, Any]) -> None:
    defense = cfg.get("defense", {})
    purify = defense.get("purify")
    if purify:
        cap(purify, "num_images", IMAGES * 2)
        purify["eps"] = _eps_grid(purify.get("eps", [0.1, 0.2, 0.3]))
        for key in ("pgd_steps", "adaptive_steps"):
            cap(purify, key, STEPS)
        cap(purify, "eot_samples", 2)
        budget = dict(purify.get("budget") or {})
        for key, value in PURIFY_BUDGET.items():
            cap(budget, key, value)
        purify["budget"] = budget
        for entry in purify.get("purifiers", {}).values():
            if entry.get("method", "project") == "reconstruct":
                continue
            cap(entry, "steps", 2 * STEPS)
            cap(entry, "restarts", RESTARTS)
            tradeoff = entry.get("tradeoff")
            if tradeoff:
                tradeoff["steps"] = sorted({min(s, 2 * STEPS) for s in ends(tradeoff["steps"])})
                tradeoff["restarts"] = sorted({min(r, RESTARTS) for r in ends(tradeoff["restarts"])})
    probe = defense.get("probe")
    if probe:
        probe["eps"] = _eps_grid(probe.get("eps", [0.05, 0.1, 0.2, 0.3]))
        cap(probe, "pgd_steps", STEPS)
        cap(probe, "train_images", MAX_TRAIN // 4)
        cap(probe, "num_images", EXAMPLES)
        cap(probe, "max_iter", 50)
        flip = probe.setdefault("flip", {})
        cap(flip, "num_images", IMAGES)
        cap(flip, "search_steps", 3)
        cap(flip, "pgd_steps", STEPS)


def smoke_config(paper: dict[str, Any]) -> dict[str, Any]:
    """The smoke version of a paper-scale config: same experiments and rules, small sizes."""
    cfg = copy.deepcopy(paper)
    _datasets(cfg)
    _seeds(cfg)
    _generative(cfg)
    _robustness(cfg)
    _sweeps(cfg)
    _defense(cfg)
    return cfg
