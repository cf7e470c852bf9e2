"""``advgen freeze``: the record of the frozen claims, recipes, seeds and power plan, and its check."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from advgen.cli import main as cli_main

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


def files(tmp_path: Path, **top) -> dict[str, Path]:
    out = {name: tmp_path / name for name in ("config.yaml", "claims.yaml", "plan.json", "freeze.json")}
    out["config.yaml"].write_text(yaml.safe_dump({**CONFIG, **top}, sort_keys=False))
    out["claims.yaml"].write_text("claims: []\n")
    out["plan.json"].write_text('{"claims": {}}\n')
    return out


def freeze(f: dict[str, Path], *extra: str) -> int:
    return cli_main(
        ["freeze", "--claims", str(f["claims.yaml"]), "--configfile", str(f["config.yaml"]), "--power-plan",
         str(f["plan.json"]), "--out", str(f["freeze.json"]), "--date", "2026-11-26", *extra]
    )  # fmt: skip


def test_the_record_holds_hashes_seeds_and_recipes(tmp_path: Path) -> None:
    f = files(tmp_path, seed_base=100)
    assert freeze(f) == 0
    rec = json.loads(f["freeze.json"].read_text())
    assert rec["claims"]["sha256"] == hashlib.sha256(f["claims.yaml"].read_bytes()).hexdigest()
    assert rec["power_plan"]["sha256"] == hashlib.sha256(f["plan.json"].read_bytes()).hexdigest()
    assert rec["date"] == "2026-11-26" and rec["seed_base"] == 100
    assert rec["seeds"] == {"ns_gan": {"g": 100, "g_seed101": 101}, "standard_cnn": {"c": 100}}
    recipe = rec["recipes"]["gans"]["g"]
    assert (
        recipe["seeds"] == [100, 101]
        and recipe["spec"]["loss"] == "non_saturating"
        and "seed" not in recipe["spec"]
    )
    assert rec["recipes"]["autoencoders"] == {}


def test_verify_passes_until_a_frozen_file_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = files(tmp_path, seed_base=100)
    assert freeze(f) == 0
    assert cli_main(["freeze", "--verify", str(f["freeze.json"])]) == 0
    f["claims.yaml"].write_text("claims: []\n# a claim changed after the freeze\n")
    capsys.readouterr()
    assert cli_main(["freeze", "--verify", str(f["freeze.json"])]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert (
        len(err) == 1
        and f"{f['claims.yaml']} (claims file)" in err[0]
        and "changed since the freeze" in err[0]
    )


def test_spent_seeds_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = files(tmp_path)
    assert freeze(f) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "3 run(s) train on spent seeds below 10 (g 0, g_seed1 1, c 0)" in err[0]
    assert not f["freeze.json"].exists()
    assert freeze(f, "--fresh-from", "0") == 0  # a tiny test study may freeze its seeds 0 and 1
