"""Robustness stage plan: classifier zoo (sweep points included), attacks, transfer, sweeps, the
gradient-masking checks' models. The jobs are job kinds (:mod:`advgen.pipeline.jobkinds_robustness`).

The expansion itself (sweep points, attack jobs) is :mod:`advgen.robustness.plan`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advgen.attacks.registry import REGISTRY
from advgen.classifiers.spec import ClassifierSpec, classifier_config
from advgen.defense.plan import NONE, DefenseConfig
from advgen.errors import ConfigError
from advgen.pipeline.base import Stage
from advgen.pipeline.study import Study
from advgen.robustness import plan as expansion
from advgen.robustness.settings import AttackEntry, ClassifierSweep, MaskingChecks, RobustnessSettings
from advgen.robustness.spec import AttackSpec, CurveAttackSpec, EvalSettings
from advgen.specs import spec_dict

#: the classifier sweeps (wildcard ``{sweep}`` of robustness_sweep)
SWEEPS = tuple(expansion.SWEEPS)
#: their names: capacity, data_size, data_size_<name> (robustness.data_size_sweeps)
SWEEP_PATTERN = "|".join(SWEEPS) + f"|{expansion.NAMED_DATA_SIZE}[A-Za-z0-9_]+"


@dataclass(frozen=True)
class MaskingModel:
    """A model of the gradient-masking checks (Carlini et al. 2019): its classifier, the
    config's check sizes, the images and seed; for a purifier pipeline, the purifier's settings,
    the gradient the attacks take and its generator."""

    classifier: str
    checks: MaskingChecks
    seed: int
    purifier: dict[str, Any] | None = None
    gradient: str | None = None
    generator: str | None = None


class RobustnessPlan(Stage):
    def __init__(self, study: Study, defense: DefenseConfig) -> None:
        super().__init__(study)
        self.expansion = expansion.RobustnessConfig(
            study.robustness, study.classifiers, study.replicate_of, study.seed, study.source
        )
        self.expansion.check_references()
        self.classifiers = self.expansion.all_classifiers()
        self.attack_jobs = self.expansion.attack_jobs()
        self.minimal_attacks = self.expansion.minimal_attacks()
        self.masking = self._masking_jobs(defense)

    @property
    def settings(self) -> RobustnessSettings:
        return self.study.robustness

    def classifier_spec(self, name: str) -> ClassifierSpec:
        """A classifier's ``train_classifier`` spec (sweep points included)."""
        return self.lookup(self.classifiers, name, "classifiers", "classifier")

    def classifier_dataset(self, name: str) -> str:
        return self.classifier_spec(name).dataset

    def eval_settings(self, max_examples: int | None = None) -> EvalSettings:
        """The test images a job evaluates (``max_examples``: an attack's own cap, else the section's)."""
        rob = self.settings
        return EvalSettings(rob.max_examples if max_examples is None else max_examples, rob.batch_size)

    def attack(self, name: str) -> AttackEntry:
        return self.settings.attacks[name]

    def attack_spec(self, name: str) -> AttackSpec:
        """An attack at a budget the job sets itself: class, constructor arguments and seed."""
        entry = self.attack(name)
        return AttackSpec(attack=entry.attack, params=entry.params, seed=entry.seed)

    def curve_spec(self, name: str) -> CurveAttackSpec:
        """An attack over its eps grid (an ``attack`` job's curve), with its own evaluation cap."""
        entry = self.attack(name)
        return CurveAttackSpec(
            attack=entry.attack,
            params=entry.params,
            seed=entry.seed,
            eps=entry.eps,
            max_examples=entry.max_examples,
        )

    def classifier_attacks(self, classifier: str) -> list[str]:
        """The attacks run on ``classifier``, in config order (its curve table's row order)."""
        return [name for name, entry in self.settings.attacks.items() if classifier in entry.classifiers]

    def attacked_classifiers(self) -> list[str]:
        """The classifiers some attack lists, sorted (one curve table each)."""
        return sorted({c for c, _ in self.attack_jobs})

    def check_attack_job(self, classifier: str, name: str) -> None:
        """A requested attack job that the config does not ask for is one line."""
        if (classifier, name) not in self.attack_jobs:
            runs = [a for c, a in self.attack_jobs if c == classifier]
            self.unknown("robustness.attacks", f"attack on classifier '{classifier}' named", name, runs)

    # --- worst case per example over an attack set (advgen.robustness.worst_case)
    def worst_case_classifiers(self) -> list[str]:
        """The classifiers every attack of ``robustness.worst_case.attacks`` runs on (sorted)."""
        worst = self.settings.worst_case
        if not worst:
            return []
        runs = [set(self.attack(a).classifiers) for a in worst.attacks]
        return sorted(set.intersection(*runs))

    def worst_case_attacks(self, classifier: str) -> list[str]:
        """The set's attacks, and the standard-budget attack where it ran on ``classifier``."""
        worst = self.settings.worst_case
        if not worst:
            return []
        names = [*worst.attacks]
        if worst.standard and classifier in self.attack(worst.standard).classifiers:
            names.append(worst.standard)
        return names

    # --- capacity / data-size sweeps
    def sweeps(self) -> list[str]:
        """The classifier sweeps the config runs (``data_size_<name>``: robustness.data_size_sweeps)."""
        return self.expansion.sweep_names()

    def sweep_settings(self, sweep: str) -> ClassifierSweep:
        return self.lookup(self.expansion.sweep_settings(), sweep, "robustness", "classifier sweep")

    def sweep_points(self, sweep: str) -> list[expansion.SweepPoint]:
        self.sweep_settings(sweep)
        return self.expansion.sweep_points(sweep)

    def point_models(self, sweep: str) -> list[str]:
        """The classifiers of a sweep's points, sorted (each once)."""
        return sorted({p.classifier for p in self.sweep_points(sweep)})

    def point_entry(self, point: expansion.SweepPoint) -> dict[str, Any]:
        """A point's classifier spec as its job's JSON (:attr:`SweepPointSpec.classifier
        <advgen.robustness.spec.SweepPointSpec.classifier>`): :func:`classifier_config` without
        ``device`` (the point job's own)."""
        return {k: v for k, v in classifier_config(point.spec).items() if k != "device"}

    # --- capacity transfer matrix (Madry et al. 2018: capacity reduces transferability)
    def capacity_transfer_eps(self) -> float | None:
        """The capacity matrix's budget (its own, else the sweep's), None without a matrix."""
        capacity = self.settings.capacity
        if not capacity or not capacity.transfer:
            return None
        eps = capacity.transfer.eps
        return capacity.eps if eps is None else eps

    # --- gradient-masking checks (Carlini et al. 2019; the masking_checks job kind)
    def _masking_jobs(self, defense: DefenseConfig) -> dict[tuple[str, str], MaskingModel]:
        """(family, name) -> the model the checks run on, with every check's settings, checked
        references; ``advgen.pipeline.jobkinds_robustness.masking_spec`` cuts one check's job
        spec from it (one ``masking_checks`` job per model and check)."""
        settings = self.settings.masking
        if not settings:
            return {}
        source, known = self.source, self.study.classifiers
        names = settings.classifiers
        if names is None:
            names = tuple(
                sorted(
                    {
                        c
                        for a in self.settings.attacks.values()
                        if REGISTRY[a.attack].reference
                        for c in a.classifiers
                    }
                )
            )
        jobs = {}
        for name in names:
            if name not in known:
                defined = ", ".join(sorted(known)) or "none"
                raise ConfigError(
                    f"{source}: robustness.masking.classifiers: unknown classifier '{name}' (defined: {defined})"
                )
            jobs[("classifier", name)] = MaskingModel(name, settings.checks, self.study.seed)
        points = {p.purifier: p.spec for p in defense.purify_points() if p.spec.operating}
        points.pop(NONE, None)
        wanted = settings.purifiers
        if wanted is None:
            wanted = tuple(sorted(points))
        for name in wanted:
            if name not in points:
                defined = ", ".join(sorted(points)) or "none (no defense.purify section)"
                raise ConfigError(
                    f"{source}: robustness.masking.purifiers: unknown purifier '{name}' (defined: {defined})"
                )
            p = points[name]
            point = spec_dict(p)  # the purify job's JSON: optimizer and lr only where it has them
            purifier = {
                k: point[k]
                for k in ("method", "generator_kind", "steps", "restarts", "optimizer", "lr")
                if k in point
            }
            jobs[("purifier", name)] = MaskingModel(
                p.classifier,
                settings.purifier_checks,
                p.seed,
                purifier=purifier,
                gradient="exact" if p.method == "reconstruct" else "bpda",
                generator=p.generator,
            )
        return jobs
