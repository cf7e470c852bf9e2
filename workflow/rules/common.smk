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
    validate_config(config, source=CONFIG_SOURCE)
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


# --- generative stage ---


def gan_spec(wildcards):
    return spec_json(with_seed(config["gans"][wildcards.gan]))


def gan_train_split(wildcards):
    return prepared(config["gans"][wildcards.gan]["dataset"], "train")


def ae_spec(wildcards):
    return spec_json(with_seed(config["autoencoders"][wildcards.ae]))


def ae_splits(wildcards):
    dataset = config["autoencoders"][wildcards.ae]["dataset"]
    return {"train": prepared(dataset, "train"), "test": prepared(dataset, "test")}


def quality_classifier(dataset):
    """The classifier scoring samples of `dataset` (None: that dataset is not scored)."""
    sq = section("sample_quality")
    if not sq:
        return None
    name = sq["classifier_by_dataset"].get(dataset, sq["classifier"])
    clf = section("classifiers").get(name) or {}
    return name if clf.get("dataset", dataset) == dataset else None


def quality_dataset(family, name):
    if family == "real":
        return name
    return config[family][name]["dataset"]


def sample_quality_spec(wildcards):
    return spec_json(with_seed(config["sample_quality"]))


def sample_quality_dataset(wildcards):
    return quality_dataset(wildcards.family, wildcards.name)


def sample_quality_classifier(wildcards):
    return quality_classifier(sample_quality_dataset(wildcards))


def sample_quality_inputs(wildcards):
    dataset = sample_quality_dataset(wildcards)
    inputs = {
        "classifier": f"results/classifiers/{quality_classifier(dataset)}/model.pt",
        "reference": prepared(dataset, "train"),
    }
    if wildcards.family == "gans":
        inputs["model"] = f"results/gans/{wildcards.name}/checkpoint.pt"
        inputs["info"] = f"results/gans/{wildcards.name}/status.json"
    elif wildcards.family == "autoencoders":
        inputs["model"] = f"results/autoencoders/{wildcards.name}/checkpoint.pt"
        inputs["info"] = f"results/autoencoders/{wildcards.name}/metrics.json"
    else:
        inputs["real"] = prepared(dataset, "test")
    return inputs


def sample_quality_source(wildcards):
    """The command's input options: --model/--info for a generator, --real for data."""
    inputs = sample_quality_inputs(wildcards)
    if "real" in inputs:
        return f"--real {inputs['real']}"
    return f"--model {inputs['model']} --info {inputs['info']}"


def sample_quality_rows(wildcards=None):
    """One row per scored GAN, autoencoder and (include_real) dataset."""
    rows, datasets = [], set()
    for family in ("gans", "autoencoders"):
        for name, exp in sorted(section(family).items()):
            if quality_classifier(exp["dataset"]):
                rows.append(f"results/sample_quality/{family}/{name}.parquet")
                datasets.add(exp["dataset"])
    if section("sample_quality").get("include_real"):
        rows += [f"results/sample_quality/real/{d}.parquet" for d in sorted(datasets)]
    return rows


def generative_targets():
    targets = expand("results/gans/{gan}/status.json", gan=sorted(section("gans")))
    targets += expand(
        "results/autoencoders/{ae}/metrics.json", ae=sorted(section("autoencoders"))
    )
    if sample_quality_rows():
        targets.append("results/sample_quality/summary.parquet")
    return targets


if section("sample_quality"):
    for _clf in {config["sample_quality"]["classifier"]} | set(
        config["sample_quality"]["classifier_by_dataset"].values()
    ):
        if _clf not in section("classifiers"):
            sys.exit(
                f"config error: {CONFIG_SOURCE}: sample_quality: unknown classifier "
                f"'{_clf}' (defined: {', '.join(sorted(section('classifiers'))) or 'none'})"
            )


TARGET_FUNCTIONS.append(generative_targets)


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


# --- sweeps stage ---
from advgen.sweeps.grid import POINT_PATTERN as SWEEP_POINT
from advgen.sweeps.grid import plan as gen_sweep_plan

try:
    GEN_SWEEP_PLAN = gen_sweep_plan(config, source=CONFIG_SOURCE)
except ConfigError as exc:
    sys.exit(f"config error: {exc}")


def gen_sweep_point(sweep, wildcards):
    return GEN_SWEEP_PLAN.get(sweep, wildcards.generator, wildcards.point)


def gen_sweep_inputs(sweep):
    """Input function of a sweep's point rule: generator, classifier, test images (+ masks)."""

    def inputs(wildcards):
        point = gen_sweep_point(sweep, wildcards)
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


def gen_sweep_spec(sweep):
    """Params function of a sweep's point rule: the point's full spec as sorted JSON."""

    def spec(wildcards):
        return spec_json(gen_sweep_point(sweep, wildcards).spec(config["device"]))

    spec.__name__ = f"{sweep}_spec"
    return spec


inversion_inputs = gen_sweep_inputs("inversion")
inversion_spec = gen_sweep_spec("inversion")
inpainting_inputs = gen_sweep_inputs("inpainting")
inpainting_spec = gen_sweep_spec("inpainting")
interpolation_inputs = gen_sweep_inputs("interpolation")
interpolation_spec = gen_sweep_spec("interpolation")
truncation_inputs = gen_sweep_inputs("truncation")
truncation_spec = gen_sweep_spec("truncation")


GEN_SWEEP_MASKS = GEN_SWEEP_PLAN.masks()


def gen_sweep_mask_spec(wildcards):
    path = f"results/sweeps/masks/{wildcards.dataset}/{wildcards.mask_id}.pt"
    if path not in GEN_SWEEP_MASKS:
        raise ValueError(f"{path}: no inpainting point of the config uses it")
    return spec_json(GEN_SWEEP_MASKS[path])


# The table of each point that the sweep's aggregate concatenates.
GEN_SWEEP_TABLES = {
    "inversion": "results/sweeps/inversion/{generator}/{point}/final.parquet",
    "inpainting": "results/sweeps/inpainting/{generator}/{point}/table.parquet",
    "interpolation": "results/sweeps/interpolation/{generator}/{point}/paths.parquet",
    "truncation": "results/sweeps/truncation/{generator}/{point}/table.parquet",
}


def gen_sweep_tables(wildcards):
    return [
        GEN_SWEEP_TABLES[wildcards.sweep].format(generator=p.generator, point=p.point)
        for p in GEN_SWEEP_PLAN.points(wildcards.sweep)
    ]


def sweeps_targets():
    return expand("results/sweeps/{sweep}.parquet", sweep=GEN_SWEEP_PLAN.sweeps())


TARGET_FUNCTIONS.append(sweeps_targets)


# --- plots stage ---
# Figures (results/figures/) and Markdown tables (results/tables/) of every stage whose
# experiments the config defines. Each plot rule's spec is the `plots` section plus what
# the figure names (title, run labels): editing either reruns only the figure rules.
from advgen.robustness import plan as _robustness_plan

PLOTS = config["plots"]


def figure_vectors(stem):
    """The vector copies of a figure (plots.vector_formats); the PNG is declared with report()."""
    return [f"{stem}.{ext}" for ext in PLOTS["vector_formats"]]


def plot_options(**extra):
    return spec_json({**PLOTS, **extra})


def gan_plot_spec(wildcards):
    gan = config["gans"][wildcards.gan]
    return plot_options(
        experiment=f"{wildcards.gan}: {gan['loss']} loss, unroll_k={gan['unroll_k']}",
        vanishing_threshold=gan["vanishing_threshold"],
        vanishing_patience=gan["vanishing_patience"],
    )


def gans_of(dataset):
    return sorted(n for n, g in section("gans").items() if g["dataset"] == dataset)


def gan_comparison_losses(wildcards):
    return [
        f"results/gans/{name}/losses.parquet" for name in gans_of(wildcards.dataset)
    ]


def gan_comparison_spec(wildcards):
    names = gans_of(wildcards.dataset)
    info = {n: {k: config["gans"][n][k] for k in ("loss", "unroll_k")} for n in names}
    return plot_options(
        experiment=f"GANs on {wildcards.dataset}", labels=names, info=info
    )


def scored_gans():
    """GANs with a sample-quality row (their dataset has a quality classifier)."""
    return [
        n
        for n, g in sorted(section("gans").items())
        if section("sample_quality") and quality_classifier(g["dataset"])
    ]


def gan_mode_coverage_spec(wildcards):
    info = {
        n: {k: config["gans"][n][k] for k in ("loss", "unroll_k")}
        for n in scored_gans()
    }
    return plot_options(experiment="GANs scored by the classifier", info=info)


def ae_plot_spec(wildcards):
    ae = config["autoencoders"][wildcards.ae]
    forcing = "latent moment forcing" if ae["latent_forcing"] else "plain MSE"
    return plot_options(experiment=f"{wildcards.ae}: {forcing}")


def sweep_point_plot_spec(wildcards):
    return plot_options(experiment=f"{wildcards.generator}, point {wildcards.point}")


def sweep_plot_spec(wildcards):
    return plot_options(
        experiment=f"sweeps on {', '.join(sorted(section('datasets')))}"
    )


def robustness_plot_spec(wildcards):
    return plot_options(
        experiment=f"classifiers on {', '.join(sorted(section('datasets')))}",
        sweep=getattr(wildcards, "robustness_sweep", None),
    )


def has_minimal_attacks():
    return bool(_robustness_plan.minimal_attacks(config))


def plots_targets():
    figures = []
    for gan in sorted(section("gans")):
        figures += [
            f"results/figures/gans/{gan}/{f}.png"
            for f in ("losses", "grad_norms", "samples")
        ]
    figures += expand(
        "results/figures/gans/loss_comparison_{dataset}.png",
        dataset=sorted({g["dataset"] for g in section("gans").values()}),
    )
    if scored_gans():
        figures.append("results/figures/gans/mode_coverage.png")
    for ae in sorted(section("autoencoders")):
        figures += [
            f"results/figures/autoencoders/{ae}/{f}.png"
            for f in ("losses", "latent_cdf", "samples")
        ]
    if sample_quality_rows():
        figures.append("results/tables/sample_quality.md")
    sweeps = GEN_SWEEP_PLAN.sweeps()
    for sweep in ("inversion", "interpolation"):
        for p in GEN_SWEEP_PLAN.points(sweep) if sweep in sweeps else []:
            figures.append(
                f"results/figures/sweeps/{sweep}/{p.generator}/{p.point}.png"
            )
    for sweep, figure in (
        ("inversion", "inversion_summary"),
        ("inpainting", "inpainting"),
        ("truncation", "truncation"),
    ):
        if sweep in sweeps:
            figures.append(f"results/figures/sweeps/{figure}.png")
    rob = section("robustness")
    if _robustness_plan.attack_jobs(config):
        figures += [
            "results/figures/robustness/accuracy_vs_eps.png",
            "results/tables/robustness.md",
        ]
        if has_minimal_attacks():
            figures.append("results/figures/robustness/minimal_perturbation.png")
    if rob.get("transfer"):
        figures.append("results/figures/robustness/transfer.png")
    for sweep in ("capacity", "data_size"):
        if rob.get(sweep):
            figures.append(f"results/figures/robustness/sweep_{sweep}.png")
    return figures


TARGET_FUNCTIONS.append(plots_targets)


# --- defense stage ---
# Defense-GAN purification under grey-box and adaptive attacks, and linear probes on
# frozen discriminator features (advgen.defense.plan expands the `defense` section).
from advgen.defense import plan as defense_plan

try:
    defense_plan.check_references(config, CONFIG_SOURCE)
except ConfigError as exc:
    sys.exit(f"config error: {exc}")

DEFENSE_POINT = defense_plan.POINT_PATTERN
DEFENSE_PURIFY = {(p.purifier, p.point): p for p in defense_plan.purify_points(config)}
DEFENSE_PROBES = defense_plan.probe_sources(config)


def generator_checkpoint(name):
    """A GAN's or an autoencoder's checkpoint, for other stages' inputs."""
    family = "gans" if name in section("gans") else "autoencoders"
    return f"results/{family}/{name}/checkpoint.pt"


def purify_job(wildcards):
    key = (wildcards.purifier, wildcards.point)
    if key not in DEFENSE_PURIFY:
        raise ValueError(f"defense.purify: no job {key[0]}/{key[1]} in the config")
    return DEFENSE_PURIFY[key].spec


def purify_inputs(wildcards):
    spec = purify_job(wildcards)
    inputs = {
        "classifier": classifier_model(spec["classifier"]),
        "images": prepared(spec["dataset"], "test"),
    }
    if spec["generator"]:
        inputs["generator"] = generator_checkpoint(spec["generator"])
    return inputs


def purify_generator_option(wildcards):
    spec = purify_job(wildcards)
    return (
        f"--generator {generator_checkpoint(spec['generator'])}"
        if spec["generator"]
        else ""
    )


def purify_spec(wildcards):
    return spec_json(dict(purify_job(wildcards), device=config["device"]))


def probe_inputs(wildcards):
    spec = defense_plan.probe_spec(config, wildcards.family, wildcards.source)
    if wildcards.family == "classifier":
        model = classifier_model(wildcards.source)
    else:
        model = generator_checkpoint(wildcards.source)
    return {
        "model": model,
        "train": prepared(spec["dataset"], "train"),
        "test": prepared(spec["dataset"], "test"),
    }


def probe_spec(wildcards):
    spec = defense_plan.probe_spec(config, wildcards.family, wildcards.source)
    return spec_json(dict(spec, device=config["device"]))


def flip_inputs(wildcards):
    spec = defense_plan.flip_spec(config, wildcards.gan)
    return {
        "gan": generator_checkpoint(wildcards.gan),
        "images": prepared(spec["dataset"], "test"),
    }


def flip_spec(wildcards):
    spec = defense_plan.flip_spec(config, wildcards.gan)
    return spec_json(dict(spec, device=config["device"]))


def defense_tables(wildcards):
    """The per-job tables that results/defense/{table}.parquet concatenates."""
    if wildcards.table == "purify":
        return [f"results/defense/purify/{p}/{pt}.parquet" for p, pt in DEFENSE_PURIFY]
    return [f"results/defense/probe/{f}/{s}.parquet" for f, s in DEFENSE_PROBES]


def flip_tables(wildcards):
    gans = section("defense")["probe"]["gans"]
    return [f"results/defense/flip/{gan}.parquet" for gan in gans]


def defense_plot_spec(wildcards):
    datasets = sorted({p.spec["dataset"] for p in DEFENSE_PURIFY.values()})
    purify = section("defense").get("purify") or {}
    return plot_options(
        experiment=f"defenses on {', '.join(datasets) or 'no dataset'}",
        classifier=purify.get("classifier"),
    )


def probe_plot_spec(wildcards):
    probe = section("defense")["probe"]
    return plot_options(
        experiment=f"probes on {config['gans'][probe['gans'][0]]['dataset']}",
    )


def defense_targets():
    targets = []
    if DEFENSE_PURIFY:
        targets += [
            "results/defense/purify.parquet",
            "results/figures/defense/purify_eps.png",
            "results/figures/defense/purify_cost.png",
        ]
    if DEFENSE_PROBES:
        targets += [
            "results/defense/probe.parquet",
            "results/defense/flip.parquet",
            "results/figures/defense/probe.png",
            "results/figures/defense/flip.png",
        ]
    return targets


TARGET_FUNCTIONS.append(defense_targets)
