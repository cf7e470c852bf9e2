"""A claim read against its quote (``reading:``, :class:`advgen.claims.reading.model.Reading`): the
fields a claim with a test must give, its sidedness against the test's direction, and the reason a
logit or log scale needs."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest

from advgen.claims.reading import claims_file, model
from advgen.config_files import parse_yaml
from advgen.errors import ConfigError

DATA = Path(__file__).resolve().parents[1] / "data" / "claims"


def read_with(tmp_path: Path, edit) -> model.ClaimsFile:  # type: ignore[no-untyped-def]
    """every_part.yaml with its first claim's reading edited, read from a copy beside its data."""
    import yaml

    raw = parse_yaml((DATA / "every_part.yaml").read_text(encoding="utf-8"), "every_part.yaml")
    raw = copy.deepcopy(raw)
    edit(raw["claims"][0])
    for name, rel in raw["sources"].items():
        raw["sources"][name] = os.path.relpath(DATA / rel, tmp_path)
    raw["freeze"] = None
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return claims_file.read_claims_file(path)


def test_the_reading_is_read(tmp_path: Path) -> None:
    claim = read_with(tmp_path, lambda c: None).claims[0]
    assert claim.reading is not None
    assert claim.reading.sides == "one_sided" and claim.reading.scales == ("probability",)
    assert claim.reading.proposition.startswith("the non-saturating loss keeps")


def test_a_two_sided_reading_needs_an_equivalence_test(tmp_path: Path) -> None:
    def two_sided(c: dict) -> None:
        c["reading"]["sides"] = "two_sided"

    with pytest.raises(ConfigError, match=r"reading.*two_sided but the test's direction is greater"):
        read_with(tmp_path, two_sided)


def test_a_logit_scale_says_why(tmp_path: Path) -> None:
    def logit(c: dict) -> None:
        c["reading"]["scales"] = ["probability", "logit"]

    with pytest.raises(ConfigError, match=r"reading.scale_reason: missing"):
        read_with(tmp_path, logit)

    def reasoned(c: dict) -> None:
        logit(c)
        c["reading"]["scale_reason"] = "the share near 0 or 1 moves on the odds"

    assert read_with(tmp_path, reasoned).claims[0].reading.scales == ("probability", "logit")


@pytest.mark.parametrize("key", ["measures", "sides", "scales", "control_guards"])
def test_a_claim_with_a_test_gives_every_field(tmp_path: Path, key: str) -> None:
    with pytest.raises(ConfigError, match=rf"reading.{key}: missing"):
        read_with(tmp_path, lambda c: c["reading"].pop(key))


def test_every_source_claim_is_read(tmp_path: Path) -> None:
    """A source claim without a reading stops the file (one line naming the claim); an
    implementation check may have none; a claim without a test reads its proposition only."""
    with pytest.raises(
        ConfigError, match=r"claims\[ns_no_vanishing_gradient\]\.reading: missing: every source"
    ):
        read_with(tmp_path, lambda c: c.pop("reading"))

    def a_check(c: dict) -> None:
        c.pop("reading")
        c["group"] = "check"

    assert read_with(tmp_path, a_check).claims[0].reading is None
    parsed = claims_file.read_claims_file(DATA / "every_part.yaml")
    untested = [c for c in parsed.claims if c.group == "source" and c.test is None]
    assert untested and all(c.reading is not None and c.reading.proposition for c in untested)
    assert all(c.reading.sides == "" for c in untested)


def test_the_repository_reads_every_source_claim() -> None:
    """config/claims.yaml: every source claim has its reading; one with a test has every field, a
    two-sided one an equivalence test, and a logit or log scale its reason."""
    from advgen.claims.reading.model import REASONED_SCALES

    parsed = claims_file.read_claims_file(Path(__file__).resolve().parents[2] / "config" / "claims.yaml")
    source = [c for c in parsed.claims if c.group == "source"]
    assert len(source) >= 50 and all(c.reading is not None for c in source)
    for c in source:
        if c.test is None:
            continue
        r = c.reading
        assert r.measures and r.sides and r.scales and r.control_guards, c.id
        assert (r.sides == "two_sided") == (c.test.direction == "equivalent"), c.id
        assert not (REASONED_SCALES & set(r.scales)) or r.scale_reason, c.id


def test_the_reading_table_has_every_source_claim_as_the_claims_file_has_it() -> None:
    """docs/claims_readings.md: one row per source claim; a row says "mended" where the claim's
    test records a change of 2026-11-29 and "not testable" where its status says so."""
    root = Path(__file__).resolve().parents[2]
    parsed = claims_file.read_claims_file(root / "config" / "claims.yaml")
    rows = {}
    for line in (root / "docs" / "claims_readings.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            assert cells[0] not in rows, cells[0]
            rows[cells[0].strip("`")] = cells
    source = {c.id: c for c in parsed.claims if c.group == "source"}
    assert set(rows) == set(source)
    for cid, c in source.items():
        verdict = rows[cid][-1]
        assert rows[cid][2] == c.reading.proposition, cid
        assert verdict.startswith("not testable") == (c.status == "not_testable"), cid
        if verdict.startswith("mended"):
            assert c.test is not None and any(ch.date == "2026-11-29" for ch in c.test.changes), cid
