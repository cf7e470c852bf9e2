"""One registry per vocabulary (generator kinds, sweeps, defense attacks, figure families): each
is the one place its names are listed, and the schema's enums and sections equal it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from advgen.config import load_yaml, schema_path
from advgen.defense import attacks
from advgen.defense.attacks import DEFENSE_ATTACKS
from advgen.errors import ConfigError
from advgen.generators import GENERATOR_KINDS, generator_checkpoint, generator_kind
from advgen.pipeline.figures import FIGURE, FIGURES, STAGE
from advgen.sweeps.registry import SWEEPS
from tests.unit.defense_helpers import purify_spec

REPO = Path(__file__).resolve().parents[2]


def schema(name: str) -> dict:
    return load_yaml(schema_path(name))


def rules(smk: str) -> set[str]:
    return set(re.findall(r"^rule (\w+):", (REPO / "workflow/rules" / smk).read_text(), flags=re.M))


# --- generator kinds
def test_generator_kinds_are_the_config_sections():
    top = schema("config.schema.yaml")["properties"]
    assert {k.section for k in GENERATOR_KINDS.values()} <= set(top)
    # the training jobs' checkpoints
    assert GENERATOR_KINDS["gan"].checkpoint("g") == "results/gans/g/checkpoint.pt"
    assert GENERATOR_KINDS["autoencoder"].checkpoint("a") == "results/autoencoders/a/checkpoint.pt"


def test_one_answer_to_gan_or_autoencoder():
    config = {"gans": {"g": {}, "both": {}}, "autoencoders": {"a": {}, "both": {}}}
    assert generator_kind(config, "g").name == "gan"
    assert generator_kind(config, "a").name == "autoencoder"
    assert generator_checkpoint(config, "a") == "results/autoencoders/a/checkpoint.pt"
    with pytest.raises(
        ConfigError, match=r"^sweeps.x: unknown generator 'nope' \(defined in gans/autoencoders: a, both, g\)"
    ):
        generator_kind(config, "nope", "sweeps.x")
    with pytest.raises(ConfigError, match="'both' names both a GAN and an autoencoder"):
        generator_checkpoint(config, "both")


# --- sweeps
def test_sweeps_are_the_schema_sections_and_have_their_rules():
    assert list(SWEEPS) == list(schema("sweeps.schema.yaml")["$defs"]["sweeps"]["properties"])
    assert {s.rule for s in SWEEPS.values()} <= rules("sweeps.smk")
    assert {s.split for s in SWEEPS.values()} <= {"train", "test"}
    from advgen.sweeps.tables import METRIC_COLUMNS

    assert set(METRIC_COLUMNS) == set(SWEEPS)  # each sweep's aggregate columns


# --- defense attacks
def test_defense_attacks_are_the_schema_enum():
    enum = schema("defense.schema.yaml")["$defs"]["attack"]["enum"]
    assert list(DEFENSE_ATTACKS) == enum


def test_defense_attacks_metadata():
    from advgen.defense.adaptive import ADAPTIVE_ATTACK_FUNCTIONS

    # every adaptive attack has code, every grey-box one is crafted on the bare classifier
    adaptive = {n for n, a in DEFENSE_ATTACKS.items() if a.threat == attacks.ADAPTIVE}
    assert adaptive == set(ADAPTIVE_ATTACK_FUNCTIONS)
    assert attacks.applicable("none") == ("fgsm", "pgd")
    assert attacks.automatic("reconstruct") == ("bpda", "exact", "latent")
    assert attacks.automatic("project") == ("bpda", "eot", "unroll_short", "unroll", "latent", "eot_rand")
    assert "autoattack_rand" in attacks.applicable("project")  # opt-in: listed, not automatic
    assert attacks.threat("pgd") == "greybox" and attacks.threat("something_new") == "adaptive"
    assert attacks.attack_size("pgd", purify_spec(pgd_steps=7), None)["attack_steps"] == 7


# --- figure families
def test_figure_rows_of_other_jobs_name_existing_rules():
    stage_rules = set().union(*(rules(f) for f in ("sweeps.smk", "robustness.smk")))
    for row in FIGURES:
        if row.job == STAGE:
            assert row.rule in stage_rules, row.family
        if row.job == FIGURE:
            assert row.wildcards, row.family  # one job per figure: named by its wildcards
