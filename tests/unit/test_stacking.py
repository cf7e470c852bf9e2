"""Stacked seeds in the workflow's plan: where the study stacks, which entries, the kinds' jobs,
their wildcard constraints and specs, and the bundle a stacked job leaves (advgen.pipeline.stacking,
advgen.stacked_bundle)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from advgen.config import check_spec
from advgen.errors import CheckpointError, ConfigError
from advgen.jobfiles import Files
from advgen.pipeline.check import checked_pipeline
from advgen.pipeline.jobkind import Values
from advgen.pipeline.jobkinds import BY_NAME
from advgen.pipeline.stacking import BY_SECTION, FAMILIES, STACK_ENV, cuda_visible, decide, export_decision
from advgen.specs import typed_spec
from advgen.stacked_bundle import CollectSeedSpec, collect_seed_job, in_bundle, run_relative
from tests.conftest import REPO

CONFIG = REPO / ".test" / "config" / "replicates.yaml"
STACKED = {
    "gans": {"tiny_ns": ("tiny_ns", "tiny_ns_seed1")},
    "autoencoders": {"tiny_ae": ("tiny_ae", "tiny_ae_seed7")},
    "classifiers": {
        "tiny_clf": ("tiny_clf", "tiny_clf_seed2"),
        # the capacity sweep's width-0.5 point of both runs (width 1 is each run itself)
        "tiny_clf_standard_w0p5": ("tiny_clf_standard_w0p5", "tiny_clf_seed2_standard_w0p5"),
    },
}


def pipeline(tmp_path: Path, edit=None, **top):
    """The replicates config's plans with top-level keys ``top`` and ``edit(config)`` applied."""
    config = yaml.safe_load(CONFIG.read_text())
    config.update(top)
    if edit is not None:
        edit(config)
    path = tmp_path / "replicates.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return checked_pipeline([path], base=REPO)


@pytest.mark.parametrize(
    ("setting", "device", "env", "expected"),
    [
        ("always", "cpu", {}, True),
        ("never", "cuda", {}, False),
        ("auto", "cpu", {}, False),
        ("auto", "cuda", {}, True),
        ("auto", "auto", {"ADVGEN_DEVICE": "cuda"}, True),
        ("auto", "auto", {"ADVGEN_DEVICE": "cpu"}, False),
        ("auto", "cuda", {STACK_ENV: "0"}, False),  # the first parse's decision wins
        ("auto", "cpu", {STACK_ENV: "1"}, True),
        ("always", "cpu", {STACK_ENV: "0"}, True),  # a forced setting ignores it
    ],
)
def test_where_the_study_stacks(setting, device, env, expected):
    assert decide(setting, device, env) is expected


def test_auto_on_an_auto_device_looks_for_a_visible_gpu(tmp_path):
    gpus, dev = tmp_path / "gpus", tmp_path / "dev"
    gpus.mkdir()
    dev.mkdir()
    (dev / "nvidiactl").touch()  # the driver's control file alone is no GPU
    assert not cuda_visible({}, gpus, dev)  # the driver lists none
    (gpus / "0000:17:00.0").mkdir()
    assert cuda_visible({}, gpus, dev)
    assert not cuda_visible({"CUDA_VISIBLE_DEVICES": ""}, gpus, dev)
    assert not cuda_visible({"CUDA_VISIBLE_DEVICES": "-1"}, gpus, dev)
    assert cuda_visible({"CUDA_VISIBLE_DEVICES": "1"}, gpus, dev)
    assert not cuda_visible({}, tmp_path / "no_driver", dev)
    (dev / "nvidia0").touch()  # a container given a GPU, without the driver's /proc listing
    assert cuda_visible({}, tmp_path / "no_driver", dev)


def test_an_unknown_setting_is_refused():
    with pytest.raises(ConfigError, match="stack_seeds"):
        decide("sometimes", "cpu", {})


def test_the_first_decision_is_exported_and_kept():
    env: dict[str, str] = {}
    export_decision(True, env)
    export_decision(False, env)
    assert env == {STACK_ENV: "1"}


def test_a_cpu_study_keeps_one_job_per_seed(tmp_path):
    plan = pipeline(tmp_path)  # device: cpu
    assert not plan.stacking.on
    assert all(not plan.stacking.entries(f.section) for f in FAMILIES)
    for family in FAMILIES:
        assert BY_NAME[family.stacked].each(plan) == []
        assert BY_NAME[family.collect].each(plan) == []
        constraints = plan.jobs.wildcard_constraints(BY_NAME[family.per_seed])
        assert constraints == dict(
            BY_NAME[family.per_seed].wildcard_constraints
        )  # the rules stay as they were


def test_every_entry_of_two_runs_with_a_stacked_form_stacks(tmp_path):
    plan = pipeline(tmp_path, stack_seeds="always")
    assert plan.stacking.groups == STACKED  # tiny_plain has one run
    assert [v["gan"] for v in BY_NAME["train_gan"].each(plan)] == []
    assert [v["ae"] for v in BY_NAME["train_ae"].each(plan)] == []
    # the per-seed classifier job left: the single-run entry
    assert [v["classifier"] for v in BY_NAME["train_classifier"].each(plan)] == ["tiny_plain"]
    assert [v["classifier"] for v in BY_NAME["collect_classifier_seed"].each(plan)] == [
        "tiny_clf",
        "tiny_clf_seed2",
        "tiny_clf_seed2_standard_w0p5",
        "tiny_clf_standard_w0p5",
    ]
    assert BY_NAME["train_classifier_seeds"].each(plan) == [
        {"entry": "tiny_clf"},
        {"entry": "tiny_clf_standard_w0p5"},
    ]
    spec = BY_NAME["train_classifier_seeds"].spec(plan, Values(entry="tiny_clf_standard_w0p5"))
    assert (spec.seeds, spec.names) == ((1, 2), STACKED["classifiers"]["tiny_clf_standard_w0p5"])
    assert (spec.classifier.width, spec.classifier.mode) == (0.5, "standard")
    assert BY_NAME["train_gan_seeds"].each(plan) == [{"entry": "tiny_ns"}]
    # every run's outputs are still asked for, now of its collect job
    targets = plan.targets()
    for path in (
        "results/gans/tiny_ns_seed1/status.json",
        "results/classifiers/tiny_clf_seed2/history.parquet",
    ):
        assert path in targets


def test_what_has_no_stacked_form_keeps_its_per_seed_jobs(tmp_path):
    def edit(config):
        config["gans"]["tiny_ns"]["recipe"] = {"diffaugment": ["translation"], "spectral_norm": True}
        config["autoencoders"]["tiny_ae"]["speed"] = {"autocast": "bf16", "fused_adam": True}  # stacks
        config["classifiers"]["tiny_clf"]["mode"] = "pool"

    plan = pipeline(tmp_path, edit, stack_seeds="always")
    assert (
        not plan.stacking.entries("gans") and plan.stacking.entries("autoencoders") == STACKED["autoencoders"]
    )
    # the pool runs train one by one; the sweep's points, trained in standard mode (width 1
    # included, no longer the runs themselves), still stack
    assert sorted(plan.stacking.entries("classifiers")) == ["tiny_clf_standard_w0p5", "tiny_clf_standard_w1"]
    assert [v["gan"] for v in BY_NAME["train_gan"].each(plan)] == ["tiny_ns", "tiny_ns_seed1"]
    assert [v["classifier"] for v in BY_NAME["train_classifier"].each(plan)] == [
        "tiny_clf",
        "tiny_clf_seed2",
        "tiny_plain",
    ]


def test_sweep_points_stack_only_where_their_specs_differ_in_the_seed_alone(tmp_path):
    def pgd_and_more_widths(config):
        config["robustness"]["capacity"].update(widths=[0.5, 1.0, 2.0], modes=["standard", "pgd"])

    plan = pipeline(tmp_path, pgd_and_more_widths, stack_seeds="always")
    stacked = plan.stacking.entries("classifiers")
    # every (mode, width) but the runs themselves (standard, width 1): five groups of both seeds
    assert sorted(stacked) == [
        "tiny_clf",
        "tiny_clf_pgd_w0p5",
        "tiny_clf_pgd_w1",
        "tiny_clf_pgd_w2",
        "tiny_clf_standard_w0p5",
        "tiny_clf_standard_w2",
    ]
    assert all(len(runs) == 2 and runs[1].startswith("tiny_clf_seed2") for runs in stacked.values())

    def one_run(config):
        config["classifiers"]["tiny_clf"].pop("replicates", None)
        config["classifiers"]["tiny_clf"].pop("seeds", None)

    assert pipeline(tmp_path, one_run, stack_seeds="always").stacking.entries("classifiers") == {}


def test_the_speed_levers_and_spectral_norm_stack_and_r1_does_not(tmp_path):
    def fused(config):
        config["gans"]["tiny_ns"]["speed"] = {"fused_adam": True}

    def autocast(config):  # bfloat16 stacks under autocast's casts made explicit
        config["gans"]["tiny_ns"]["speed"] = {"autocast": "bf16", "channels_last": True}

    def spectral(config):
        config["gans"]["tiny_ns"]["recipe"] = {"spectral_norm": True}

    def r1(config):
        config["gans"]["tiny_ns"]["recipe"] = {"spectral_norm": True, "r1_gamma": 1.0}

    assert pipeline(tmp_path, fused, stack_seeds="always").stacking.entries("gans") == STACKED["gans"]
    assert pipeline(tmp_path, autocast, stack_seeds="always").stacking.entries("gans") == STACKED["gans"]
    # the default study's recipe (spectral norm) stacks; R1 changes D's loss per batch and does not
    assert pipeline(tmp_path, spectral, stack_seeds="always").stacking.entries("gans") == STACKED["gans"]
    assert pipeline(tmp_path, r1, stack_seeds="always").stacking.entries("gans") == {}


def _matches(constraint: str, template: str, wildcard: str, path: str) -> bool:
    """Whether ``path`` matches ``template`` with ``wildcard`` constrained (as Snakemake builds it)."""
    head, tail = template.split("{" + wildcard + "}")
    return re.fullmatch(re.escape(head) + f"(?P<w>{constraint})" + re.escape(tail), path) is not None


def test_each_run_has_exactly_one_rule_that_makes_it(tmp_path):
    plan = pipeline(tmp_path, stack_seeds="always")
    family = BY_SECTION["gans"]
    per_seed = plan.jobs.wildcard_constraints(BY_NAME[family.per_seed])["gan"]
    collect = plan.jobs.wildcard_constraints(BY_NAME[family.collect])["gan"]
    template = "results/gans/{gan}/checkpoint.pt"
    for run, stacked in [
        ("tiny_ns", True),
        ("tiny_ns_seed1", True),
        ("tiny_ns_seed10", False),
        ("tiny_nsx", False),
    ]:
        path = template.format(gan=run)
        assert _matches(collect, template, "gan", path) is stacked, run
        assert _matches(per_seed, template, "gan", path) is not stacked, run


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.section)
def test_the_stacked_jobs_specs_pass_their_schema_definitions(tmp_path, family):
    plan = pipeline(tmp_path, stack_seeds="always")
    for name in (family.stacked, family.collect):
        kind = BY_NAME[name]
        for values in kind.each(plan):
            raw = json.loads(plan.jobs.spec(kind, values))
            check_spec(kind.spec_type.__name__, raw)
            typed_spec(kind.spec_type, raw, "--spec")
    entry, runs = next(iter(STACKED[family.section].items()))
    spec = json.loads(plan.jobs.spec(BY_NAME[family.stacked], {"entry": entry}))
    assert spec.get("runs", spec.get("names")) == list(runs)
    assert len(spec["seeds"]) == 2 and spec["seeds"] == sorted(spec["seeds"])


def test_a_run_s_outputs_have_their_run_folder_s_layout_in_the_bundle(tmp_path):
    assert in_bundle("b", "tiny_ns_seed1", "results/gans/tiny_ns_seed1/samples") == Path(
        "b/tiny_ns_seed1/samples"
    )
    assert run_relative("results/classifiers/{classifier}/model.pt", "classifier") == Path("model.pt")
    with pytest.raises(ValueError, match="no folder named"):
        in_bundle("b", "tiny_ns", "results/gans/tiny_ns_seed1/status.json")


def test_collect_copies_files_and_folders_and_refuses_a_missing_one(tmp_path):
    bundle = tmp_path / "bundle"
    (bundle / "r1" / "samples").mkdir(parents=True)
    (bundle / "r1" / "status.json").write_text("{}")
    (bundle / "r1" / "samples" / "epoch_001.png").write_bytes(b"png")
    out = tmp_path / "results" / "gans" / "r1"
    outputs = Files.of({"status": str(out / "status.json"), "samples": str(out / "samples")}, "--output")
    collect_seed_job(Files.of({"bundle": str(bundle)}), outputs, CollectSeedSpec(run="r1"))
    assert (out / "status.json").read_text() == "{}"
    assert (out / "samples" / "epoch_001.png").read_bytes() == b"png"
    assert not list(out.glob(".*"))  # no temporary copy left
    missing = Files.of({"checkpoint": str(out / "checkpoint.pt")}, "--output")
    with pytest.raises(CheckpointError, match="checkpoint.pt"):
        collect_seed_job(Files.of({"bundle": str(bundle)}), missing, CollectSeedSpec(run="r1"))
    assert not (out / "checkpoint.pt").exists()
