"""advgen.yaml_loader (libyaml with the pure-Python parser's errors) and the per-process schema cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from advgen import config, config_files, yaml_loader
from advgen.errors import ConfigError

needs_libyaml = pytest.mark.skipif(not yaml_loader.HAVE_LIBYAML, reason="PyYAML built without libyaml")

DOCUMENTS = [
    "a: 1\nb: [1, 2.5, -3e+2, .inf]\nc: {d: null, e: ~}\n",
    "flags: [yes, no, on, off, true]\nwhen: 2024-05-01\nversion: 1.10\nhex: 0x1f\n",
    "base: &b {lr: 0.001, betas: [0.5, 0.999]}\nrun:\n  <<: *b\n  lr: 0.0002\n",
    "text: |\n  two\n  lines\nfolded: >\n  one\n  line\nquoted: 'it''s'\n",
    "- 1\n- - nested\n  - list\n- {k: v}\n",
    "",
]

BAD_DOCUMENTS = [
    "a: [1, 2\n",
    "a: 1\n b: 2\n",
    "a:\n\t- 1\n",
    "a: 'open\n",
    "a: *missing\n",
    "--- 1\n--- 2\n",
]


def _error(fn, text: str) -> str:
    with pytest.raises(yaml.YAMLError) as info:
        fn(text)
    return str(info.value)


@pytest.mark.parametrize("text", DOCUMENTS)
def test_safe_load_gives_pyyaml_data(text: str) -> None:
    assert yaml_loader.safe_load(text) == yaml.safe_load(text)


@pytest.mark.parametrize("text", BAD_DOCUMENTS)
def test_safe_load_raises_the_pure_python_error(text: str) -> None:
    expected = _error(lambda t: yaml.load(t, Loader=yaml.SafeLoader), text)  # noqa: S506 - SafeLoader
    assert _error(yaml_loader.safe_load, text) == expected


@needs_libyaml
def test_good_documents_take_the_libyaml_path(monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[type] = []
    inner = yaml_loader._load_single

    def spy(loader_cls: type, text: str, name: str | None) -> object:
        used.append(loader_cls)
        return inner(loader_cls, text, name)

    monkeypatch.setattr(yaml_loader, "_load_single", spy)
    yaml_loader.safe_load("a: 1\n")
    config_files.parse_yaml("a: 1\n", "f.yaml")
    assert all(issubclass(cls, yaml.CSafeLoader) for cls in used)
    assert len(used) == 2


@needs_libyaml
def test_c_variant_keeps_the_loaders_constructors() -> None:
    class Tagged(yaml.SafeLoader):
        pass

    Tagged.add_constructor("!twice", lambda loader, node: 2 * int(loader.construct_scalar(node)))
    fast = yaml_loader.c_variant(Tagged)
    assert issubclass(fast, yaml.CSafeLoader)
    assert yaml_loader.load("x: !twice 21\n", loader=Tagged, fast=fast) == {"x": 42}
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml_loader.safe_load("x: !twice 21\n")


STRICT_CASES = [
    ("a: 1\nb:\n  c: 2\n  c: 3\n", "f.yaml:4: duplicate key 'c' (first defined at line 3)"),
    ("x: &a {p: 1}\ny:\n  <<: *a\n  q: 2\n  q: 3\n", "f.yaml:5: duplicate key 'q' (first defined at line 4)"),
    ("? [1]\n: 2\n", "f.yaml:1:3: a mapping key must be a scalar"),
    ("a: [1\n", "f.yaml:2:1: YAML syntax error: expected ',' or ']', but got '<stream end>'"),
    ("a:\n\t- 1\n", "f.yaml:2:1: YAML syntax error: found character '\\t' that cannot start any token"),
]


@pytest.mark.parametrize(("text", "message"), STRICT_CASES)
def test_strict_loader_errors_are_those_of_the_pure_python_loader(
    text: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError) as fast:
        config_files.parse_yaml(text, "f.yaml")
    monkeypatch.setattr(config_files, "_CStrictLoader", None)
    with pytest.raises(ConfigError) as slow:
        config_files.parse_yaml(text, "f.yaml")
    assert str(fast.value) == str(slow.value) == message


def test_strict_loader_data_matches_with_and_without_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "base: &b {lr: 0.001}\nrun:\n  <<: *b\n  lr: 0.0002\nlist: [1, {k: v}]\n"
    fast = config_files.parse_yaml(text, "f.yaml")
    monkeypatch.setattr(config_files, "_CStrictLoader", None)
    assert fast == config_files.parse_yaml(text, "f.yaml") == yaml.safe_load(text)


def _write(path: Path, text: str, mtime_ns: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_schema_is_read_once_and_again_after_an_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = tmp_path / "s.schema.yaml"
    _write(schema, "type: object\nproperties: {n: {type: integer, default: 3}}\n", 1_000_000_000)
    reads: list[str] = []
    inner = config.load_yaml

    def counting(path: str | Path) -> object:
        reads.append(str(path))
        return inner(path)

    monkeypatch.setattr(config, "load_yaml", counting)
    first = config.load_schema(schema)
    assert config.load_schema(schema) is first
    assert config.validate_config({}, schema) == {"n": 3}
    assert config.validate_config({}, schema) == {"n": 3}
    assert reads == [str(schema.resolve())]

    _write(schema, "type: object\nproperties: {n: {type: integer, default: 42}}\n", 2_000_000_000)
    assert config.validate_config({}, schema) == {"n": 42}
    assert len(reads) == 2
    with pytest.raises(ConfigError, match=r"^cfg: n: expected integer"):
        config.validate_config({"n": "x"}, schema, source="cfg")


def test_packaged_schema_fills_the_same_defaults_as_a_fresh_validator() -> None:
    """The cached validator of the packaged schema (with its ``$ref`` files) gives a fresh one's answer."""
    path = config.SCHEMA_DIR.parents[2] / "config" / "config.yaml"
    if not path.is_file():  # installed without the source tree
        pytest.skip("no config/config.yaml beside the package")
    cached = [config.validate_config(config.load_yaml(path)) for _ in range(2)]
    fresh = config.load_yaml(path)
    validator = config._validator_class()(
        yaml.safe_load(config.CONFIG_SCHEMA.read_text(encoding="utf-8")),
        registry=config._registry(config.SCHEMA_DIR),
    )
    assert list(validator.iter_errors(fresh)) == []
    assert cached[0] == cached[1] == fresh
    assert fresh != config.load_yaml(path)  # defaults were filled in
