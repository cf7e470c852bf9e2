"""config/paper.yaml carries the papers' settings and validates."""

from __future__ import annotations

from pathlib import Path

import pytest

from advgen.config import SCHEMA_DIR, load_yaml, validate_config
from advgen.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def paper() -> dict:
    return validate_config(load_yaml(REPO / "config" / "paper.yaml"), SCHEMA_DIR / "config.schema.yaml")


def test_report_gan_settings(paper: dict) -> None:
    gans = paper["gans"]
    m11 = gans["celeba64_dcgan"]
    assert (m11["batch_size"], m11["unroll_k"], m11["g_steps"], m11["d_steps"], m11["z_dim"]) == (
        128,
        2,
        5,
        2,
        100,
    )
    b8 = gans["celeba64_dcgan_b8"]
    assert (b8["batch_size"], b8["lr_g"], b8["lr_d"], b8["real_label"]) == (8, 1e-4, 4e-4, 0.9)
    widths = {gans[n]["generator"] for n in gans if n.startswith("celeba64_dcgan")}
    assert {"dcgan", "dcgan_ngf32", "dcgan_ngf128"} <= widths
    fc = gans["mnist_fc_m3_ns_unroll4"]
    assert (fc["generator"], fc["discriminator"]) == ("mlp", "M3")
    assert gans["mnist_m1_m3_ns_unroll4"]["discriminator"] == fc["discriminator"]


def test_robustness_paper_settings(paper: dict) -> None:
    pool = paper["classifiers"]["mnist_fc100_100_pool"]
    assert (pool["arch"], pool["mode"], pool["pool_attack"]) == ("fc100_100", "pool", "lbfgs")
    rob = paper["robustness"]
    assert "mnist_fc100_100_pool" in rob["attacks"]["fgsm"]["classifiers"]
    assert rob["capacity"]["transfer"]["attacks"] == ["pgd40"]
    assert (
        "lbfgs" in rob["transfer"]["attacks"] and rob["attacks"]["lbfgs"]["attack"] == "LBFGS"
    )  # Szegedy et al.'s transfer
    cifar = rob["data_size_sweeps"]["cifar10"]
    assert (
        paper["classifiers"][cifar["classifier"]]["dataset"] == "cifar10"
        and cifar["attack"] in rob["attacks"]
    )
    rf = rob["robust_features"]
    assert paper["classifiers"][rf["robust_classifier"]]["mode"] == "pgd"
    assert paper["classifiers"][rf["standard_classifier"]]["mode"] == "standard"
    assert rf["robust"] == {"steps": 1000, "step_size": 0.1} and rf["non_robust"]["target"] == "random"


def test_new_keys_are_checked(paper: dict) -> None:
    raw = load_yaml(REPO / "config" / "paper.yaml")
    raw["classifiers"]["mnist_fc100_100_pool"]["pool_attack"] = "deepfool"
    with pytest.raises(ConfigError, match="pool_attack"):
        validate_config(raw, SCHEMA_DIR / "config.schema.yaml")
    raw = load_yaml(REPO / "config" / "paper.yaml")
    raw["robustness"]["robust_features"]["non_robust"]["target"] = "least_likely"
    with pytest.raises(ConfigError, match="target"):
        validate_config(raw, SCHEMA_DIR / "config.schema.yaml")
