"""The claims file's reader (:mod:`advgen.claims.reading.claims_file`): shapes from the claims schema,
the rest from :mod:`advgen.claims.reading.spec`, and the same claims as before the schema."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from advgen.claims.reading import claims_file, spec
from advgen.claims.reading.model import CONTROL_KINDS
from advgen.config import load_schema, schema_path

DATA = Path(__file__).resolve().parents[1] / "data" / "claims"


def as_json(read: object) -> dict:
    """A claims file as read, without what depends on where and how it is written."""
    out = dataclasses.asdict(read)  # type: ignore[call-overload]
    del out["path"], out["sha256"]
    for claim in out["claims"]:
        del claim["line"]
    return json.loads(json.dumps(out))


def test_the_reader_makes_the_claims_it_made_before_the_schema() -> None:
    """every_part.yaml uses every part of a claims file; every_part.json is what the reader made
    of it before the shapes moved to the schema (97e9abc): the same claims, digests included."""
    expected = json.loads((DATA / "every_part.json").read_text(encoding="utf-8"))
    read = claims_file.read_claims_file(DATA / "every_part.yaml")
    assert as_json(read) == expected
    assert {c.control.kind for c in read.claims if c.control} >= {"none", "null_model", "saturating_run"}


def test_the_schema_names_the_sources_and_control_kinds_the_code_knows() -> None:
    defs = load_schema(schema_path(claims_file.SCHEMA[0]))["$defs"]
    assert defs["claim"]["properties"]["source"]["enum"] == list(spec.SOURCES)
    assert defs["claims_file"]["properties"]["sources"]["required"] == list(spec.SOURCES)
    assert set(defs["control"]["properties"]["kind"]["enum"]) == set(CONTROL_KINDS)


def test_the_schema_is_checked_with_the_configs_validator() -> None:
    """The project's ``pattern`` (the whole value) and ``number`` (finite) apply: a ``$ref`` to
    the file's root, which names its ``$schema``, would be checked by the plain draft validator."""
    from advgen.config import schema_problem
    from advgen.config_files import parse_yaml

    raw = parse_yaml((DATA / "every_part.yaml").read_text(encoding="utf-8"), "every_part.yaml")
    assert schema_problem(raw, *claims_file.SCHEMA) is None
    raw["claims"][0]["id"] += "\n"
    raw["claims"][1]["test"]["margin"] = float("nan")
    assert schema_problem(raw, *claims_file.SCHEMA) == (
        ["claims", 0, "id"],
        f"{raw['claims'][0]['id']!r} does not match '[A-Za-z][A-Za-z0-9_]*' (the whole value must) "
        "(the claim's name, unique in the file)",
    )
    raw["claims"][0]["id"] = raw["claims"][0]["id"].strip()
    assert schema_problem(raw, *claims_file.SCHEMA) == (
        ["claims", 1, "test", "margin"],
        "expected a finite number, got nan",
    )
