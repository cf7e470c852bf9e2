"""What a claims page is (:mod:`advgen.claims.page.round_header`): its round, freeze hash, seeds,
hardware, numerics and data, in every view; and the default study's one recipe on every host."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from advgen.claims.page.round_header import DATA_TEXT, facts, line, read_record, seed_ranges, table_seeds
from advgen.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_seeds_as_ranges() -> None:
    assert seed_ranges([1003, 1000, 1001, 1002, 1007, 2000, 2001]) == "1000-1003, 1007, 2000-2001"
    table = pd.DataFrame({"seed_values": ["1000,1001", "", "1002,1000"]})
    assert table_seeds(table) == [1000, 1001, 1002]


def test_the_line_from_a_record_with_hardware_and_numerics() -> None:
    record = {
        "claims_sha256": "ab" * 32,
        "date": "2026-11-29",
        "commit": "0123456789abcdef",
        "round": 2,
        "hardware": {"device": "NVIDIA H200", "cpu": "16 threads"},
        "numerics": {"report_gan": "bfloat16 autocast", "classifiers": "float32"},
    }
    text = line(facts(record, [2000, 2001, 2002]))
    assert text.startswith(
        f"**Round 2**: claims file sha256 {'ab' * 32}, frozen on 2026-11-29 at commit 0123456"
    )
    assert "; seeds 2000-2002; frozen study's hardware: device: NVIDIA H200; cpu: 16 threads; " in text
    assert "numerics: report_gan: bfloat16 autocast; classifiers: float32. Data: " + DATA_TEXT in text


def test_a_record_without_them_says_so_and_no_record_is_exploratory() -> None:
    text = line(facts({"claims_sha256": "cd", "date": "2026-11-27"}, [1000]))
    assert text.startswith("**Round 1**: claims file sha256 cd, frozen on 2026-11-27; seeds 1000")
    assert "frozen study's hardware: not in the freeze record; numerics: not in the freeze record" in text
    assert line(facts(None, [0, 1, 2])).startswith("**Exploratory (no freeze record)**; seeds 0-2")


def test_a_bad_record_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "freeze.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"freeze.json: not a freeze record \(") as info:
        read_record(bad)
    assert "\n" not in str(info.value)


def test_the_html_page_shows_the_round() -> None:
    from advgen.claims.page.views import html

    table = pd.read_parquet(ROOT / "docs" / "rounds" / "round1" / "claims_xeon.parquet")
    header = {
        "datasets": [],
        "budgets": [],
        "seeds": {},
        "config": "config/config.yaml",
        "results": "results",
        "phase": {"phase": "confirmatory"},
        "round": facts(read_record(ROOT / "docs" / "default_run" / "freeze.json"), table_seeds(table)),
    }
    page = html(table, header)
    assert '<span id="round"><strong>Round ' in page and "Seeds: 1000-1007." in page
    assert "Numerics: " in page and "the digits are the sample both phases read" in page
    assert "FRAGILE (deciding adjusted p" in page and "Fragile source verdicts" in page


def test_the_default_study_states_its_numerics_the_same_on_every_host() -> None:
    """No host-dependent ``auto`` in config/config.yaml: every GAN and autoencoder entry states
    its autocast (``off`` or ``bf16``; the schema keeps ``auto`` for a user's own config)."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    for section in ("gans", "autoencoders"):
        for name, entry in config[section].items():
            autocast = (entry.get("speed") or {}).get("autocast")
            assert autocast in ("off", "bf16"), (section, name, autocast)
    assert config["gans"]["mnist_report"]["speed"]["autocast"] == "bf16"
    assert config["autoencoders"]["mnist_ae"]["speed"]["autocast"] == "bf16"
