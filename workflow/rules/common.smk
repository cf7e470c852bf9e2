# Config validation and the small named helpers every stage uses.
# No torch import here: the DAG must build in well under a second.
import os
import sys
from pathlib import Path

from advgen.config import spec_json, validate_config
from advgen.errors import ConfigError

CONFIG_SOURCE = (
    ", ".join(
        os.path.relpath(p) if not os.path.relpath(p).startswith("..") else str(p)
        for p in workflow.configfiles
    )
    or "config"
)
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


# --- cv stage ---
from advgen.cv.settings import build_options, cv_settings

try:
    CV = cv_settings(config.get("cv"), source=CONFIG_SOURCE)
except ConfigError as exc:
    sys.exit(f"config error: {exc}")


def cv_template_files(wildcards):
    """The renderer's templates: editing one reruns `cv` (edits to library code do not)."""
    from importlib.resources import files

    folder = files("advgen.cv") / "templates"
    suffixes = (".j2", ".typ", ".css")
    return sorted(str(p) for p in folder.iterdir() if p.name.endswith(suffixes))


def cv_outdir(wildcards, output):
    return str(Path(output.md).parent)


def cv_build_options(wildcards):
    """Explicit overrides (last_updated, fold_before) as CLI options; a change reruns `cv`."""
    return " ".join(build_options(CV))


def cv_targets():
    return [f"results/cv/cv.{ext}" for ext in ("md", "html", "typ", "pdf")]


TARGET_FUNCTIONS.append(cv_targets)
