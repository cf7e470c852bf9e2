"""Robustness stage plan: classifier zoo (sweep points included), attacks, transfer, sweeps.

The expansion itself (sweep points, attack jobs) is :mod:`advgen.robustness.plan`.
"""

from __future__ import annotations

from advgen.config import spec_json
from advgen.pipeline import paths
from advgen.pipeline.base import Stage, classifier_model, splits
from advgen.robustness import plan as expansion

#: the classifier sweeps (wildcard ``{sweep}`` of robustness_sweep)
SWEEPS = tuple(expansion.SWEEPS)


class RobustnessPlan(Stage):
    def __init__(self, config, source="config"):
        super().__init__(config, source)
        expansion.check_references(config, source)
        self.classifiers = expansion.all_classifiers(config)
        self.attack_jobs = expansion.attack_jobs(config)
        self.minimal_attacks = expansion.minimal_attacks(config)

    @property
    def settings(self) -> dict:
        return self.section("robustness")

    def classifier_entry(self, name: str) -> dict:
        """A classifier's validated spec (sweep points included), seed and device filled in."""
        spec = self.with_seed(self.classifiers[name])
        spec["device"] = self.device
        return spec

    def classifier_spec(self, wildcards) -> str:
        return spec_json(self.classifier_entry(wildcards.classifier))

    def classifier_dataset(self, name: str) -> str:
        return self.classifiers[name]["dataset"]

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

    def attack_spec(self, wildcards) -> str:
        entry = self.settings["attacks"][wildcards.attack]
        spec = {
            "attack": self.attack_settings(wildcards.attack),
            "eval": self.eval_settings(entry["max_examples"]),
            "device": self.device,
        }
        return spec_json(spec)

    def attack_inputs(self, wildcards) -> dict[str, str]:
        dataset = self.classifier_dataset(wildcards.classifier)
        return {"model": classifier_model(wildcards.classifier), "test": splits(dataset)["test"]}

    def attack_curves(self, wildcards=None) -> list[str]:
        return [paths.ATTACK.format(classifier=c, attack=a) for c, a in self.attack_jobs]

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
                name: self.attack_settings(name, ("classifiers", "eps", "max_examples")) for name in settings["attacks"]
            },
            "eval": self.eval_settings(),
            "device": self.device,
        }
        return spec_json(spec)

    # --- capacity / data-size sweeps
    def sweep_points(self, sweep: str) -> list[dict]:
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
        settings = self.settings[wildcards.sweep]
        spec = {
            "points": {p["classifier"]: self.with_seed(p["spec"]) for p in self.sweep_points(wildcards.sweep)},
            "attack": self.attack_settings(settings["attack"], ("classifiers", "eps", "max_examples")),
            "eps": settings["eps"],
            "eval": self.eval_settings(),
            "device": self.device,
        }
        return spec_json(spec)

    def sweeps(self) -> list[str]:
        """The classifier sweeps the config runs."""
        return [s for s in SWEEPS if self.settings.get(s)]

    def targets(self) -> list[str]:
        targets = [paths.CLASSIFIER_HISTORY.format(classifier=c) for c in sorted(self.section("classifiers"))]
        if self.attack_jobs:
            targets += [paths.ATTACKS, paths.MINIMAL_PERTURBATION]
        if self.settings.get("transfer"):
            targets.append(paths.TRANSFER)
        targets += [paths.ROBUSTNESS_SWEEP.format(sweep=s) for s in self.sweeps()]
        return targets
