"""config/paper.yaml carries the papers' settings and validates."""

from __future__ import annotations

import re
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


def test_models_a_claim_compares_run_three_seeds_the_others_one(paper: dict) -> None:
    """Claims read models by role (a role's runs are its entry's seeds) and the sweep tables of
    their base classifiers: those entries run 3 seeds; every other entry one, and says why."""
    named = {e for v in paper["roles"].values() for e in ([v] if isinstance(v, str) else v)}
    claims = (REPO / "config" / "claims.yaml").read_text()
    rob = paper["robustness"]
    read_sweeps = {rob[s]["classifier"] for s in ("capacity", "data_size") if f"sweeps/{s}.parquet" in claims}
    read_sweeps |= {
        block["classifier"]
        for name, block in rob.get("data_size_sweeps", {}).items()
        if f"data_size_{name}.parquet" in claims
    }
    compared = named | read_sweeps
    assert "cifar10_cnn_madry_pgd" in compared  # schmidt_cifar_gap_larger reads its sweep
    single = []
    for section in ("gans", "autoencoders", "classifiers"):
        for name, entry in paper[section].items():
            assert entry.get("replicates", 1) == (3 if name in compared else 1), name
            if name not in compared:
                single.append(name)
    text = (REPO / "config" / "paper.yaml").read_text()
    for name in single:
        said = rf"^  {name}:[^\n]*\n    # one seed: no claim compares it across seeds"
        assert re.search(said, text, re.MULTILINE), name
