"""The robustness config: schema defaults and errors, cross references, sweep planning."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from advgen.config import CONFIG_SCHEMA, load_yaml, validate_config
from advgen.errors import ConfigError
from advgen.replicates import expand_replicates
from advgen.robustness import plan

REPO = Path(__file__).resolve().parents[2]
SCHEMA = CONFIG_SCHEMA


def tiny() -> dict:
    return load_yaml(REPO / ".test" / "config" / "robustness.yaml")


def validated(config: dict) -> dict:
    validate_config(config, SCHEMA, source="test.yaml")
    expand_replicates(config, "test.yaml")  # as the config check does: `replicates: 3` -> <entry>_seed<k>
    plan.check_references(config, "test.yaml")
    return config


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
            "not an FGSM, PGD or LBFGS attack",
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
    cap = plan.sweep_points(config, "capacity")
    assert [p["classifier"] for p in cap] == ["tiny_cnn_pgd", "tiny_cnn_pgd_pgd_w0p5"]
    config["robustness"]["data_size"]["modes"] = ["standard", "pgd"]
    data = plan.sweep_points(config, "data_size")
    names = [p["classifier"] for p in data]
    assert names == [
        "tiny_cnn_pgd_standard_f0p5",
        "tiny_cnn_pgd_standard_f1",
        "tiny_cnn_pgd_pgd_f0p5",
        "tiny_cnn_pgd",
    ]
    everything = plan.all_classifiers(config)
    assert everything["tiny_cnn_pgd_pgd_w0p5"]["width"] == 0.5
    assert everything["tiny_cnn_pgd_standard_f0p5"]["mode"] == "standard"
    assert set(config["classifiers"]) < set(everything)


def test_generated_name_clash_is_an_error() -> None:
    config = validated(tiny())
    config["classifiers"]["tiny_cnn_pgd_pgd_w0p5"] = copy.deepcopy(config["classifiers"]["tiny_fc"])
    with pytest.raises(ConfigError, match="tiny_cnn_pgd_pgd_w0p5"):
        plan.all_classifiers(config)


def test_attack_jobs_and_minimal_attacks() -> None:
    config = validated(tiny())
    jobs = plan.attack_jobs(config)
    assert ("tiny_fc", "lbfgs") in jobs and ("tiny_cnn_pgd", "pgd") in jobs and len(jobs) == 10
    assert ("tiny_fc", "apgd") in jobs and ("tiny_fc", "square") in jobs
    assert plan.minimal_attacks(config) == ["deepfool", "lbfgs"]


def test_named_data_size_sweeps_expand_into_their_own_sweep() -> None:
    """robustness.data_size_sweeps.<name> runs as the sweep data_size_<name> (Schmidt et al.'s
    second data set): its own classifiers, its own table, the same gap columns."""
    config = tiny()
    config["classifiers"]["tiny_fc_pgd"] = dict(config["classifiers"]["tiny_fc"], mode="pgd")
    config["robustness"]["data_size_sweeps"] = {
        "fc": {"classifier": "tiny_fc_pgd", "attack": "pgd", "fractions": [0.5, 1.0]}
    }
    config = validated(config)
    assert plan.sweep_names(config) == ["capacity", "data_size", "data_size_fc"]
    assert plan.sweep_kind("data_size_fc") == "data_size" and plan.sweep_kind("capacity") == "capacity"
    with pytest.raises(ValueError, match="unknown robustness sweep"):
        plan.sweep_kind("data_size_")
    points = plan.sweep_points(config, "data_size_fc")
    # standard training on every example is tiny_fc's spec: that name is reused
    assert [p["classifier"] for p in points] == [
        "tiny_fc_pgd_standard_f0p5",
        "tiny_fc",
        "tiny_fc_pgd_pgd_f0p5",
        "tiny_fc_pgd",
    ]
    assert {p["train_fraction"] for p in points} == {0.5, 1.0}
    assert "tiny_fc_pgd_pgd_f0p5" in plan.all_classifiers(config)
    config["robustness"]["data_size_sweeps"]["fc"]["attack"] = "cw"
    with pytest.raises(ConfigError, match=r"robustness\.data_size_sweeps\.fc\.attack: unknown attack 'cw'"):
        plan.check_references(config, "test.yaml")
