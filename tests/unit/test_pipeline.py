"""The pipeline layer (advgen.pipeline): plans from a validated config, paths spelled once,
every report entry captioned, figure names readable and unique."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from advgen import paths
from advgen.config import SCHEMA_DIR, validate_config
from advgen.errors import ConfigError
from advgen.pipeline import build
from advgen.pipeline.figure_kinds import draws_figures
from advgen.pipeline.jobkind import Output
from advgen.pipeline.jobkinds import BY_NAME
from advgen.pipeline.robustness import SWEEP_PATTERN
from advgen.replicates import expand_replicates
from advgen.robustness.masking_spec import MaskingSettings
from advgen.robustness.tables import MASKING_CHECK_SETTINGS, MASKING_CHECKS
from advgen.specs import spec_dict

REPO = Path(__file__).resolve().parents[2]


def config(name: str) -> dict:
    data = yaml.safe_load((REPO / ".test/config" / f"{name}.yaml").read_text())
    return validate_config(data, SCHEMA_DIR / "config.schema.yaml")


def spec_of(pipe, kind: str, **values) -> dict:
    """The params.spec of one job of job kind ``kind`` (its generated rule's), parsed."""
    return json.loads(pipe.jobs.spec_function(BY_NAME[kind])(SimpleNamespace(**values)))


def inputs_of(pipe, kind: str, **values) -> dict[str, list[str]]:
    """The named inputs of one job of job kind ``kind``."""
    return pipe.jobs.input_function(BY_NAME[kind])(SimpleNamespace(**values))


def captioned() -> dict[str, object]:
    """Every caption (its file's stem) -> the job kind it is of: a figure family's is its name's
    (``plot_<family>``), a stage job's its report entry's."""
    out: dict[str, object] = {k.name.removeprefix("plot_"): k for k in BY_NAME.values() if draws_figures(k)}
    for kind in BY_NAME.values():
        for value in kind.outputs.values():
            if isinstance(value, Output) and value.report is not None:
                out[Path(value.report["caption"]).stem] = kind
    return out


def test_every_report_entry_has_a_caption_and_every_caption_an_entry():
    non_figures = {"workflow", "claims", "provenance"}  # the landing page, two pages of their own
    captions = {p.stem for p in (REPO / "workflow/report").glob("*.rst")} - non_figures
    kinds = captioned()
    assert set(kinds) - non_figures == captions
    for family, kind in kinds.items():
        caption = (REPO / "workflow/report" / f"{family}.rst").read_text()
        used = set(re.findall(r"snakemake\.wildcards\.(\w+)", caption))
        assert used <= set(kind.wildcards), (family, used)  # else it renders empty


def test_no_path_template_outside_paths_module():
    """Rules and plans take every results/ path from advgen.paths."""
    quoted = re.compile(r"""["'](results|logs|resources)/""")
    files = [
        *REPO.glob("workflow/rules/*.smk"),
        REPO / "Snakefile",
        *REPO.glob("src/advgen/pipeline/*.py"),
        REPO / "src/advgen/sweeps/grid.py",
        REPO / "src/advgen/robustness/plan.py",
        REPO / "src/advgen/defense/plan.py",
    ]
    offenders = [
        f"{path.relative_to(REPO)}:{n}"
        for path in files
        if path.name != "paths.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if quoted.search(line)
    ]
    assert offenders == []


def test_sweep_figures_are_named_by_their_grid_axes():
    pipe = build(config("sweeps"))
    targets = [t for t in pipe.targets() if t.startswith("results/figures/sweeps/inversion/")]
    assert "results/figures/sweeps/inversion/tiny_gan/init-random_restarts-5.png" in targets
    assert "results/figures/sweeps/inversion/tiny_ae/init-encoder_restarts-1.png" in targets
    assert len(targets) == len(set(targets)) == 6
    # each figure reads its point's job table (spec: point)
    figures = pipe.jobs.outputs(BY_NAME["plot_inversion_restarts"])["figures"]
    i = figures.index("results/figures/sweeps/inversion/tiny_gan/init-random_restarts-5.png")
    assert inputs_of(pipe, "plot_inversion_restarts")[f"figure{i + 1}"] == [
        "results/sweeps/inversion/tiny_gan/init-random_restarts-5/steps.parquet"
    ]
    assert spec_of(pipe, "plot_inversion_restarts")["figures"][i]["point"] == "init-random_restarts-5"


def test_a_sweep_job_is_one_grid_point_and_the_aggregate_reads_them_in_config_order():
    pipe = build(config("sweeps"))
    spec = spec_of(pipe, "invert", generator="tiny_ae", point="init-encoder_restarts-5")
    assert spec["point"] == "init-encoder_restarts-5" and spec["sweep"] == "inversion"
    assert spec["generator"] == "tiny_ae" and spec["restarts"] == 5
    assert inputs_of(pipe, "truncation", generator="tiny_gan", point="psi-0.5") == {
        "generator": ["results/gans/tiny_gan/checkpoint.pt"],
        "classifier": ["results/classifiers/tiny_cnn/model.pt"],
        "images": ["results/data/digits/train.pt"],
    }
    with pytest.raises(ConfigError, match="no job 'generator=tiny_gan, point=psi-0.75'"):
        spec_of(pipe, "truncation", generator="tiny_gan", point="psi-0.75")
    # generators as listed, each with its points in grid order: the rows of the one-job-per-generator tables
    assert inputs_of(pipe, "aggregate_sweep", sweep="inversion")["tables"] == [
        f"results/sweeps/inversion/{g}/{label}/final.parquet"
        for g, labels in (
            ("tiny_gan", ("init-random_restarts-1", "init-random_restarts-5")),
            (
                "tiny_ae",
                (
                    "init-random_restarts-1",
                    "init-random_restarts-5",
                    "init-encoder_restarts-1",
                    "init-encoder_restarts-5",
                ),
            ),
        )
        for label in labels
    ]


def test_targets_follow_the_config():
    targets = set(build(config("plots")).targets())
    assert {
        paths.ATTACKS,
        paths.SAMPLE_QUALITY_SUMMARY,
        "results/figures/gans/mode_coverage.png",
        "results/figures/robustness/minimal_perturbation.png",
        "results/tables/robustness.md",
    } <= targets
    assert not any(
        t.startswith(("results/sweeps", "results/defense", "results/figures/defense")) for t in targets
    )
    defense = set(build(config("defense")).targets())
    assert {
        "results/defense/purify.parquet",
        "results/figures/defense/purify_cost.png",
        paths.FLIP_SUMMARY,
    } <= defense


def test_job_specs_are_complete_sorted_json():
    pipe = build(config("robustness"))
    entries = config("robustness")["robustness"]["attacks"]
    # one attack on one classifier: its own entry only, without the classifiers key
    spec = spec_of(pipe, "attack", classifier="tiny_fc", attack="pgd")
    entry = {k: v for k, v in entries["pgd"].items() if k != "classifiers"}
    assert spec == {
        "name": "pgd",
        "classifier": "tiny_fc",
        "attack": {k: v for k, v in entry.items() if v is not None},  # an optional null is left out
        "eval": {"max_examples": 30, "batch_size": 16},
        "device": "cpu",
    }
    with pytest.raises(ConfigError, match="no job 'classifier=tiny_cnn_pgd, attack=lbfgs'"):
        spec_of(pipe, "attack", classifier="tiny_cnn_pgd", attack="lbfgs")
    inputs = inputs_of(pipe, "attack", classifier="tiny_fc", attack="pgd")
    assert inputs == {
        "model": ["results/classifiers/tiny_fc/model.pt"],
        "test": ["results/data/tiny/test.pt"],
    }


def test_attack_table_reads_one_curve_per_classifier_and_attack():
    """classifiers sorted, each one's attacks in config order: the order of today's per-classifier
    tables, which attack_table still writes (one per attacked classifier)."""
    pipe = build(config("robustness"))
    entries = config("robustness")["robustness"]["attacks"]
    curves = inputs_of(pipe, "attack_table")["curves"]
    expected = [
        f"results/robustness/attacks/{c}/{a}.parquet"
        for c in ("tiny_cnn_pgd", "tiny_fc")
        for a in entries
        if c in entries[a]["classifiers"]
    ]
    assert curves == expected and len(curves) == len(pipe.robustness.attack_jobs) == 10
    assert pipe.jobs.outputs(BY_NAME["attack_table"])["classifiers"] == [
        "results/robustness/attacks/tiny_cnn_pgd.parquet",
        "results/robustness/attacks/tiny_fc.parquet",
    ]
    assert spec_of(pipe, "attack_table") == {"classifiers": ["tiny_cnn_pgd", "tiny_fc"]}


def test_a_dangling_reference_is_one_config_error():
    data = config("generative")
    data["sample_quality"]["classifier"] = "nope"
    with pytest.raises(ConfigError, match=r"sample_quality: unknown classifier 'nope'"):
        build(data, source="c.yaml")


def with_masking(masking: dict, autoattack: bool = True) -> dict:
    data = yaml.safe_load((REPO / ".test/config/defense.yaml").read_text())
    rob = data.setdefault("robustness", {})
    if autoattack:
        rob["attacks"] = {
            "aa": {
                "attack": "AutoAttack",
                "eps": [0.0, 0.1],
                "classifiers": ["tiny_fc"],
                "params": {"n_iter": 2, "n_queries": 10},
            }
        }
    rob["masking"] = masking
    return validate_config(data, SCHEMA_DIR / "config.schema.yaml")


MASKING = BY_NAME["masking_checks"]


def masking_spec(pipe, wildcards) -> str:
    """The ``masking_checks`` job's params.spec (the declared job kind's)."""
    return pipe.jobs.spec_function(MASKING)(wildcards)


def masking_inputs(pipe, wildcards) -> dict[str, list[str]]:
    return pipe.jobs.input_function(MASKING)(wildcards)


def test_masking_jobs_per_autoattacked_classifier_and_purifier():
    pipe = build(with_masking({"checks": {"n_queries": 50, "max_examples": 10}}))
    assert sorted(pipe.robustness.masking) == [
        ("classifier", "tiny_fc"),
        ("purifier", "gan"),
        ("purifier", "recon"),
    ]
    assert {paths.MASKING, "results/tables/masking.md"} <= set(pipe.targets())
    clf = SimpleNamespace(family="classifier", name="tiny_fc", check="whitebox_vs_blackbox")
    spec = masking_spec(pipe, clf)
    assert '"blackbox":{"attack":"Square","params":{"n_queries":50}}' in spec and '"max_examples":10' in spec
    assert '"name":"tiny_fc"' in spec and '"check":"whitebox_vs_blackbox"' in spec
    assert sorted(masking_inputs(pipe, clf)) == ["model", "test"]
    gan = SimpleNamespace(family="purifier", name="gan", check="monotone_in_eps")
    assert '"gradient":"bpda"' in masking_spec(pipe, gan) and '"steps":4' in masking_spec(pipe, gan)
    assert masking_inputs(pipe, gan)["generator"] == ["results/gans/tiny_ns/checkpoint.pt"]
    assert '"gradient":"exact"' in masking_spec(
        pipe, SimpleNamespace(family="purifier", name="recon", check="zero_gradients")
    )
    # one table per (model, check): models in job order, each model's checks in MASKING_CHECKS order
    tables = inputs_of(pipe, "masking_table")["tables"]
    assert tables == [
        f"results/robustness/masking/{f}/{n}/{c}.parquet"
        for f, n in (("classifier", "tiny_fc"), ("purifier", "gan"), ("purifier", "recon"))
        for c in MASKING_CHECKS
    ]
    assert [MASKING.files(pipe, v)["table"][0] for v in MASKING.each(pipe)] == tables


def test_a_masking_check_job_carries_only_the_settings_its_check_reads():
    checks = {"eps": 0.2, "long_steps": 9, "long_restarts": 2, "n_queries": 50, "max_examples": 10}
    pipe = build(with_masking({"checks": checks, "purifiers": ["gan"]}))
    common = {"name", "check", "seed", "device", "gradient"}
    defaults = spec_dict(MaskingSettings())
    for family, name in (("classifier", "tiny_fc"), ("purifier", "gan")):
        model = pipe.robustness.masking[(family, name)]
        config_checks = model.checks.sizes()
        # max_examples where the model has a limit (None: the whole split, left out as optional)
        extra = ({"purifier"} if family == "purifier" else set()) | (
            {"max_examples"} if model.checks.max_examples is not None else set()
        )
        for check in MASKING_CHECKS:
            wildcards = SimpleNamespace(family=family, name=name, check=check)
            spec = json.loads(masking_spec(pipe, wildcards))
            blackbox = {"blackbox"} if check == "whitebox_vs_blackbox" else set()
            assert set(spec) == {"checks"} | common | extra | blackbox, (family, check)
            # the config's sizes a check reads (zero_tolerance is no config key; n_queries reaches
            # the black-box attack through the spec's blackbox); the others stay at their defaults
            read = set(MASKING_CHECK_SETTINGS[check]) - {"zero_tolerance", "n_queries"}
            assert spec["checks"] == {
                **defaults,
                **spec_dict(MaskingSettings(**{k: config_checks[k] for k in read})),
            }, (family, check)
            assert {k for k in read if spec["checks"][k] != defaults[k]} <= set(checks), (family, check)

    def check_spec(check: str) -> dict:
        wildcards = SimpleNamespace(family="classifier", name="tiny_fc", check=check)
        return json.loads(masking_spec(pipe, wildcards))

    assert check_spec("more_steps_restarts")["checks"]["long_steps"] == 9
    assert check_spec("iterative_vs_single_step")["checks"]["long_steps"] == defaults["long_steps"]
    assert check_spec("whitebox_vs_blackbox")["blackbox"] == {"attack": "Square", "params": {"n_queries": 50}}
    assert (
        check_spec("zero_gradients")["checks"] == defaults
        and check_spec("zero_gradients")["max_examples"] == 10
    )
    with pytest.raises(ConfigError, match="no job 'family=classifier, name=tiny_fc, check=nope'"):
        check_spec("nope")


def test_masking_references_are_one_config_error():
    with pytest.raises(ConfigError, match=r"robustness.masking.classifiers: unknown classifier 'nope'"):
        build(with_masking({"classifiers": ["nope"]}), source="c.yaml")
    with pytest.raises(ConfigError, match=r"robustness.masking.purifiers: unknown purifier 'nope'"):
        build(with_masking({"purifiers": ["nope"]}), source="c.yaml")
    assert build(with_masking({"purifiers": []}, autoattack=False)).robustness.masking == {}


def test_autoattack_entry_and_purify_budget_reach_the_specs():
    pipe = build(with_masking({"purifiers": []}))
    spec = pipe.jobs.spec_function(BY_NAME["attack"])(SimpleNamespace(classifier="tiny_fc", attack="aa"))
    assert '"attack":"AutoAttack"' in spec and '"n_iter":2' in spec and '"version":"standard"' in spec
    purify = pipe.jobs.spec_function(BY_NAME["purify"])(SimpleNamespace(purifier="gan", point="L4_R2"))
    # the tiny defense config's budget (.test/config/defense.yaml), defaults filled
    assert '"budget":{"eot_samples":2,"latent_lr":0.05,' in purify and '"restarts":1,' in purify
    assert '"steps":3,"unroll_restarts":1}' in purify


def test_claims_rule_reads_only_the_tables_the_dag_produces():
    """The claims page reads the run's tables; tables no job makes stay "not measured"."""
    pipe = build(config("robustness"))
    assert {paths.CLAIMS_HTML, paths.CLAIMS_MD, paths.CLAIMS_PARQUET, paths.CLAIMS_RST} <= set(pipe.targets())
    inputs = inputs_of(pipe, "claims")
    assert inputs["claims"] == ["config/claims.yaml"]
    assert paths.ATTACKS in inputs["tables"] and paths.TRANSFER in inputs["tables"]
    assert not any(t.startswith(("results/gans", "results/sweeps")) for t in inputs["tables"])
    assert set(inputs["tables"]) <= pipe.claims.produced_paths
    assert paths.GAN_LOSSES.format(gan="tiny_ns") in build(config("generative")).claims.produced_paths
    data = config("robustness")
    data["claims"] = None
    assert not any("claims" in t for t in build(data).targets())


ROBUST_FEATURES = BY_NAME["robust_features"]


def features_tables(pipe) -> list[str]:
    """The inputs of the robust-features table job: one table per seed pair, in seed order."""
    return pipe.jobs.input_function(BY_NAME["robust_features_table"])(SimpleNamespace())["tables"]


#: the robust-features section of the robustness config's tests: the tiny PGD and standard classifiers
ROBUST_FEATURES_SECTION = {
    "robust_classifier": "tiny_cnn_pgd",
    "standard_classifier": "tiny_fc",
    "classifier": "tiny_fc",
    "attack": "pgd",
}


def test_capacity_transfer_and_robust_features_jobs():
    data = config("robustness")
    rob = data["robustness"]
    rob["capacity"] = {
        "classifier": "tiny_cnn_pgd",
        "attack": "pgd",
        "eps": 0.2,
        "widths": [0.5, 1.0],
        "modes": ["standard", "pgd"],
        "transfer": {"attacks": ["pgd"]},
    }
    rob["robust_features"] = dict(ROBUST_FEATURES_SECTION)
    data = validate_config(data, SCHEMA_DIR / "config.schema.yaml")
    pipe = build(data)
    assert {paths.TRANSFER_CAPACITY, paths.ROBUST_FEATURES} <= set(pipe.targets())
    spec = spec_of(pipe, "transfer_capacity")
    assert len(spec["sources"]) == 4 and spec["sources"] == sorted(spec["sources"])
    assert spec["within"] == "seed"  # one matrix per seed of the base classifier
    source = spec_of(pipe, "transfer_capacity_source", source=spec["sources"][0])
    assert source["eps"] == 0.2 and set(source["attacks"]) == {"pgd"}
    assert source["targets"] == spec["sources"]  # one seed: every model is a target
    meta = spec["meta"]
    assert sorted({m["width"] for m in meta.values()}) == [0.5, 1.0]
    assert {m["seed"] for m in meta.values()} == {0}
    one = SimpleNamespace(seed="0")  # one run: the config's seed
    features = json.loads(pipe.jobs.spec_function(ROBUST_FEATURES)(one))
    assert features["classifier"]["arch"] == "fc100_100" and features["robust"] == {
        "steps": 1000,
        "step_size": 0.1,
    }
    assert features["seed"] == 0
    assert pipe.jobs.input_function(ROBUST_FEATURES)(one)["robust"] == [
        "results/classifiers/tiny_cnn_pgd/model.pt"
    ]
    assert features_tables(pipe) == ["results/robustness/robust_features/seed0.parquet"]
    with pytest.raises(ConfigError, match=r"robust_features: no job 'seed=1' .*defined: seed=0"):
        pipe.jobs.spec_function(ROBUST_FEATURES)(SimpleNamespace(seed="1"))
    rob["robust_features"]["attack"] = "nope"
    with pytest.raises(ConfigError, match=r"robustness.robust_features.attack: unknown attack 'nope'"):
        build(data, source="c.yaml")


def test_replicated_base_runs_the_sweeps_transfer_and_robust_features_per_seed():
    data = config("robustness")
    data["classifiers"]["tiny_cnn_pgd"]["replicates"] = 2
    data["classifiers"]["tiny_fc"]["replicates"] = 2
    rob = data["robustness"]
    rob["capacity"]["transfer"] = {"attacks": ["pgd"]}
    rob["robust_features"] = dict(ROBUST_FEATURES_SECTION)
    data = validate_config(data, SCHEMA_DIR / "config.schema.yaml")
    expand_replicates(data)  # as the config check does: <entry> (seed 0) and <entry>_seed1 runs
    pipe = build(data)
    spec = spec_of(pipe, "robustness_sweep", sweep="capacity")
    assert set(spec["points"]) == {
        "tiny_cnn_pgd",
        "tiny_cnn_pgd_pgd_w0p5",
        "tiny_cnn_pgd_seed1",
        "tiny_cnn_pgd_seed1_pgd_w0p5",
    }
    point_specs = {
        p: spec_of(pipe, "robustness_sweep_point", sweep="capacity", point=p) for p in spec["points"]
    }
    assert {k: p["classifier"]["seed"] for k, p in point_specs.items()} == {
        "tiny_cnn_pgd": 0,
        "tiny_cnn_pgd_pgd_w0p5": 0,
        "tiny_cnn_pgd_seed1": 1,
        "tiny_cnn_pgd_seed1_pgd_w0p5": 1,
    }
    point = "tiny_cnn_pgd_seed1_pgd_w0p5"
    model = inputs_of(pipe, "robustness_sweep_point", sweep="capacity", point=point)["model"]
    assert model == ["results/classifiers/tiny_cnn_pgd_seed1_pgd_w0p5/model.pt"]
    tables = inputs_of(pipe, "robustness_sweep", sweep="capacity")["tables"]
    assert tables[-1] == paths.fill(paths.ROBUSTNESS_SWEEP_POINT, sweep="capacity", point=point)
    # one training job per point and seed
    trained = set(pipe.robustness.classifiers)
    assert {"tiny_cnn_pgd_seed1_pgd_w0p5", "tiny_cnn_pgd_seed1_pgd_f0p5"} <= trained
    meta = spec_of(pipe, "transfer_capacity")["meta"]
    assert meta["tiny_cnn_pgd_seed1_pgd_w0p5"] == {"width": 0.5, "mode": "pgd", "seed": 1}
    # a source's targets are the models of its seed, and only those are its inputs
    seed1 = ["tiny_cnn_pgd_seed1", "tiny_cnn_pgd_seed1_pgd_w0p5"]
    assert spec_of(pipe, "transfer_capacity_source", source="tiny_cnn_pgd_seed1_pgd_w0p5")["targets"] == seed1
    assert inputs_of(pipe, "transfer_capacity_source", source="tiny_cnn_pgd_seed1")["models"] == [
        paths.fill(paths.CLASSIFIER_MODEL, classifier=name) for name in seed1
    ]
    assert features_tables(pipe) == [
        "results/robustness/robust_features/seed0.parquet",
        "results/robustness/robust_features/seed1.parquet",
    ]
    second = SimpleNamespace(seed="1")
    inputs = pipe.jobs.input_function(ROBUST_FEATURES)(second)
    assert inputs["robust"] == ["results/classifiers/tiny_cnn_pgd_seed1/model.pt"]
    assert inputs["standard"] == ["results/classifiers/tiny_fc_seed1/model.pt"]
    features = json.loads(pipe.jobs.spec_function(ROBUST_FEATURES)(second))
    assert features["seed"] == 1 and features["classifier"]["seed"] == 1
    assert paths.ROBUST_FEATURES in pipe.targets()


def test_inversion_sgd_points_take_sgd_lr():
    data = config("sweeps")
    data["sweeps"]["inversion"].update(optimizer=["adam", "sgd"], sgd_lr=30.0, lr=0.1)
    data = validate_config(data, SCHEMA_DIR / "config.schema.yaml")
    points = build(data).sweeps.points("inversion")
    lrs = {(p.params["optimizer"], p.params["lr"]) for p in points}
    assert lrs == {("adam", 0.1), ("sgd", 30.0)}
    assert all("sgd_lr" not in p.params for p in points)


def test_truncation_grid_per_generator_rows_in_psi_order():
    pipe = build(config("sweeps"))
    grids = sorted(t for t in pipe.targets() if t.startswith("results/figures/sweeps/truncation_grid/"))
    assert grids == [
        "results/figures/sweeps/truncation_grid/tiny_ae.png",
        "results/figures/sweeps/truncation_grid/tiny_gan.png",
    ]
    # one samples file per point's job, a grid row each, in psi order (no truncation last)
    assert inputs_of(pipe, "plot_truncation_grid")["figure2"] == [
        paths.TRUNCATION_SAMPLES.format(generator="tiny_gan", point=point) for point in ("psi-0.5", "default")
    ]
    assert spec_of(pipe, "plot_truncation_grid")["figures"][1]["experiment"].startswith("tiny_gan")


def test_named_data_size_sweep_gets_a_job_a_table_and_a_figure():
    data = config("robustness")
    data["classifiers"]["tiny_fc_pgd"] = dict(data["classifiers"]["tiny_fc"], mode="pgd")
    data["robustness"]["data_size_sweeps"] = {
        "fc": {"classifier": "tiny_fc_pgd", "attack": "pgd", "fractions": [0.5, 1.0], "eps": 0.1}
    }
    pipe = build(validate_config(data, SCHEMA_DIR / "config.schema.yaml"))
    targets = set(pipe.targets())
    assert {
        paths.ROBUSTNESS_SWEEP.format(sweep="data_size_fc"),
        "results/figures/robustness/sweep_data_size_fc.png",
    } <= targets
    assert re.fullmatch(SWEEP_PATTERN, "data_size_fc") and not re.fullmatch(SWEEP_PATTERN, "inversion")
    spec = spec_of(pipe, "robustness_sweep", sweep="data_size_fc")
    assert spec == {
        "sweep": "data_size_fc",
        "points": ["tiny_fc", "tiny_fc_pgd", "tiny_fc_pgd_pgd_f0p5", "tiny_fc_pgd_standard_f0p5"],
    }  # tiny_fc: the same spec, reused
    assert inputs_of(pipe, "robustness_sweep", sweep="data_size_fc")["tables"] == [
        paths.fill(paths.ROBUSTNESS_SWEEP_POINT, sweep="data_size_fc", point=p) for p in spec["points"]
    ]
    values = {"sweep": "data_size_fc", "point": "tiny_fc_pgd_standard_f0p5"}
    inputs = inputs_of(pipe, "robustness_sweep_point", **values)
    assert {"train", "test", "model"} == set(inputs)
    assert inputs["model"] == [paths.fill(paths.CLASSIFIER_MODEL, classifier="tiny_fc_pgd_standard_f0p5")]
    point = spec_of(pipe, "robustness_sweep_point", **values)
    assert point["eps"] == 0.1 and point["point"] == values["point"]
    assert point["classifier"]["train_fraction"] == 0.5 and point["classifier"]["mode"] == "standard"
    figures = pipe.jobs.outputs(BY_NAME["plot_robustness_sweep"])["figures"]
    figure = spec_of(pipe, "plot_robustness_sweep")["figures"][
        figures.index(f"{paths.FIGURES}/robustness/sweep_data_size_fc.png")
    ]
    assert figure["sweep"] == "data_size" and "data_size_fc" in figure["experiment"]


def test_train_max_examples_reaches_the_data_size_sweep_job_only_when_set():
    data = config("robustness")
    data["classifiers"]["tiny_fc_pgd"] = dict(data["classifiers"]["tiny_fc"], mode="pgd")
    sweep = {"classifier": "tiny_fc_pgd", "attack": "pgd", "fractions": [0.5, 1.0], "eps": 0.1}
    data["robustness"]["data_size_sweeps"] = {"fc": sweep, "capped": dict(sweep, train_max_examples=40)}
    pipe = build(validate_config(data, SCHEMA_DIR / "config.schema.yaml"))
    specs = {
        s: spec_of(pipe, "robustness_sweep_point", sweep=f"data_size_{s}", point="tiny_fc_pgd")
        for s in ("fc", "capped")
    }
    assert "train_max_examples" not in specs["fc"]
    assert specs["capped"]["train_max_examples"] == 40
