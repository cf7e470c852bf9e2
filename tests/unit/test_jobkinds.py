"""The declared job kinds (advgen.pipeline.jobkinds): the declaration, its typed spec at the
command line's boundary."""

from __future__ import annotations

import dataclasses

import pytest

from advgen import paths
from advgen.errors import ConfigError
from advgen.pipeline.jobkind import JobKind, typed_spec
from advgen.pipeline.jobkinds import JOB_KINDS


@dataclasses.dataclass(frozen=True)
class Inner:
    x: float


@dataclasses.dataclass(frozen=True)
class Outer:
    names: tuple[str, ...]
    inner: Inner
    flag: bool = False


def test_typed_spec_converts_and_checks_fields() -> None:
    spec = typed_spec(Outer, {"names": ["a", "b"], "inner": {"x": 1}})
    assert spec == Outer(("a", "b"), Inner(1), False)
    with pytest.raises(ConfigError, match=r"--spec\.inner: unknown field 'y'"):
        typed_spec(Outer, {"names": [], "inner": {"x": 1, "y": 2}})
    with pytest.raises(ConfigError, match=r"--spec\.inner\.x: expected float, got 'a'"):
        typed_spec(Outer, {"names": [], "inner": {"x": "a"}})
    with pytest.raises(ConfigError, match=r"--spec: missing field 'names'"):
        typed_spec(Outer, {"inner": {"x": 1}})


def test_every_declaration_is_complete() -> None:
    """Each row: a dataclass spec, outputs from advgen.paths, its command, log and benchmark."""
    templates = {v for k, v in vars(paths).items() if k.isupper() and isinstance(v, str)}
    assert len({k.name for k in JOB_KINDS}) == len(JOB_KINDS)
    for kind in JOB_KINDS:
        assert dataclasses.is_dataclass(kind.spec_type) and callable(kind.run)
        assert set(kind.outputs.values()) <= templates, kind.name
        assert kind.command == kind.name.replace("_", "-")
        assert kind.log == paths.log(kind.name, kind._job) and kind.benchmark.endswith(".tsv")
    with pytest.raises(ValueError, match="same wildcards"):
        JobKind(
            "x",
            "",
            {"a": "results/{p}.parquet", "b": "results/y.parquet"},
            *[lambda *a: []] * 3,
            Inner,
            print,
        )
