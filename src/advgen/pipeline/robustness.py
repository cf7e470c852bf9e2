"""Robustness stage plan: classifier zoo (sweep points included), attacks, transfer, sweeps.

The expansion itself (sweep points, attack jobs) is :mod:`advgen.robustness.plan`.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from advgen import paths
from advgen.attacks.registry import REGISTRY
from advgen.config import spec_json
from advgen.defense import plan as defense_expansion
from advgen.errors import ConfigError
from advgen.pipeline.base import Stage, classifier_model, splits
from advgen.robustness import plan as expansion
from advgen.robustness.tables import MASKING_CHECKS
from advgen.specs import spec_dict

#: the classifier sweeps (wildcard ``{sweep}`` of robustness_sweep)
SWEEPS = tuple(expansion.SWEEPS)
#: their names: capacity, data_size, data_size_<name> (robustness.data_size_sweeps)
SWEEP_PATTERN = "|".join(SWEEPS) + f"|{expansion.NAMED_DATA_SIZE}[A-Za-z0-9_]+"


@dataclass(frozen=True)
class MaskingModel:
    """A model of the gradient-masking checks (Carlini et al. 2019): its classifier, the
    config's check sizes (``checks`` without ``n_queries`` and ``max_examples``), the black-box
    attack's ``n_queries``, the images and seed; for a purifier pipeline, the purifier's
    settings, the gradient the attacks take and its generator."""

    classifier: str
    checks: dict[str, Any]
    n_queries: int
    max_examples: int | None
    seed: int
    purifier: dict[str, Any] | None = None
    gradient: str | None = None
    generator: str | None = None


class RobustnessPlan(Stage):
    def __init__(self, config, source="config"):
        super().__init__(config, source)
        expansion.check_references(config, source)
        self.classifiers = expansion.all_classifiers(config)
        self.attack_jobs = expansion.attack_jobs(config)
        self.minimal_attacks = expansion.minimal_attacks(config)
        self.masking = self._masking_jobs(source)

    @property
    def settings(self) -> dict:
        return self.section("robustness")

    def classifier_entry(self, name: str) -> dict:
        """A classifier's validated entry (sweep points included), seed and device filled in: the
        JSON of its ``train_classifier`` job's spec."""
        return {**self.with_seed(self.classifier(name)), "device": self.device}

    def classifier(self, name: str) -> dict:
        """A classifier's validated spec (sweep points included)."""
        return self.lookup(self.classifiers, name, "classifiers", "classifier")

    def classifier_spec(self, wildcards) -> str:
        return spec_json(self.classifier_entry(wildcards.classifier))

    def classifier_dataset(self, name: str) -> str:
        return self.classifier(name)["dataset"]

    def classifier_data(self, wildcards) -> dict[str, str]:
        return splits(self.classifier_dataset(wildcards.classifier))

    def eval_settings(self, max_examples=None) -> dict:
        rob = self.settings
        if max_examples is None:
            max_examples = rob.get("max_examples")
        return {"max_examples": max_examples, "batch_size": rob.get("batch_size", 500)}

    def attack_settings(self, name: str, drop=("classifiers",)) -> dict:
        """An attack entry without the keys a job does not use (so editing them reruns nothing)."""
        entry = self.settings["attacks"][name]
        return {key: value for key, value in entry.items() if key not in drop}

    def classifier_attacks(self, classifier: str) -> list[str]:
        """The attacks run on ``classifier``, in config order (its curve table's row order)."""
        return [
            name for name, entry in self.settings["attacks"].items() if classifier in entry["classifiers"]
        ]

    def attack_spec(self, wildcards) -> str:
        """One attack on one classifier: its settings and evaluation subset, nothing else.

        The unit of recomputation of the robustness curves: editing one attack's eps grid or
        parameters reruns that attack's jobs only (and the tables that concatenate them).
        """
        classifier, name = wildcards.classifier, wildcards.attack
        if (classifier, name) not in self.attack_jobs:
            runs = [a for c, a in self.attack_jobs if c == classifier]
            self.unknown("robustness.attacks", f"attack on classifier '{classifier}' named", name, runs)
        entry = self.settings["attacks"][name]
        return spec_json(
            {
                "name": name,
                "attack": self.attack_settings(name),
                "eval": self.eval_settings(entry["max_examples"]),
                "device": self.device,
            }
        )

    # --- worst case per example over an attack set (advgen.robustness.worst_case)
    def worst_case(self) -> dict | None:
        """``robustness.worst_case`` (None when the config has none)."""
        return self.settings.get("worst_case")

    def worst_case_classifiers(self) -> list[str]:
        """The classifiers every attack of ``robustness.worst_case.attacks`` runs on (sorted)."""
        settings = self.worst_case()
        if not settings:
            return []
        runs = [set(self.settings["attacks"][a]["classifiers"]) for a in settings["attacks"]]
        return sorted(set.intersection(*runs))

    def worst_case_inputs(self, wildcards=None) -> list[str]:
        """Input of the ``worst_case`` job (a declared job kind, :mod:`advgen.pipeline.jobkinds`):
        the per-example tables of the set's attacks on those classifiers, and of the
        standard-budget attack where it ran on one of them (nothing else, so editing another
        attack does not rerun it)."""
        settings = self.worst_case() or {}
        standard = settings.get("standard")
        out = []
        for c in self.worst_case_classifiers():
            names = [*settings["attacks"]]
            if standard and c in self.settings["attacks"][standard]["classifiers"]:
                names.append(standard)
            out += [paths.fill(paths.ATTACK_EXAMPLES, classifier=c, attack=a) for a in names]
        return out

    def attack_inputs(self, wildcards) -> dict[str, str]:
        dataset = self.classifier_dataset(wildcards.classifier)
        return {"model": classifier_model(wildcards.classifier), "test": splits(dataset)["test"]}

    def attacked_classifiers(self) -> list[str]:
        """The classifiers some attack lists, sorted (one curve table each)."""
        return sorted({c for c, _ in self.attack_jobs})

    def attack_curves(self, wildcards=None) -> list[str]:
        """Input of ``attack_table``: one curve table per (classifier, attack), classifiers
        sorted and each classifier's attacks in config order (its curve table's row order)."""
        return [
            paths.fill(paths.ATTACK_CURVE, classifier=c, attack=a)
            for c in self.attacked_classifiers()
            for a in self.classifier_attacks(c)
        ]

    def classifier_curve_tables(self) -> dict[str, str]:
        """Outputs of ``attack_table``: classifier -> its attacks' rows (``paths.ATTACK``)."""
        return {c: paths.fill(paths.ATTACK, classifier=c) for c in self.attacked_classifiers()}

    def classifier_curve_option(self, wildcards=None) -> str:
        """``--classifier-table NAME=PATH`` options of ``attack-table``, one per classifier (sorted)."""
        return " ".join(f"--classifier-table {c}={p}" for c, p in self.classifier_curve_tables().items())

    # --- transfer
    def transfer_inputs(self, wildcards) -> dict[str, str]:
        names = self.settings["transfer"]["classifiers"]
        inputs = {name: classifier_model(name) for name in names}
        inputs["test"] = splits(self.classifier_dataset(names[0]))["test"]
        return inputs

    def transfer_models(self, wildcards) -> str:
        names = sorted(self.settings["transfer"]["classifiers"])
        return " ".join(f"{name}={classifier_model(name)}" for name in names)

    def transfer_spec(self, wildcards) -> str:
        settings = self.settings["transfer"]
        spec = {
            "transfer": settings,
            "attacks": {
                name: self.attack_settings(name, ("classifiers", "eps", "max_examples"))
                for name in settings["attacks"]
            },
            "eval": self.eval_settings(),
            "device": self.device,
        }
        return spec_json(spec)

    # --- capacity / data-size sweeps
    def sweep_points(self, sweep: str) -> list[dict]:
        self.lookup(expansion.sweep_settings(self.config), sweep, "robustness", "classifier sweep")
        return expansion.sweep_points(self.config, sweep)

    def sweep_inputs(self, wildcards) -> dict[str, str]:
        points = self.sweep_points(wildcards.sweep)
        inputs = {p["classifier"]: classifier_model(p["classifier"]) for p in points}
        inputs.update(splits(self.classifier_dataset(points[0]["classifier"])))
        return inputs

    def sweep_models(self, wildcards) -> str:
        names = sorted({p["classifier"] for p in self.sweep_points(wildcards.sweep)})
        return " ".join(f"{name}={classifier_model(name)}" for name in names)

    def sweep_spec(self, wildcards) -> str:
        settings = self.lookup(
            expansion.sweep_settings(self.config), wildcards.sweep, "robustness", "classifier sweep"
        )
        cap = settings.get("train_max_examples")  # data-size sweeps only; off by default
        return spec_json(
            {
                "points": {
                    p["classifier"]: self.with_seed(p["spec"]) for p in self.sweep_points(wildcards.sweep)
                },
                "attack": self.attack_settings(settings["attack"], ("classifiers", "eps", "max_examples")),
                "eps": settings["eps"],
                "eval": self.eval_settings(),
                "device": self.device,
                **({"train_max_examples": cap} if cap is not None else {}),
            }
        )

    # --- capacity transfer matrix (Madry et al. 2018: capacity reduces transferability)
    def capacity_transfer(self) -> dict | None:
        """``robustness.capacity.transfer`` (None when the config has no such matrix)."""
        return (self.settings.get("capacity") or {}).get("transfer")

    def capacity_transfer_inputs(self, wildcards) -> dict[str, str]:
        return self.sweep_inputs(SimpleNamespace(sweep="capacity"))

    def capacity_transfer_models(self, wildcards) -> str:
        return self.sweep_models(SimpleNamespace(sweep="capacity"))

    def capacity_transfer_meta(self, wildcards) -> str:
        """``--meta``: each model's width, training mode and seed (source_/target_ columns; the
        matrix is made within each seed, the spec's ``transfer.within``)."""
        return spec_json(
            {
                p["classifier"]: {"width": p["width"], "mode": p["mode"], "seed": p["seed"]}
                for p in self.sweep_points("capacity")
            }
        )

    def capacity_transfer_spec(self, wildcards) -> str:
        capacity = self.settings["capacity"]
        settings = self.capacity_transfer()
        eps = settings.get("eps")
        transfer = {
            "classifiers": sorted({p["classifier"] for p in self.sweep_points("capacity")}),
            "attacks": settings["attacks"],
            "eps": capacity["eps"] if eps is None else eps,
            "noise_seed": (self.settings.get("transfer") or {}).get("noise_seed", 0),
            "within": "seed",  # one matrix per seed of the base classifier: sources and targets of that seed
        }
        spec = {
            "transfer": transfer,
            "attacks": {
                name: self.attack_settings(name, ("classifiers", "eps", "max_examples"))
                for name in settings["attacks"]
            },
            "eval": self.eval_settings(),
            "device": self.device,
        }
        return spec_json(spec)

    # --- adversarial examples (the review's Figs. 2-3; a row of the figure table)
    def examples_inputs(self, classifier: str) -> dict[str, str]:
        return {
            "model": classifier_model(classifier),
            "test": splits(self.classifier_dataset(classifier))["test"],
        }

    def examples_options(self, classifier: str) -> dict:
        """The attacks (each at the one ``examples.eps``), images and seed of one classifier's figure."""
        examples = self.settings["examples"]
        attacks = {
            name: {**self.attack_settings(name, ("classifiers", "max_examples")), "eps": examples["eps"]}
            for name in examples["attacks"]
        }
        return {
            "attacks": attacks,
            "num_images": examples["num_images"],
            "seed": self.config["seed"],
            "experiment": f"classifier {classifier}",
        }

    def sweeps(self) -> list[str]:
        """The classifier sweeps the config runs (``data_size_<name>``: robustness.data_size_sweeps)."""
        return expansion.sweep_names(self.config)

    # --- gradient-masking checks (Carlini et al. 2019; advgen masking-checks)
    def _masking_jobs(self, source: str) -> dict[tuple[str, str], MaskingModel]:
        """(family, name) -> the model the checks run on, with every check's settings, checked
        references; ``advgen.pipeline.jobkinds_robustness.masking_spec`` cuts one check's job
        spec from it (one ``masking_checks`` job per model and check)."""
        settings = self.settings.get("masking")
        if not settings:
            return {}
        known = self.section("classifiers")
        names = settings.get("classifiers")
        if names is None:
            names = sorted(
                {
                    c
                    for a in self.settings["attacks"].values()
                    if REGISTRY[a["attack"]].reference
                    for c in a["classifiers"]
                }
            )
        jobs = {}
        for name in names:
            if name not in known:
                defined = ", ".join(sorted(known)) or "none"
                raise ConfigError(
                    f"{source}: robustness.masking.classifiers: unknown classifier '{name}' (defined: {defined})"
                )
            jobs[("classifier", name)] = self._masking_model(settings["checks"], classifier=name)
        points = {
            p.purifier: p.spec for p in defense_expansion.purify_points(self.config) if p.spec.operating
        }
        points.pop(defense_expansion.NONE, None)
        wanted = settings.get("purifiers")
        if wanted is None:
            wanted = sorted(points)
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
            jobs[("purifier", name)] = self._masking_model(
                settings["purifier_checks"],
                classifier=p.classifier,
                seed=p.seed,
                purifier=purifier,
                gradient="exact" if p.method == "reconstruct" else "bpda",
                generator=p.generator,
            )
        return jobs

    def _masking_model(
        self, checks: dict, *, classifier: str, seed: int | None = None, **purifier
    ) -> MaskingModel:
        return MaskingModel(
            classifier=classifier,
            checks={k: v for k, v in checks.items() if k not in ("n_queries", "max_examples")},
            n_queries=checks["n_queries"],
            max_examples=checks["max_examples"],
            seed=self.config.get("seed", 0) if seed is None else seed,
            **purifier,
        )

    def masking_tables(self, wildcards=None) -> list[str]:
        """Input of ``masking_table``: one row per (model, check), models in job order (the
        classifiers, then the purifiers) and each model's checks in ``MASKING_CHECKS`` order."""
        return [
            paths.fill(paths.MASKING_JOB, family=f, name=n, check=c)
            for f, n in self.masking
            for c in MASKING_CHECKS
        ]

    def targets(self) -> list[str]:
        targets = [paths.CLASSIFIER_HISTORY.format(classifier=c) for c in sorted(self.section("classifiers"))]
        if self.attack_jobs:
            targets += [paths.ATTACKS, paths.MINIMAL_PERTURBATION]
        if self.settings.get("transfer"):
            targets.append(paths.TRANSFER)
        targets += [paths.ROBUSTNESS_SWEEP.format(sweep=s) for s in self.sweeps()]
        if self.masking:
            targets += [paths.MASKING, paths.TABLE_MD.format(table="masking")]
        if self.settings.get("capacity") and self.capacity_transfer():
            targets.append(paths.TRANSFER_CAPACITY)
        return targets
