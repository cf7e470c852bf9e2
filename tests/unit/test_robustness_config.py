"""The robustness config: schema defaults and errors, cross references, sweep planning."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest

from advgen.config import CONFIG_SCHEMA, load_yaml, validate_config
from advgen.errors import ConfigError
from advgen.replicates import expand_replicates
from advgen.robustness import plan
from advgen.seed_base import apply_seed_base

REPO = Path(__file__).resolve().parents[2]
SCHEMA = CONFIG_SCHEMA


def tiny() -> dict:
    return load_yaml(REPO / ".test" / "config" / "robustness.yaml")


def validated(config: dict) -> dict:
    validate_config(config, SCHEMA, source="test.yaml")
    apply_seed_base(config, "test.yaml")  # as the config check does: config/config.yaml's seed_base
    expand_replicates(config, "test.yaml")  # as the config check does: `replicates: 3` -> <entry>_seed<k>
    plan.of(config, "test.yaml").check_references()
    return config


def pairs_of(config: dict) -> list[dict]:
    """The robust-features runs of ``config`` (:meth:`RobustnessConfig.robust_features_pairs`) as dicts."""
    return [dataclasses.asdict(p) for p in plan.of(config, "test.yaml").robust_features_pairs()]


def test_default_and_test_configs_are_valid() -> None:
    for path in (REPO / "config" / "config.yaml", REPO / ".test" / "config" / "robustness.yaml"):
        validated(load_yaml(path))


def test_defaults_come_from_the_papers() -> None:
    config = validated(tiny())
    cnn = config["classifiers"]["tiny_fc"]
    assert cnn["mode"] == "standard" and cnn["fgsm_alpha"] == 0.5 and cnn["pgd_step_factor"] == 2.5
    attacks = config["robustness"]["attacks"]
    assert attacks["pgd"]["params"] == {
        "steps": 3,
        "alpha": None,
        "norm": "linf",
        "random_start": True,
        "restarts": 1,
    }
    assert attacks["deepfool"]["params"] == {"steps": 50, "overshoot": 0.02, "num_candidates": 10}
    assert attacks["fgsm"]["params"] == {}
    assert attacks["spatial"]["params"]["max_rotation"] == 30.0
    assert config["robustness"]["capacity"]["eps"] == 0.2


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda c: c["classifiers"]["tiny_fc"].update(arch="resnet"), "classifiers.tiny_fc.arch"),
        (
            lambda c: c["classifiers"]["tiny_fc"].update(train_subset="half_c"),
            "classifiers.tiny_fc.train_subset",
        ),
        (lambda c: c["robustness"]["attacks"]["pgd"]["params"].update(step=3), "unknown key 'step'"),
        (lambda c: c["robustness"]["attacks"]["fgsm"].update(params={"steps": 3}), "unknown key 'steps'"),
        (
            lambda c: c["robustness"]["attacks"]["fgsm"].update(classifiers=["nope"]),
            "robustness.attacks.fgsm.classifiers: unknown classifier 'nope'",
        ),
        (
            lambda c: c["robustness"]["transfer"].update(attacks=["deepfool"]),
            "is not a transferable attack",
        ),
        (
            lambda c: c["robustness"]["capacity"].update(attack="cw"),
            "robustness.capacity.attack: unknown attack 'cw'",
        ),
        (
            lambda c: c["classifiers"]["tiny_fc"].update(dataset="mnist"),
            "classifiers.tiny_fc.dataset: unknown dataset",
        ),
    ],
)
def test_bad_config_names_the_key(mutate, message: str) -> None:
    config = tiny()
    mutate(config)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        validated(config)


def test_sweep_points_reuse_names_of_identical_specs() -> None:
    config = validated(tiny())
    cap = plan.of(config, "test.yaml").sweep_points("capacity")
    assert [p.classifier for p in cap] == ["tiny_cnn_pgd", "tiny_cnn_pgd_pgd_w0p5"]
    config["robustness"]["data_size"]["modes"] = ["standard", "pgd"]
    data = plan.of(config, "test.yaml").sweep_points("data_size")
    names = [p.classifier for p in data]
    assert names == [
        "tiny_cnn_pgd_standard_f0p5",
        "tiny_cnn_pgd_standard_f1",
        "tiny_cnn_pgd_pgd_f0p5",
        "tiny_cnn_pgd",
    ]
    everything = plan.of(config, "test.yaml").all_classifiers()
    assert everything["tiny_cnn_pgd_pgd_w0p5"].width == 0.5
    assert everything["tiny_cnn_pgd_standard_f0p5"].mode == "standard"
    assert set(config["classifiers"]) < set(everything)


def test_sweep_points_reuse_a_classifier_of_the_same_job_spec() -> None:
    """Points are compared as typed specs (the train_classifier job's): a configured classifier
    that names the config's seed itself is the same model as a point, and a point carries its
    base's spec with only the swept fields replaced."""
    config = tiny()
    config["classifiers"]["wide"] = dict(
        config["classifiers"]["tiny_cnn_pgd"], width=0.5, seed=config["seed"]
    )
    config = validated(config)
    robustness = plan.of(config, "test.yaml")
    cap = robustness.sweep_points("capacity")
    assert [p.classifier for p in cap] == ["tiny_cnn_pgd", "wide"]
    assert "tiny_cnn_pgd_pgd_w0p5" not in robustness.all_classifiers()
    base = robustness.classifiers["tiny_cnn_pgd"]
    assert cap[1].spec == dataclasses.replace(base, width=0.5) == robustness.classifiers["wide"]


def test_generated_name_clash_is_an_error() -> None:
    config = validated(tiny())
    config["classifiers"]["tiny_cnn_pgd_pgd_w0p5"] = copy.deepcopy(config["classifiers"]["tiny_fc"])
    with pytest.raises(ConfigError, match="tiny_cnn_pgd_pgd_w0p5"):
        plan.of(config, "test.yaml").all_classifiers()


def test_attack_jobs_and_minimal_attacks() -> None:
    config = validated(tiny())
    jobs = plan.of(config, "test.yaml").attack_jobs()
    assert ("tiny_fc", "lbfgs") in jobs and ("tiny_cnn_pgd", "pgd") in jobs and len(jobs) == 10
    assert ("tiny_fc", "apgd") in jobs and ("tiny_fc", "square") in jobs
    assert plan.of(config, "test.yaml").minimal_attacks() == ["deepfool", "lbfgs"]


def test_named_data_size_sweeps_expand_into_their_own_sweep() -> None:
    """robustness.data_size_sweeps.<name> runs as the sweep data_size_<name> (Schmidt et al.'s
    second data set): its own classifiers, its own table, the same gap columns."""
    config = tiny()
    config["classifiers"]["tiny_fc_pgd"] = dict(config["classifiers"]["tiny_fc"], mode="pgd")
    config["robustness"]["data_size_sweeps"] = {
        "fc": {"classifier": "tiny_fc_pgd", "attack": "pgd", "fractions": [0.5, 1.0]}
    }
    config = validated(config)
    assert plan.of(config, "test.yaml").sweep_names() == ["capacity", "data_size", "data_size_fc"]
    assert plan.sweep_kind("data_size_fc") == "data_size" and plan.sweep_kind("capacity") == "capacity"
    with pytest.raises(ValueError, match="unknown robustness sweep"):
        plan.sweep_kind("data_size_")
    points = plan.of(config, "test.yaml").sweep_points("data_size_fc")
    # standard training on every example is tiny_fc's spec: that name is reused
    assert [p.classifier for p in points] == [
        "tiny_fc_pgd_standard_f0p5",
        "tiny_fc",
        "tiny_fc_pgd_pgd_f0p5",
        "tiny_fc_pgd",
    ]
    assert {(p.field, p.value) for p in points} == {("train_fraction", 0.5), ("train_fraction", 1.0)}
    assert "tiny_fc_pgd_pgd_f0p5" in plan.of(config, "test.yaml").all_classifiers()
    config["robustness"]["data_size_sweeps"]["fc"]["attack"] = "cw"
    with pytest.raises(ConfigError, match=r"robustness\.data_size_sweeps\.fc\.attack: unknown attack 'cw'"):
        plan.of(config, "test.yaml").check_references()


def run(entry: str, seed: int) -> str:
    """The name of ``entry``'s run of ``seed`` when its seeds start at 0 (advgen.replicates)."""
    return entry if seed == 0 else f"{entry}_seed{seed}"


def test_sweeps_follow_the_seeds_of_a_replicated_base() -> None:
    """A replicated base classifier: every point on each run, named after the run (the first
    seed's run keeps the entry's name, so its points keep the single-run names), the points equal
    to a run reuse it, the data-size sweep reuses the capacity sweep's equal points seed by seed."""
    config = tiny()
    config["classifiers"]["tiny_cnn_pgd"]["replicates"] = 3
    config["robustness"]["capacity"]["modes"] = ["standard", "pgd"]
    config["robustness"]["capacity"]["widths"] = [0.25, 0.5]
    config["robustness"]["data_size"]["modes"] = ["standard", "pgd"]
    config = validated(config)
    assert plan.of(config, "test.yaml").base_runs("tiny_cnn_pgd_seed1") == [
        run("tiny_cnn_pgd", k) for k in range(3)
    ]
    cap = plan.of(config, "test.yaml").sweep_points("capacity")
    assert [(p.classifier, p.seed) for p in cap] == [
        (name, k)
        for k in range(3)
        for name in (
            f"{run('tiny_cnn_pgd', k)}_standard_w0p25",
            f"{run('tiny_cnn_pgd', k)}_standard_w0p5",
            run("tiny_cnn_pgd", k),  # pgd at the base's width 0.25: the run itself
            f"{run('tiny_cnn_pgd', k)}_pgd_w0p5",
        )
    ]
    assert all(p.spec.seed == p.seed for p in cap)
    configured = plan.of(config, "test.yaml").classifiers
    assert cap[2].spec == configured["tiny_cnn_pgd"]  # the run's own spec: the same run
    assert dataclasses.replace(cap[1].spec, mode="pgd", width=0.25) == configured["tiny_cnn_pgd"]
    data = plan.of(config, "test.yaml").sweep_points("data_size")
    assert [p.classifier for p in data if p.seed == 2] == [
        "tiny_cnn_pgd_seed2_standard_f0p5",
        "tiny_cnn_pgd_seed2_standard_w0p25",  # standard, width 0.25, every example: the capacity point
        "tiny_cnn_pgd_seed2_pgd_f0p5",
        "tiny_cnn_pgd_seed2",
    ]
    everything = plan.of(config, "test.yaml").all_classifiers()
    # three runs of the base, and per seed 3 capacity + 2 data-size points of their own
    assert len(everything) - len(config["classifiers"]) == 3 * (3 + 2)


def test_an_unreplicated_base_keeps_one_run_and_its_names() -> None:
    config = validated(tiny())
    assert plan.of(config, "test.yaml").base_runs("tiny_cnn_pgd") == ["tiny_cnn_pgd"]
    cap = plan.of(config, "test.yaml").sweep_points("capacity")
    assert [(p.classifier, p.seed) for p in cap] == [("tiny_cnn_pgd", 0), ("tiny_cnn_pgd_pgd_w0p5", 0)]
    config["seed"] = 4
    assert {p.seed for p in plan.of(config, "test.yaml").sweep_points("capacity")} == {4}  # the config's seed


def features(config: dict, **keys) -> dict:
    config["robustness"]["robust_features"] = {
        "robust_classifier": "tiny_cnn_pgd",
        "standard_classifier": "tiny_fc",
        "classifier": "tiny_fc",
        "attack": "pgd",
        **keys,
    }
    return config


def test_robust_features_run_once_per_seed_pair() -> None:
    config = features(tiny())
    config["classifiers"]["tiny_cnn_pgd"]["seeds"] = [0, 1, 2]
    config["classifiers"]["tiny_fc"]["replicates"] = 3
    config = validated(config)
    assert pairs_of(config) == [
        {
            "seed": k,
            "robust_classifier": run("tiny_cnn_pgd", k),
            "standard_classifier": run("tiny_fc", k),
            "classifier": run("tiny_fc", k),
        }
        for k in range(3)
    ]
    # a classifier with one run serves every seed
    config = features(tiny(), classifier="tiny_fc_half_a")
    config["classifiers"]["tiny_cnn_pgd"]["replicates"] = 2
    pairs = pairs_of(validated(config))
    assert [(p["seed"], p["robust_classifier"], p["classifier"]) for p in pairs] == [
        (0, "tiny_cnn_pgd", "tiny_fc_half_a"),
        (1, "tiny_cnn_pgd_seed1", "tiny_fc_half_a"),
    ]
    # none replicated: one run, seeded by the config (as the single job always was)
    config = features(tiny())
    config["seed"] = 3
    assert pairs_of(validated(config)) == [
        {
            "seed": 3,
            "robust_classifier": "tiny_cnn_pgd",
            "standard_classifier": "tiny_fc",
            "classifier": "tiny_fc",
        }
    ]


def test_robust_features_classifiers_need_the_same_seeds() -> None:
    config = features(tiny())
    config["classifiers"]["tiny_cnn_pgd"]["replicates"] = 3
    config["classifiers"]["tiny_fc"]["seeds"] = [0, 1, 5]
    with pytest.raises(
        ConfigError,
        match=r"^test.yaml: robustness.robust_features.standard_classifier: its runs have seeds \[0, 1, 5\], "
        r"those of robust_classifier \[0, 1, 2\]",
    ):
        validated(config)
