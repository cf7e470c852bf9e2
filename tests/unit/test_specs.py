"""advgen.specs: typed specs from JSON and back, with one-line errors at the boundary."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from advgen.errors import ConfigError
from advgen.provenance import spec_digest
from advgen.specs import spec_dict, typed_spec


@dataclass(frozen=True)
class Inner:
    eps: tuple[float, ...]
    norm: str = "Linf"


@dataclass(frozen=True)
class Outer:
    name: str
    seed: int
    inner: Inner
    extra: Inner | None = None
    kwargs: dict[str, object] | None = None


DATA = {
    "name": "a",
    "seed": 1,
    "inner": {"eps": [0.1, 0.3], "norm": "L2"},
    "extra": {"eps": [0]},
    "kwargs": {},
}


def test_round_trip_gives_the_same_json_and_digest():
    spec = typed_spec(Outer, json.loads(json.dumps(DATA)))
    assert spec.inner.eps == (0.1, 0.3) and isinstance(spec.extra, Inner) and spec.extra.norm == "Linf"
    plain = spec_dict(spec)
    assert plain == {**DATA, "extra": {"eps": [0], "norm": "Linf"}}
    assert isinstance(plain["inner"]["eps"], list)
    assert spec_digest(spec) == spec_digest(plain)


def test_optional_field_may_be_none():
    assert typed_spec(Outer, {**DATA, "extra": None}).extra is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**DATA, "eps": 1}, "--spec: unknown field 'eps'"),
        ({k: v for k, v in DATA.items() if k != "seed"}, "--spec: missing field 'seed'"),
        ({**DATA, "seed": "1"}, "--spec.seed: expected int"),
        ({**DATA, "seed": True}, "--spec.seed: expected int"),
        ({**DATA, "inner": {"eps": 0.1}}, "--spec.inner.eps: expected a list"),
        ({**DATA, "extra": {"eps": [0], "p": 2}}, "--spec.extra: unknown field 'p'"),
    ],
)
def test_bad_fields_are_one_line_errors(data, message):
    with pytest.raises(ConfigError) as err:
        typed_spec(Outer, data)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)
