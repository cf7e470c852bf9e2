"""``advgen freeze``: the record of the frozen claims, recipes, seeds and power plan, and its check."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from advgen.cli import main as cli_main
from tests.unit.test_claims import claim, claims_file, decl, side

CONFIG = {
    "seed": 0,
    "claims": None,
    "datasets": {"digits": {"source": "digits", "image_size": 8}},
    "gans": {
        "g": {"dataset": "digits", "generator": "mlp_small", "discriminator": "mlp_small", "replicates": 2}
    },
    "classifiers": {"c": {"dataset": "digits", "arch": "fc10"}},
    "roles": {"ns_gan": "g", "standard_cnn": "c"},
}


#: the claims file's roles (the fixture config's), and a power plan (advgen power-plan --json) of
#: three claims: one planned, one past the budget, one with no plan
ROLES = {"ns_gan": "a GAN", "standard_cnn": "a CNN"}
PLAN = {
    "budget": {"max_runs": 10, "max_examples": 1000},
    "claims": {
        "a": {"unit": "seeds", "n_now": 3, "n_planned": 5, "plan": "planned"},
        "b": {"unit": "seeds per side", "n_now": 3, "n_planned": 40, "plan": "underpowered at this budget"},
        "c": {"unit": "examples per run", "n_now": 32, "n_planned": None, "plan": "not planned"},
    },
}


def files(tmp_path: Path, **top) -> dict[str, Path]:
    out = {name: tmp_path / name for name in ("config.yaml", "claims.yaml", "plan.json", "freeze.json")}
    out["config.yaml"].write_text(yaml.safe_dump({**CONFIG, **top}, sort_keys=False))
    claims_file(tmp_path, [claim("a", decl("value", "greater", 0.5), a=side("standard_cnn"))], roles=ROLES)
    out["plan.json"].write_text(json.dumps(PLAN))
    return out


def freeze(f: dict[str, Path], *extra: str) -> int:
    return cli_main(
        ["freeze", "--claims", str(f["claims.yaml"]), "--configfile", str(f["config.yaml"]), "--power-plan",
         str(f["plan.json"]), "--out", str(f["freeze.json"]), "--date", "2026-11-26", "--commit", "abc1234def",
         *extra]
    )  # fmt: skip


def test_the_record_holds_hashes_seeds_and_recipes(tmp_path: Path) -> None:
    f = files(tmp_path, seed_base=100)
    assert freeze(f) == 0
    rec = json.loads(f["freeze.json"].read_text())
    assert rec["claims_sha256"] == hashlib.sha256(f["claims.yaml"].read_bytes()).hexdigest()
    assert rec["power_plan"]["sha256"] == hashlib.sha256(f["plan.json"].read_bytes()).hexdigest()
    assert rec["date"] == "2026-11-26" and rec["seed_base"] == 100 and rec["commit"] == "abc1234def"
    assert rec["seeds"] == {"ns_gan": {"g": 100, "g_seed101": 101}, "standard_cnn": {"c": 100}}
    recipe = rec["recipes"]["gans"]["g"]
    assert (
        recipe["seeds"] == [100, 101]
        and recipe["spec"]["loss"] == "non_saturating"
        and "seed" not in recipe["spec"]
    )
    assert rec["recipes"]["autoencoders"] == {}
    assert rec["recipes"]["classifiers"]["c"]["spec"]["arch"] == "fc10"  # the classifiers' too
    # what each run computes: a classifier has no lever and computes IEEE float32 (advgen.precision)
    assert rec["numerics"] == {
        "ns_gan": "autocast: off; float32: ieee",
        "standard_cnn": "autocast: off; float32: ieee",
    }
    assert rec["format"] == 3 and len(rec["analysis"]["sha256"]) == 64 and rec["round"] == 1
    assert set(rec["hardware"]) == {"cpu", "cpu_flags", "gpu", "torch", "cuda"}
    # the program: every file of advgen, the workflow, the packages it runs on, the config as read
    assert len(rec["program"]["package"]) == 64 and len(rec["program"]["workflow"]) == 64
    assert rec["versions"]["advgen"] and "numpy" in rec["versions"] and "torch" in rec["versions"]
    resolved = rec["resolved_config"]
    assert resolved["config"]["stack_seeds"] == "auto"  # a schema default the file does not state
    assert resolved["resolved"] == {"device": "cpu", "stack_seeds": False}
    assert rec["config"] == {str(f["config.yaml"]): hashlib.sha256(f["config.yaml"].read_bytes()).hexdigest()}
    assert list(rec["claims"]) == ["a"] and len(rec["claims"]["a"]) == 64  # each claim's digest
    # the plan per claim, with the n the frozen config runs: claim a reads standard_cnn, one run of
    # its 5 planned (underpowered); b, not in the claims file, keeps the budget's size
    assert rec["plan"] == {
        "a": {"n": 1, "unit": "seeds", "needed": 5, "underpowered": True},
        "b": {"n": 10, "unit": "seeds per side", "needed": 40, "underpowered": True},
    }


def test_the_claims_page_reads_the_record_the_command_writes(tmp_path: Path) -> None:
    """One format: the record ``advgen freeze`` writes is the one the claims page reads."""
    from advgen.claims.freeze.freeze_reader import read_freeze
    from advgen.claims.freeze.phase import CONFIRMATORY, phase_of
    from advgen.claims.reading.claims_file import read_claims_file

    f = files(tmp_path, seed_base=100)
    assert freeze(f) == 0
    frozen = read_freeze(f["freeze.json"])
    parsed = read_claims_file(f["claims.yaml"])
    assert frozen is not None and frozen.claims_sha256 == parsed.sha256 and frozen.commit == "abc1234def"
    assert frozen.seed_base == 100 and frozen.claims_file == str(f["claims.yaml"])
    assert (
        frozen.plan["b"].text() == "10 seeds per side; underpowered at this budget (needs 40 seeds per side)"
    )
    assert phase_of(parsed, frozen, [100, 101]).phase == CONFIRMATORY


def test_verify_passes_until_a_frozen_file_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = files(tmp_path, seed_base=100)
    assert freeze(f) == 0
    assert cli_main(["freeze", "--verify", str(f["freeze.json"])]) == 0
    f["claims.yaml"].write_text(f["claims.yaml"].read_text() + "# a claim changed after the freeze\n")
    capsys.readouterr()
    assert cli_main(["freeze", "--verify", str(f["freeze.json"])]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and "changed since the freeze: claims file (see the lines above)" in err[0]
    assert (
        f"claims file: {f['claims.yaml']}: sha256" in captured.out
        and "claim digests: 1 claims as frozen" in captured.out
    )


def test_spent_seeds_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = files(tmp_path)
    assert freeze(f) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "3 run(s) train on spent seeds below 10 (g 0, g_seed1 1, c 0)" in err[0]
    assert not f["freeze.json"].exists()
    assert freeze(f, "--fresh-from", "0") == 0  # a tiny test study may freeze its seeds 0 and 1
