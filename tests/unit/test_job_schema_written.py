"""The job specs' definitions in jobs.schema.yaml are written from the spec dataclasses
(advgen.pipeline.spec_schema): the file is what they write, a drifted copy is caught and
rewritten, a field that states nothing of its definition is refused, and a job kind whose spec
has no definition is refused by the plan in one line (negative controls on a copy in tmp_path
and on dataclasses and a job kind declared here)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from advgen import registries
from advgen.config import SCHEMA_DIR
from advgen.errors import ConfigError
from advgen.pipeline import jobkinds, spec_schema
from advgen.pipeline.check import checked_pipeline
from advgen.pipeline.jobkind import JobKind, Values
from advgen.pipeline.jobkinds import JOB_KINDS
from advgen.specs import job_schema
from tests.conftest import REPO
from tests.errors.conftest import assert_one_line_error, run_cli
from tests.unit.test_schema_lint import schemas  # noqa: F401 (a fixture)


def test_the_job_schema_is_what_the_dataclasses_write():
    assert spec_schema.jobs_schema_problems() == []


def test_every_job_kinds_spec_has_a_written_definition():
    text = (SCHEMA_DIR / spec_schema.JOBS_SCHEMA).read_text(encoding="utf-8")
    defs = yaml.safe_load(text)["$defs"]
    assert {kind.spec_type.__name__ for kind in JOB_KINDS} <= set(defs)
    hand, _, _ = text.partition(spec_schema.MARKER)
    # every definition is written: the hand-written part holds the file's description alone
    assert yaml.safe_load(hand)["$defs"] is None
    assert list(spec_schema.written()) == list(defs) and len(defs) >= 60


def test_a_definition_above_the_marker_is_refused(schemas: Path):
    path = schemas / spec_schema.JOBS_SCHEMA
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("$defs:\n", "$defs:\n  extra: {type: string}\n", 1), encoding="utf-8")
    with pytest.raises(ValueError, match="a definition above"):
        spec_schema.jobs_schema_problems(schemas)


def test_a_drifted_definition_is_caught_and_rewritten(schemas: Path):
    path = schemas / spec_schema.JOBS_SCHEMA
    original = path.read_text(encoding="utf-8")
    old = '      max_train: {$ref: "robustness.schema.yaml#/$defs/robust_features/properties/max_train"}\n'
    assert original.count(old) == 1
    path.write_text(original.replace(old, ""), encoding="utf-8")
    assert spec_schema.jobs_schema_problems(schemas) == [
        f"{path}: its spec definitions are not the spec dataclasses'"
    ]
    assert spec_schema.write_jobs_schema(schemas) == [str(path)]
    assert path.read_text(encoding="utf-8") == original
    assert spec_schema.jobs_schema_problems(schemas) == []
    assert spec_schema.write_jobs_schema(schemas) == []


def test_the_registries_check_runs_the_job_schema_check(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(registries, "jobs_schema_problems", lambda: ["jobs.schema.yaml: stale"])
    assert registries.main([]) == 1


@dataclass(frozen=True)
class _Inner:
    flag: bool


@dataclass(frozen=True)
class _Toy:
    epochs: int = field(
        metadata=job_schema(config_key="robustness.classifier.epochs", description="the epochs")
    )
    inner: _Inner
    inners: dict[str, _Inner]
    label: str | None = field(default=None, metadata=job_schema(ref="#/$defs/label", nullable=True))
    mode: str = field(default="a", metadata=job_schema(schema={"enum": ["a", "b"]}, required=True))


def test_a_definition_is_written_from_annotations_and_metadata():
    assert spec_schema.definition(_Toy) == {
        "type": "object",
        "additionalProperties": False,
        "required": ["epochs", "inner", "inners", "mode"],
        "properties": {
            "epochs": {
                "description": "the epochs",
                "$ref": "robustness.schema.yaml#/$defs/classifier/properties/epochs",
            },
            "inner": {"$ref": "#/$defs/_Inner"},
            "inners": {
                "type": "object",
                "propertyNames": {"$ref": "#/$defs/name"},
                "additionalProperties": {"$ref": "#/$defs/_Inner"},
            },
            "label": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/label"}]},
            "mode": {"enum": ["a", "b"]},
        },
    }
    assert spec_schema.definition(_Inner)["properties"] == {"flag": {"type": "boolean"}}


def test_a_field_that_states_nothing_is_refused_with_its_name():
    @dataclass(frozen=True)
    class Unstated:
        count: int

    with pytest.raises(TypeError, match=r"Unstated\.count: its annotation does not say its definition"):
        spec_schema.definition(Unstated)


def test_job_schema_leaves_the_dataclass_defaults():
    fields = {f.name: f for f in dataclasses.fields(_Toy)}
    assert fields["label"].default is None and fields["mode"].default == "a"
    assert fields["epochs"].default is dataclasses.MISSING


@dataclass(frozen=True)
class ToyUndefinedSpec:
    rows: int = field(metadata=job_schema(config_key="robustness.robustness.max_examples"))


def _toy_kind() -> JobKind[ToyUndefinedSpec]:
    return JobKind(
        "toy_undefined",
        "a kind whose spec jobs.schema.yaml does not define",
        outputs={"table": "results/toy/table.parquet"},
        each=lambda plan: [Values()],
        inputs=lambda plan, values: {},
        spec=lambda plan, values: ToyUndefinedSpec(rows=1),
        spec_type=ToyUndefinedSpec,
        run=lambda inputs, outputs, spec: None,
    )


def test_a_job_kind_without_its_definition_is_named():
    assert spec_schema.missing_definitions() == []
    assert spec_schema.missing_definitions([*JOB_KINDS, _toy_kind()]) == [
        "jobs.schema.yaml: job kind toy_undefined: no definition of its spec's ToyUndefinedSpec"
        " (python -m advgen.registries --write writes it from the dataclass)"
    ]


def test_the_plan_refuses_a_job_kind_without_its_definition_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    """Before any job is planned (check-config, and the workflow's lint and dry run, which run
    the same check): one line, exit status 2, no traceback."""
    monkeypatch.setattr(jobkinds, "JOB_KINDS", (*JOB_KINDS, _toy_kind()))
    with pytest.raises(ConfigError, match=r"^jobs\.schema\.yaml: job kind toy_undefined: no definition"):
        checked_pipeline([REPO / ".test" / "config" / "robustness.yaml"])
    code, err = run_cli(["check-config", str(REPO / ".test" / "config" / "robustness.yaml")], capsys)
    assert_one_line_error(code, err, "job kind toy_undefined", "ToyUndefinedSpec")
