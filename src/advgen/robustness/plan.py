"""The robustness stage's job plan, from the validated config (no torch: the DAG imports it).

:func:`of` types the config once (:class:`RobustnessConfig`: the ``robustness`` section as
:class:`~advgen.robustness.settings.RobustnessSettings`, each classifier run as its
:class:`~advgen.classifiers.spec.ClassifierSpec`, the runs' replicated entries, the global seed);
its methods expand it:

* :meth:`~RobustnessConfig.all_classifiers`: the ``classifiers`` section plus the classifiers
  the capacity and data-size sweeps train. A sweep point is its base classifier's spec with
  ``mode`` and ``width`` (capacity) or ``train_fraction`` (data size) replaced
  (:func:`dataclasses.replace`); it reuses the name of a configured classifier or an earlier
  point with the same spec, else gets ``<base>_<mode>_w0p5`` / ``<base>_<mode>_f0p25``.
* :meth:`~RobustnessConfig.base_runs`: the runs an experiment's base classifier stands for. A
  base that is a run of a replicated entry (``seeds`` / ``replicates``: the first seed's run keeps
  the entry's name, which a single reference to the entry names) stands for every run of that
  entry, in seed order; the sweeps repeat every point on each run (``<run>_<mode>_w0p5``, so the
  first run keeps the names of the unreplicated plan) and
  :meth:`~RobustnessConfig.robust_features_pairs` pairs the runs of equal seeds. Any other base
  is one run, as before.
* :meth:`~RobustnessConfig.sweep_names`: the sweeps a config runs: ``capacity``, ``data_size``
  and one ``data_size_<name>`` per entry of ``robustness.data_size_sweeps`` (Schmidt et al.'s
  contrast: the same sweep on another data set, e.g. CIFAR-10); :func:`sweep_kind` maps a name
  back to its kind (which column the sweep varies).
* :meth:`~RobustnessConfig.attack_jobs`: the (classifier, attack) pairs of the ``attack`` jobs.
* :meth:`~RobustnessConfig.check_references`: every name the ``robustness`` section uses exists.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from advgen.attacks.registry import BUDGET_TRANSFER_ATTACKS, MINIMAL_ATTACKS, TRANSFER_ATTACKS, listing
from advgen.classifiers.spec import ClassifierSpec, classifier_specs
from advgen.config import ConfigFile
from advgen.config_checks import check_grid_size
from advgen.errors import ConfigError
from advgen.replicates import replicated
from advgen.robustness.settings import ClassifierSweep, RobustnessSettings

#: sweep kind -> (the classifier field it varies, its grid's key, the letter of its points' names)
SWEEPS = {"capacity": ("width", "widths", "w"), "data_size": ("train_fraction", "fractions", "f")}
#: ``robustness.data_size_sweeps.<name>`` runs as the sweep ``data_size_<name>``
NAMED_DATA_SIZE = "data_size_"
#: the classifiers of robustness.robust_features, in the order its errors name them
FEATURE_CLASSIFIERS = ("robust_classifier", "standard_classifier", "classifier")


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


def _key(sweep: str) -> str:
    """The config key of a sweep (``data_size_sweeps.cifar10`` for ``data_size_cifar10``)."""
    if sweep in SWEEPS:
        return sweep
    return f"data_size_sweeps.{sweep[len(NAMED_DATA_SIZE) :]}"


@dataclass(frozen=True)
class SweepPoint:
    """One point of a classifier sweep: the classifier it trains (a name), its mode, the swept
    field's ``value`` (``width`` or ``train_fraction``), its seed and its classifier's spec."""

    classifier: str
    mode: str
    field: str
    value: float
    seed: int
    spec: ClassifierSpec


@dataclass(frozen=True)
class FeaturePair:
    """One Ilyas et al. run: its seed and the run of each of :data:`FEATURE_CLASSIFIERS`."""

    seed: int
    robust_classifier: str
    standard_classifier: str
    classifier: str


@dataclass(frozen=True)
class RobustnessConfig:
    """The robustness section (typed), the configured classifier runs' specs (config order),
    the replicated entry of each run that is one (``replicate_of``: run -> entry) and the
    global seed."""

    settings: RobustnessSettings
    classifiers: Mapping[str, ClassifierSpec] = field(hash=False)
    replicate_of: Mapping[str, str] = field(hash=False)
    seed: int = 0
    source: str = "config"

    def sweep_settings(self) -> dict[str, ClassifierSweep]:
        """The sweeps the config runs, name -> settings block, in plan order: ``capacity``,
        ``data_size``, then ``data_size_<name>`` for each ``robustness.data_size_sweeps`` entry."""
        rob = self.settings
        out = {
            sweep: block
            for sweep, block in (("capacity", rob.capacity), ("data_size", rob.data_size))
            if block
        }
        for name, block in sorted((rob.data_size_sweeps or {}).items()):
            out[NAMED_DATA_SIZE + name] = block
        return out

    def sweep_names(self) -> list[str]:
        return list(self.sweep_settings())

    def base_runs(self, name: str) -> list[str]:
        """The runs the base classifier ``name`` stands for: every run of its replicated entry
        (in seed order) when it is one (``replicate_of``), else ``[name]``."""
        entry = self.replicate_of.get(name) if name in self.classifiers else None
        if not entry:
            return [name]
        return [run for run in self.classifiers if self.replicate_of.get(run) == entry]

    def _points(self, sweep: str, known: dict[str, ClassifierSpec]) -> list[SweepPoint]:
        settings = self.sweep_settings().get(sweep)
        if not settings:
            return []
        name_field, grid_key, letter = SWEEPS[sweep_kind(sweep)]
        points = []
        for base_name in self.base_runs(settings.classifier):
            base = self.classifiers[base_name]
            for mode in settings.modes:
                for value in settings.grid(grid_key):
                    changes: dict[str, Any] = {"mode": mode, name_field: float(value)}
                    spec = dataclasses.replace(base, **changes)
                    same = [n for n in sorted(known) if known[n] == spec]
                    name = same[0] if same else f"{base_name}_{mode}_{letter}{_tag(value)}"
                    if name in known and known[name] != spec:
                        raise ConfigError(
                            f"robustness.{_key(sweep)}: generated classifier name '{name}' is already used "
                            "by another classifier; rename that classifier"
                        )
                    known[name] = spec
                    points.append(SweepPoint(name, mode, name_field, float(value), spec.seed, spec))
        return points

    @functools.cached_property
    def _plan(self) -> tuple[dict[str, ClassifierSpec], dict[str, list[SweepPoint]]]:
        known = dict(self.classifiers)
        names = [*SWEEPS, *(s for s in self.sweep_names() if s not in SWEEPS)]
        points = {sweep: self._points(sweep, known) for sweep in names}
        return known, points

    def sweep_points(self, sweep: str) -> list[SweepPoint]:
        """The points of a sweep, for each run of the base classifier (:meth:`base_runs`, seed
        order) every mode and grid value. A point whose spec equals a configured classifier's or
        an earlier sweep point's reuses that name, so no model is trained twice."""
        return self._plan[1][sweep]

    def all_classifiers(self) -> dict[str, ClassifierSpec]:
        """Every classifier to train: configured ones and sweep points (name -> spec)."""
        return self._plan[0]

    def robust_features_pairs(self) -> list[FeaturePair]:
        """One Ilyas et al. run per seed, in seed order.

        Each classifier stands for its :meth:`base_runs`. The replicated ones must have the same
        seeds, and the run of seed ``k`` of each makes pair ``k`` (the robust and the standard
        classifier of one seed, the trained spec of that seed); a classifier with one run serves
        every pair. With no replicated classifier there is one pair, seeded by the config's seed.
        """
        features = self.settings.robust_features
        if not features:
            return []
        names = {
            "robust_classifier": features.robust_classifier,
            "standard_classifier": features.standard_classifier,
            "classifier": features.classifier,
        }
        runs = {key: self.base_runs(name) for key, name in names.items()}
        seeds = {key: [self.classifiers[r].seed for r in rs] for key, rs in runs.items()}
        replicated = [key for key in FEATURE_CLASSIFIERS if len(runs[key]) > 1]
        if not replicated:
            return [FeaturePair(self.seed, **{key: runs[key][0] for key in FEATURE_CLASSIFIERS})]
        first = replicated[0]
        for key in replicated[1:]:
            if seeds[key] != seeds[first]:
                raise ConfigError(
                    f"{self.source}: robustness.robust_features.{key}: its runs have seeds "
                    f"{seeds[key]}, those of {first} {seeds[first]} (one run per seed pairs them)"
                )
        return [
            FeaturePair(
                seed,
                **{key: runs[key][i] if key in replicated else runs[key][0] for key in FEATURE_CLASSIFIERS},
            )
            for i, seed in enumerate(seeds[first])
        ]

    def attack_jobs(self) -> list[tuple[str, str]]:
        """Sorted (classifier, attack) pairs of the ``attack`` jobs."""
        return sorted((c, a) for a, entry in self.settings.attacks.items() for c in entry.classifiers)

    def minimal_attacks(self) -> list[str]:
        """Names of the configured minimal-perturbation attacks (L-BFGS, DeepFool)."""
        return sorted(a for a, entry in self.settings.attacks.items() if entry.attack in MINIMAL_ATTACKS)

    def check_references(self) -> None:
        """Raise :class:`ConfigError` naming the key of any unknown classifier or attack name."""
        rob, classifiers, attacks, source = (
            self.settings,
            self.classifiers,
            self.settings.attacks,
            self.source,
        )

        def need(names: Sequence[str], known: Mapping[str, Any], key: str, what: str) -> None:
            for name in names:
                if name not in known:
                    defined = ", ".join(sorted(known)) or "none"
                    raise ConfigError(f"{source}: {key}: unknown {what} '{name}' (defined: {defined})")

        for name, entry in attacks.items():
            need(entry.classifiers, classifiers, f"robustness.attacks.{name}.classifiers", "classifier")
        transfer = rob.transfer
        if transfer:
            need(transfer.classifiers, classifiers, "robustness.transfer.classifiers", "classifier")
            need(transfer.attacks, attacks, "robustness.transfer.attacks", "attack")
            datasets = sorted({classifiers[n].dataset for n in transfer.classifiers})
            if len(datasets) > 1:
                raise ConfigError(
                    f"{source}: robustness.transfer.classifiers: all must share one dataset "
                    f"(found {', '.join(datasets)})"
                )
            for name in transfer.attacks:
                if attacks[name].attack not in TRANSFER_ATTACKS:
                    raise ConfigError(
                        f"{source}: robustness.transfer.attacks: '{name}' is not a transferable attack "
                        f"({listing(TRANSFER_ATTACKS)})"
                    )
        for sweep, settings in self.sweep_settings().items():
            need([settings.classifier], classifiers, f"robustness.{_key(sweep)}.classifier", "classifier")
            need([settings.attack], attacks, f"robustness.{_key(sweep)}.attack", "attack")
            grid_key = SWEEPS[sweep_kind(sweep)][1]
            runs = len(self.base_runs(settings.classifier))
            sizes = {"runs": runs, "modes": len(settings.modes), grid_key: len(settings.grid(grid_key))}
            check_grid_size(sizes, f"{source}: robustness.{_key(sweep)}")
        cap_transfer = rob.capacity.transfer if rob.capacity else None
        if cap_transfer:
            need(cap_transfer.attacks, attacks, "robustness.capacity.transfer.attacks", "attack")
            for name in cap_transfer.attacks:
                if attacks[name].attack not in BUDGET_TRANSFER_ATTACKS:
                    raise ConfigError(
                        f"{source}: robustness.capacity.transfer.attacks: '{name}' is not a transferable "
                        f"attack with a budget ({listing(BUDGET_TRANSFER_ATTACKS)})"
                    )
        features = rob.robust_features
        if features:
            for key, name in (
                ("robust_classifier", features.robust_classifier),
                ("standard_classifier", features.standard_classifier),
                ("classifier", features.classifier),
            ):
                need([name], classifiers, f"robustness.robust_features.{key}", "classifier")
            need([features.attack], attacks, "robustness.robust_features.attack", "attack")
            self.robust_features_pairs()
        worst = rob.worst_case
        if worst:
            need(worst.attacks, attacks, "robustness.worst_case.attacks", "attack")
            if worst.standard is not None:
                need([worst.standard], attacks, "robustness.worst_case.standard", "attack")
                if worst.standard in worst.attacks:
                    raise ConfigError(
                        f"{source}: robustness.worst_case.standard: '{worst.standard}' is also one of "
                        "robustness.worst_case.attacks"
                    )
        examples = rob.examples
        if examples:
            need(examples.classifiers, classifiers, "robustness.examples.classifiers", "classifier")
            need(examples.attacks, attacks, "robustness.examples.attacks", "attack")
        self.all_classifiers()


def of(config: Mapping[str, Any], source: str = "config") -> RobustnessConfig:
    """The robustness plan of a validated config (its ``robustness`` section typed once)."""
    top = ConfigFile.of(config, source)
    return RobustnessConfig(
        RobustnessSettings.of(top.robustness, source),
        classifier_specs(top.classifiers, top.seed, top.device, source),
        replicated(top.classifiers),
        top.seed,
        source,
    )
