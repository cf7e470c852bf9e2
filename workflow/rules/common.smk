# Config validation and the small named helpers every stage uses.
# No torch import here: the DAG must build in well under a second.
import sys
from pathlib import Path

from advgen.config import spec_json, validate_config
from advgen.errors import ConfigError

CONFIG_SOURCE = ", ".join(str(p) for p in workflow.configfiles) or "config"
try:
    validate_config(
        config,
        Path(workflow.current_basedir) / "../schemas/config.schema.yaml",
        source=CONFIG_SOURCE,
    )
except ConfigError as exc:
    sys.exit(f"config error: {exc}")

NAME = "[A-Za-z][A-Za-z0-9_]*"


wildcard_constraints:
    dataset=NAME,


# Each stage appends a function returning its final targets; rule all collects them.
TARGET_FUNCTIONS = []


def all_targets():
    targets = []
    for function in TARGET_FUNCTIONS:
        targets.extend(function())
    return targets


def section(name):
    """A config section (dict of named experiments), empty when absent."""
    return config.get(name) or {}


def with_seed(spec):
    """A copy of an experiment spec with the global seed filled in when it has none."""
    spec = dict(spec)
    spec.setdefault("seed", config["seed"])
    return spec


# --- data stage ---


def dataset_spec(wildcards):
    return spec_json(config["datasets"][wildcards.dataset])


def download_receipt(wildcards):
    spec = config["datasets"][wildcards.dataset]
    if spec["source"] != "digits" and spec["download"]:
        return f"resources/.downloads/{wildcards.dataset}.json"
    return []


def prepared(dataset, split="train"):
    """Path of a prepared split, for other stages' inputs."""
    return f"results/data/{dataset}/{split}.pt"


def data_targets():
    return expand(
        "results/data/{dataset}/manifest.parquet", dataset=sorted(section("datasets"))
    )


TARGET_FUNCTIONS.append(data_targets)


# --- robustness stage ---
from advgen.robustness import plan as robustness_plan

try:
    robustness_plan.check_references(config, CONFIG_SOURCE)
except ConfigError as exc:
    sys.exit(f"config error: {exc}")

ALL_CLASSIFIERS = robustness_plan.all_classifiers(config)


wildcard_constraints:
    classifier=NAME,
    attack=NAME,
    sweep="capacity|data_size",


def classifier_entry(name):
    """A classifier's validated spec (sweep points included), seed and device filled in."""
    spec = with_seed(ALL_CLASSIFIERS[name])
    spec["device"] = config["device"]
    return spec


def classifier_spec(wildcards):
    return spec_json(classifier_entry(wildcards.classifier))


def classifier_dataset(name):
    return ALL_CLASSIFIERS[name]["dataset"]


def classifier_data(wildcards):
    dataset = classifier_dataset(wildcards.classifier)
    return {"train": prepared(dataset, "train"), "test": prepared(dataset, "test")}


def classifier_model(name):
    """Path of a trained classifier's checkpoint, for other stages' inputs."""
    return f"results/classifiers/{name}/model.pt"


def robustness_eval(max_examples=None):
    rob = section("robustness")
    if max_examples is None:
        max_examples = rob.get("max_examples")
    return {"max_examples": max_examples, "batch_size": rob.get("batch_size", 500)}


def attack_settings(name, drop=("classifiers",)):
    """An attack entry without the keys a job does not use (so editing them reruns nothing)."""
    entry = section("robustness")["attacks"][name]
    return {key: value for key, value in entry.items() if key not in drop}


def attack_spec(wildcards):
    entry = section("robustness")["attacks"][wildcards.attack]
    spec = {
        "attack": attack_settings(wildcards.attack),
        "eval": robustness_eval(entry["max_examples"]),
        "device": config["device"],
    }
    return spec_json(spec)


def attack_inputs(wildcards):
    dataset = classifier_dataset(wildcards.classifier)
    return {
        "model": classifier_model(wildcards.classifier),
        "test": prepared(dataset, "test"),
    }


def attack_curves(wildcards=None):
    jobs = robustness_plan.attack_jobs(config)
    return [f"results/robustness/attacks/{c}/{a}.parquet" for c, a in jobs]


def transfer_settings():
    return section("robustness")["transfer"]


def transfer_inputs(wildcards):
    names = transfer_settings()["classifiers"]
    inputs = {name: classifier_model(name) for name in names}
    inputs["test"] = prepared(classifier_dataset(names[0]), "test")
    return inputs


def transfer_models(wildcards):
    names = sorted(transfer_settings()["classifiers"])
    return " ".join(f"{name}={classifier_model(name)}" for name in names)


def transfer_spec(wildcards):
    settings = transfer_settings()
    spec = {
        "transfer": settings,
        "attacks": {
            name: attack_settings(name, ("classifiers", "eps", "max_examples"))
            for name in settings["attacks"]
        },
        "eval": robustness_eval(),
        "device": config["device"],
    }
    return spec_json(spec)


def sweep_points(sweep):
    return robustness_plan.sweep_points(config, sweep)


def sweep_inputs(wildcards):
    points = sweep_points(wildcards.sweep)
    inputs = {p["classifier"]: classifier_model(p["classifier"]) for p in points}
    dataset = classifier_dataset(points[0]["classifier"])
    inputs["train"] = prepared(dataset, "train")
    inputs["test"] = prepared(dataset, "test")
    return inputs


def sweep_models(wildcards):
    names = sorted({p["classifier"] for p in sweep_points(wildcards.sweep)})
    return " ".join(f"{name}={classifier_model(name)}" for name in names)


def sweep_spec(wildcards):
    settings = section("robustness")[wildcards.sweep]
    spec = {
        "points": {
            p["classifier"]: with_seed(p["spec"]) for p in sweep_points(wildcards.sweep)
        },
        "attack": attack_settings(
            settings["attack"], ("classifiers", "eps", "max_examples")
        ),
        "eps": settings["eps"],
        "eval": robustness_eval(),
        "device": config["device"],
    }
    return spec_json(spec)


def robustness_targets():
    rob = section("robustness")
    targets = expand(
        "results/classifiers/{classifier}/history.parquet",
        classifier=sorted(section("classifiers")),
    )
    if robustness_plan.attack_jobs(config):
        targets += [
            "results/robustness/attacks.parquet",
            "results/robustness/minimal_perturbation.parquet",
        ]
    if rob.get("transfer"):
        targets.append("results/robustness/transfer.parquet")
    for sweep in ("capacity", "data_size"):
        if rob.get(sweep):
            targets.append(f"results/robustness/sweeps/{sweep}.parquet")
    return targets


TARGET_FUNCTIONS.append(robustness_targets)
