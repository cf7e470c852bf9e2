"""Config validation: every malformed config stops with one line that names the key."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from advgen.config import CONFIG_SCHEMA, load_yaml, parse_spec, spec_json, validate_config
from advgen.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
SCHEMA = CONFIG_SCHEMA


def base() -> dict:
    return {
        "seed": 0,
        "datasets": {"digits": {"source": "digits", "image_size": 28}},
    }


def test_default_config_is_valid_and_gets_defaults() -> None:
    config = load_yaml(REPO / "config" / "config.yaml")
    validate_config(config, SCHEMA)
    assert config["device"] == "auto"
    assert config["datasets"]["mnist"]["download"] is False


def test_paper_config_is_valid() -> None:
    validate_config(load_yaml(REPO / "config" / "paper.yaml"), SCHEMA)


def test_defaults_are_filled() -> None:
    config = validate_config(base(), SCHEMA)
    spec = config["datasets"]["digits"]
    assert spec["test_fraction"] == 0.2 and spec["split_seed"] == 0 and spec["max_train"] is None


def _mutate(path: str, value: object) -> dict:
    config = copy.deepcopy(base())
    *parents, last = path.split(".")
    node = config
    for key in parents:
        node = node[key]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return config


DELETE = object()

MALFORMED = [
    # (mutation path, value, text the one-line message must contain)
    ("bogus", 1, "cfg.yaml: bogus: unknown key 'bogus'"),
    ("seed", "zero", "seed: expected integer, got str 'zero'"),
    ("seed", 1.5, "seed: expected integer"),
    ("device", "tpu", "device: 'tpu' is not one of"),
    ("datasets", [], "datasets: expected object, got list"),
    ("datasets.digits.source", "imagenet", "datasets.digits.source: 'imagenet' is not one of"),
    ("datasets.digits.image_size", DELETE, "datasets.digits.image_size: missing required key 'image_size'"),
    ("datasets.digits.image_size", "28", "datasets.digits.image_size: expected integer, got str '28'"),
    ("datasets.digits.image_size", 4, "datasets.digits.image_size: 4 is less than the minimum of 8"),
    ("datasets.digits.test_fraction", 1.5, "datasets.digits.test_fraction: 1.5 is greater than or equal"),
    ("datasets.digits.download", "yes", "datasets.digits.download: expected boolean, got str 'yes'"),
    ("datasets.digits.max_train", 0, "datasets.digits.max_train: 0 is less than the minimum of 1"),
    ("datasets.digits.colour", True, "datasets.digits.colour: unknown key 'colour'"),
    ("datasets.digits", "digits", "datasets.digits: expected object, got str 'digits'"),
    ("datasets.9bad", {"source": "digits", "image_size": 28}, "datasets: '9bad' does not match"),
]


@pytest.mark.parametrize(
    ("path", "value", "expected"), MALFORMED, ids=[m[0] + "=" + repr(m[1])[:12] for m in MALFORMED]
)
def test_malformed_config_names_the_key(path: str, value: object, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        validate_config(_mutate(path, value), SCHEMA, source="cfg.yaml")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("cfg.yaml: ")
    assert expected in message, message


def test_config_must_be_a_mapping() -> None:
    with pytest.raises(ConfigError, match="must be a mapping"):
        validate_config(["a"], SCHEMA)  # type: ignore[arg-type]


def test_unknown_dataset_reference_is_reported() -> None:
    config = base()
    config["classifiers"] = {"clf": {"dataset": "mnist"}}
    # the schema may reject the entry first; either way the message names the path
    with pytest.raises(ConfigError, match=r"classifiers\.clf"):
        validate_config(config, SCHEMA)


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: 0\ndatasets:\n  digits: {source: digits\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml:4:1: YAML syntax error"):
        load_yaml(bad)


def test_spec_json_is_deterministic() -> None:
    assert spec_json({"b": 1, "a": [2, 1]}) == spec_json({"a": [2, 1], "b": 1}) == '{"a":[2,1],"b":1}'
    assert parse_spec('{"a": 1}') == {"a": 1}
    with pytest.raises(ConfigError, match="not valid JSON"):
        parse_spec("{a")
    with pytest.raises(ConfigError, match="expected a JSON object"):
        parse_spec("[1]")


def test_snakemake_stops_before_any_job_with_one_line(tmp_path: Path) -> None:
    """Through Snakemake itself: exit status non-zero, one line naming the key, no traceback."""
    from tests.conftest import copy_workflow, snakemake

    wf = copy_workflow(tmp_path / "wf")
    config = base()
    config["datasets"]["digits"]["image_size"] = "big"
    (wf / "bad.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    proc = snakemake(wf, "-n", "--configfile", "bad.yaml", check=False)
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if "config error" in ln]
    text = (wf / "bad.yaml").read_text(encoding="utf-8").splitlines()
    line = next(i + 1 for i, ln in enumerate(text) if ln.strip() == "image_size: big")
    assert lines == [
        f"config error: bad.yaml:{line}: datasets.digits.image_size: expected integer, got str 'big'"
    ]
    assert "Traceback" not in proc.stderr
    assert not (wf / "results").exists()


def test_schemas_are_package_data_and_the_default():
    import advgen
    from advgen.config import SCHEMA_DIR

    assert SCHEMA_DIR == Path(advgen.__file__).parent / "schemas"
    assert {p.name for p in SCHEMA_DIR.glob("*.schema.yaml")} >= {"config.schema.yaml", "cv.schema.yaml"}
    cfg = validate_config(base(), source="x.yaml")  # no schema path: the packaged one
    assert cfg["device"] == "auto"
    with pytest.raises(ConfigError, match=r"^x.yaml: seed: expected integer"):
        validate_config({**base(), "seed": "a"}, source="x.yaml")


def _arrays(node, path=()):
    """(path, schema) of every array schema below ``node``."""
    if isinstance(node, dict):
        kind = node.get("type")
        if kind == "array" or (isinstance(kind, list) and "array" in kind):
            yield "/".join(path), node
        for key, value in node.items():
            yield from _arrays(value, (*path, str(key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _arrays(value, (*path, str(i)))


#: lists whose items are told apart by a key, a repeat refused with a message naming it
KEYED_LISTS = {("claims.schema.yaml", "$defs/claims_file/properties/claims")}  # the claims' ids


def test_every_list_of_the_config_holds_distinct_values() -> None:
    """One rule for every list of the config (grids, eps, names, seeds): no value twice. Only
    fixed-size tuples (Adam's ``betas``) may repeat a value."""
    tuples, checked = [], 0
    for path in sorted(SCHEMA.parent.glob("*.schema.yaml")):
        if path.name.startswith("cv"):
            continue  # the CV's own data files, not the workflow config
        for where, array in _arrays(load_yaml(path)):
            if array.get("minItems") is not None and array.get("minItems") == array.get("maxItems"):
                tuples.append(where)
                continue
            if (path.name, where) in KEYED_LISTS:
                continue
            assert array.get("uniqueItems") is True, f"{path.name}: {where} may repeat a value"
            checked += 1
    assert tuples == ["$defs/gan/properties/betas"] and checked > 30
