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


wildcard_constraints:
    classifier=NAME,


def classifier_entry(name):
    """A classifier's validated config entry with the global seed and device filled in."""
    spec = with_seed(section("classifiers")[name])
    spec["device"] = config["device"]
    return spec


def classifier_spec(wildcards):
    return spec_json(classifier_entry(wildcards.classifier))


def classifier_data(wildcards):
    dataset = section("classifiers")[wildcards.classifier]["dataset"]
    return {"train": prepared(dataset, "train"), "test": prepared(dataset, "test")}


def classifier_model(name):
    """Path of a trained classifier's checkpoint, for other stages' inputs."""
    return f"results/classifiers/{name}/model.pt"


def robustness_targets():
    return expand(
        "results/classifiers/{classifier}/history.parquet",
        classifier=sorted(section("classifiers")),
    )


TARGET_FUNCTIONS.append(robustness_targets)


# --- sweeps stage ---
from advgen.sweeps.grid import plan as sweep_plan

try:
    SWEEP_PLAN = sweep_plan(config, source=CONFIG_SOURCE)
except ConfigError as exc:
    sys.exit(f"config error: {exc}")


def sweep_point(sweep, wildcards):
    return SWEEP_PLAN.get(sweep, wildcards.generator, wildcards.point)


def sweep_inputs(sweep):
    """Input function of a sweep's point rule: generator, classifier, test images (+ masks)."""

    def inputs(wildcards):
        point = sweep_point(sweep, wildcards)
        files = {"generator": point.generator_path, "classifier": point.classifier_path}
        # truncation: FID compares to the training split, as in sample_quality
        if sweep == "truncation":
            files["reference"] = prepared(point.dataset, "train")
        else:
            files["images"] = prepared(point.dataset, "test")
        if sweep == "inpainting":
            files["masks"] = point.mask_path()
        return files

    inputs.__name__ = f"{sweep}_inputs"
    return inputs


def sweep_spec(sweep):
    """Params function of a sweep's point rule: the point's full spec as sorted JSON."""

    def spec(wildcards):
        return spec_json(sweep_point(sweep, wildcards).spec(config["device"]))

    spec.__name__ = f"{sweep}_spec"
    return spec


inversion_inputs = sweep_inputs("inversion")
inversion_spec = sweep_spec("inversion")
inpainting_inputs = sweep_inputs("inpainting")
inpainting_spec = sweep_spec("inpainting")
interpolation_inputs = sweep_inputs("interpolation")
interpolation_spec = sweep_spec("interpolation")
truncation_inputs = sweep_inputs("truncation")
truncation_spec = sweep_spec("truncation")


SWEEP_MASKS = SWEEP_PLAN.masks()


def sweep_mask_spec(wildcards):
    path = f"results/sweeps/masks/{wildcards.dataset}/{wildcards.mask_id}.pt"
    if path not in SWEEP_MASKS:
        raise ValueError(f"{path}: no inpainting point of the config uses it")
    return spec_json(SWEEP_MASKS[path])


# The table of each point that the sweep's aggregate concatenates.
SWEEP_TABLES = {
    "inversion": "results/sweeps/inversion/{generator}/{point}/final.parquet",
    "inpainting": "results/sweeps/inpainting/{generator}/{point}/table.parquet",
    "interpolation": "results/sweeps/interpolation/{generator}/{point}/paths.parquet",
    "truncation": "results/sweeps/truncation/{generator}/{point}/table.parquet",
}


def sweep_tables(wildcards):
    return [
        SWEEP_TABLES[wildcards.sweep].format(generator=p.generator, point=p.point)
        for p in SWEEP_PLAN.points(wildcards.sweep)
    ]


def sweeps_targets():
    return expand("results/sweeps/{sweep}.parquet", sweep=SWEEP_PLAN.sweeps())


TARGET_FUNCTIONS.append(sweeps_targets)
