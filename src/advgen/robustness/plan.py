"""The robustness stage's job plan, from the validated config (no torch: the DAG imports it).

* :func:`all_classifiers`: the ``classifiers`` section plus the classifiers the capacity
  and data-size sweeps train. A sweep point is its base classifier's spec with ``mode``
  and ``width`` (capacity) or ``train_fraction`` (data size) replaced; it reuses the name
  of a configured classifier with the same spec, else gets ``<base>_<mode>_w0p5`` /
  ``<base>_<mode>_f0p25``.
* :func:`base_runs`: the runs an experiment's base classifier stands for. A base that is a
  run of a replicated entry (``seeds`` / ``replicates``: the first seed's run keeps the entry's
  name, which a single reference to the entry names) stands for every run of that entry, in seed
  order; the sweeps repeat every point on each run (``<run>_<mode>_w0p5``, so the first run keeps
  the names of the unreplicated plan) and :func:`robust_features_pairs` pairs the runs of
  equal seeds. Any other base is one run, as before.
* :func:`sweep_names`: the sweeps a config runs: ``capacity``, ``data_size`` and one
  ``data_size_<name>`` per entry of ``robustness.data_size_sweeps`` (Schmidt et al.'s
  contrast: the same sweep on another data set, e.g. CIFAR-10); :func:`sweep_kind` maps a
  name back to its kind (which column the sweep varies).
* :func:`attack_jobs`: the (classifier, attack) pairs of the ``attack`` rule.
* :func:`check_references`: every name the ``robustness`` section uses exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advgen.attacks.registry import BUDGET_TRANSFER_ATTACKS, MINIMAL_ATTACKS, TRANSFER_ATTACKS, listing
from advgen.config import check_grid_size
from advgen.errors import ConfigError

SWEEPS = {"capacity": ("width", "widths", "w"), "data_size": ("train_fraction", "fractions", "f")}
#: ``robustness.data_size_sweeps.<name>`` runs as the sweep ``data_size_<name>``
NAMED_DATA_SIZE = "data_size_"


def _tag(value: float) -> str:
    text = f"{float(value):g}".replace(".", "p").replace("-", "m")
    return text


def sweep_kind(sweep: str) -> str:
    """``capacity`` or ``data_size``: the kind of the sweep named ``sweep`` (``data_size_cifar10``
    is a data-size sweep)."""
    if sweep in SWEEPS:
        return sweep
    if sweep.startswith(NAMED_DATA_SIZE) and len(sweep) > len(NAMED_DATA_SIZE):
        return "data_size"
    raise ValueError(f"unknown robustness sweep {sweep!r} (capacity, data_size or data_size_<name>)")


def sweep_settings(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The sweeps the config runs, name -> settings block, in plan order: ``capacity``,
    ``data_size``, then ``data_size_<name>`` for each ``robustness.data_size_sweeps`` entry."""
    rob = config.get("robustness") or {}
    out = {sweep: rob[sweep] for sweep in SWEEPS if rob.get(sweep)}
    for name, settings in sorted((rob.get("data_size_sweeps") or {}).items()):
        out[NAMED_DATA_SIZE + name] = settings
    return out


def sweep_names(config: Mapping[str, Any]) -> list[str]:
    return list(sweep_settings(config))


def base_runs(config: Mapping[str, Any], name: str) -> list[str]:
    """The runs the base classifier ``name`` stands for: every run of its replicated entry (in
    seed order) when it is one (``replicate_of``), else ``[name]``."""
    classifiers = config.get("classifiers") or {}
    entry = (classifiers.get(name) or {}).get("replicate_of")
    if not entry:
        return [name]
    return [run for run, other in classifiers.items() if other.get("replicate_of") == entry]


def run_seed(config: Mapping[str, Any], entry: Mapping[str, Any]) -> int:
    """The training seed of a classifier entry: its own ``seed``, else the config's."""
    return int(entry.get("seed", config.get("seed", 0)))


def _points(config: Mapping[str, Any], sweep: str, known: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    settings = sweep_settings(config).get(sweep)
    if not settings:
        return []
    field, grid_key, letter = SWEEPS[sweep_kind(sweep)]
    classifiers = config.get("classifiers") or {}
    points = []
    for base_name in base_runs(config, settings["classifier"]):
        base = classifiers[base_name]
        for mode in settings["modes"]:
            for value in settings[grid_key]:
                spec = dict(base, mode=mode, **{field: float(value)})
                if spec != base:  # a new model: not one of the runs the base replicates
                    spec.pop("replicate_of", None)
                same = [n for n in sorted(known) if known[n] == spec]
                name = same[0] if same else f"{base_name}_{mode}_{letter}{_tag(value)}"
                if name in known and known[name] != spec:
                    raise ConfigError(
                        f"robustness.{_key(sweep)}: generated classifier name '{name}' is already used by "
                        "another classifier; rename that classifier"
                    )
                known[name] = spec
                points.append(
                    {
                        "classifier": name,
                        "mode": mode,
                        field: float(value),
                        "seed": run_seed(config, spec),
                        "spec": spec,
                    }
                )
    return points


def _key(sweep: str) -> str:
    """The config key of a sweep (``data_size_sweeps.cifar10`` for ``data_size_cifar10``)."""
    if sweep in SWEEPS:
        return sweep
    return f"data_size_sweeps.{sweep[len(NAMED_DATA_SIZE) :]}"


def _plan(config: Mapping[str, Any]) -> tuple[dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    known = {name: dict(spec) for name, spec in (config.get("classifiers") or {}).items()}
    names = [*SWEEPS, *(s for s in sweep_names(config) if s not in SWEEPS)]
    points = {sweep: _points(config, sweep, known) for sweep in names}
    return known, points


def sweep_points(config: Mapping[str, Any], sweep: str) -> list[dict[str, Any]]:
    """The points of a sweep: ``{"classifier", "mode", <field>, "seed", "spec"}``, for each
    run of the base classifier (:func:`base_runs`, seed order) every mode and grid value.

    A point whose spec equals a configured classifier's or an earlier sweep point's
    reuses that name, so no model is trained twice.
    """
    return _plan(config)[1][sweep]


def all_classifiers(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every classifier to train: configured ones and sweep points (name -> spec)."""
    return _plan(config)[0]


#: the classifiers of robustness.robust_features, in the order its errors name them
FEATURE_CLASSIFIERS = ("robust_classifier", "standard_classifier", "classifier")


def robust_features_pairs(config: Mapping[str, Any], source: str = "config") -> list[dict[str, Any]]:
    """One Ilyas et al. run per seed: ``{"seed", "robust_classifier", "standard_classifier",
    "classifier"}`` (run names), in seed order.

    Each classifier stands for its :func:`base_runs`. The replicated ones must have the same
    seeds, and the run of seed ``k`` of each makes pair ``k`` (the robust and the standard
    classifier of one seed, the trained spec of that seed); a classifier with one run serves
    every pair. With no replicated classifier there is one pair, seeded by the config's seed.
    """
    features = (config.get("robustness") or {}).get("robust_features")
    if not features:
        return []
    classifiers = config.get("classifiers") or {}
    runs = {key: base_runs(config, features[key]) for key in FEATURE_CLASSIFIERS}
    seeds = {key: [run_seed(config, classifiers[r]) for r in names] for key, names in runs.items()}
    replicated = [key for key in FEATURE_CLASSIFIERS if len(runs[key]) > 1]
    if not replicated:
        return [{"seed": int(config.get("seed", 0)), **{key: runs[key][0] for key in FEATURE_CLASSIFIERS}}]
    first = replicated[0]
    for key in replicated[1:]:
        if seeds[key] != seeds[first]:
            raise ConfigError(
                f"{source}: robustness.robust_features.{key}: its runs have seeds "
                f"{seeds[key]}, those of {first} {seeds[first]} (one run per seed pairs them)"
            )
    return [
        {
            "seed": seed,
            **{key: runs[key][i] if key in replicated else runs[key][0] for key in FEATURE_CLASSIFIERS},
        }
        for i, seed in enumerate(seeds[first])
    ]


def attack_jobs(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Sorted (classifier, attack) pairs that the ``attack`` rule runs."""
    attacks = (config.get("robustness") or {}).get("attacks") or {}
    return sorted((c, a) for a, entry in attacks.items() for c in entry["classifiers"])


def minimal_attacks(config: Mapping[str, Any]) -> list[str]:
    """Names of the configured minimal-perturbation attacks (L-BFGS, DeepFool)."""
    attacks = (config.get("robustness") or {}).get("attacks") or {}
    return sorted(a for a, entry in attacks.items() if entry["attack"] in MINIMAL_ATTACKS)


def check_references(config: Mapping[str, Any], source: str = "config") -> None:
    """Raise :class:`ConfigError` naming the key of any unknown classifier or attack name."""
    rob = config.get("robustness") or {}
    classifiers = config.get("classifiers") or {}
    attacks = rob.get("attacks") or {}

    def need(names: list[str], known: Mapping[str, Any], key: str, what: str) -> None:
        for name in names:
            if name not in known:
                defined = ", ".join(sorted(known)) or "none"
                raise ConfigError(f"{source}: {key}: unknown {what} '{name}' (defined: {defined})")

    for name, entry in attacks.items():
        need(entry["classifiers"], classifiers, f"robustness.attacks.{name}.classifiers", "classifier")
    transfer = rob.get("transfer")
    if transfer:
        need(transfer["classifiers"], classifiers, "robustness.transfer.classifiers", "classifier")
        need(transfer["attacks"], attacks, "robustness.transfer.attacks", "attack")
        datasets = sorted({classifiers[n]["dataset"] for n in transfer["classifiers"]})
        if len(datasets) > 1:
            raise ConfigError(
                f"{source}: robustness.transfer.classifiers: all must share one dataset (found {', '.join(datasets)})"
            )
        for name in transfer["attacks"]:
            if attacks[name]["attack"] not in TRANSFER_ATTACKS:
                raise ConfigError(
                    f"{source}: robustness.transfer.attacks: '{name}' is not a transferable attack "
                    f"({listing(TRANSFER_ATTACKS)})"
                )
    for sweep, settings in sweep_settings(config).items():
        need([settings["classifier"]], classifiers, f"robustness.{_key(sweep)}.classifier", "classifier")
        need([settings["attack"]], attacks, f"robustness.{_key(sweep)}.attack", "attack")
        grid_key = SWEEPS[sweep_kind(sweep)][1]
        runs = len(base_runs(config, settings["classifier"]))
        sizes = {"runs": runs, "modes": len(settings["modes"]), grid_key: len(settings[grid_key])}
        check_grid_size(sizes, f"{source}: robustness.{_key(sweep)}")
    cap_transfer = (rob.get("capacity") or {}).get("transfer")
    if cap_transfer:
        need(cap_transfer["attacks"], attacks, "robustness.capacity.transfer.attacks", "attack")
        for name in cap_transfer["attacks"]:
            if attacks[name]["attack"] not in BUDGET_TRANSFER_ATTACKS:
                raise ConfigError(
                    f"{source}: robustness.capacity.transfer.attacks: '{name}' is not a transferable attack "
                    f"with a budget ({listing(BUDGET_TRANSFER_ATTACKS)})"
                )
    features = rob.get("robust_features")
    if features:
        for key in FEATURE_CLASSIFIERS:
            need([features[key]], classifiers, f"robustness.robust_features.{key}", "classifier")
        need([features["attack"]], attacks, "robustness.robust_features.attack", "attack")
        robust_features_pairs(config, source)
    worst = rob.get("worst_case")
    if worst:
        need(worst["attacks"], attacks, "robustness.worst_case.attacks", "attack")
        if worst.get("standard") is not None:
            need([worst["standard"]], attacks, "robustness.worst_case.standard", "attack")
            if worst["standard"] in worst["attacks"]:
                raise ConfigError(
                    f"{source}: robustness.worst_case.standard: '{worst['standard']}' is also one of "
                    "robustness.worst_case.attacks"
                )
    examples = rob.get("examples")
    if examples:
        need(examples["classifiers"], classifiers, "robustness.examples.classifiers", "classifier")
        need(examples["attacks"], attacks, "robustness.examples.attacks", "attack")
    all_classifiers(config)
