"""Round 1's config (docs/rounds/round1/config.yaml): the file its freeze record hashed, still a study
today's workflow runs, with round 1's roles, runs and seeds and its generators' recipes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from advgen.claims.freeze.freeze_reader import read_freeze
from advgen.claims.freeze.freeze_record import run_differences, run_parts
from advgen.config_files import check_config_files
from advgen.pipeline.study import Study, resolve_roles

ROUND1 = Path(__file__).resolve().parents[2] / "docs" / "rounds" / "round1"


def test_round_ones_config_is_the_file_its_record_hashed() -> None:
    rec = read_freeze(ROUND1 / "freeze.json")
    assert rec is not None and rec.round == 1
    digest = hashlib.sha256((ROUND1 / "config.yaml").read_bytes()).hexdigest()
    assert rec.config == {"config/config.yaml": digest}


def test_round_ones_config_runs_today_with_round_ones_seeds_and_recipes() -> None:
    """Checked as the workflow checks a config; the parts round 1's record holds (each role's
    runs and seeds, the generators' recipes) come out as recorded."""
    rec = read_freeze(ROUND1 / "freeze.json")
    assert rec is not None
    path = ROUND1 / "config.yaml"
    cfg = check_config_files([path])
    assert cfg["seed_base"] == 1000
    roles = resolve_roles(Study.of(cfg, str(path)), None)
    differences = run_differences(rec, run_parts(cfg, roles))
    assert differences == {"seeds": [], "recipes": []}
