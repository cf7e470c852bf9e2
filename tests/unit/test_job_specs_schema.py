"""The job specs' definitions (``jobs.schema.yaml``) list exactly their dataclasses' fields, require
none that the dataclass lets a spec leave out, and their enums are the registries'."""

from __future__ import annotations

import dataclasses

import pytest

from advgen.cli import build_parser
from advgen.commands._args import SpecType
from advgen.config import SCHEMA_DIR, load_schema
from advgen.defense.attacks import NONE, PROJECT, RECONSTRUCT
from advgen.generators import GENERATOR_KINDS
from advgen.pipeline.size import MAX_JOBS
from advgen.pipeline.spec_schema import nested_classes
from advgen.robustness.masking_spec import GRADIENTS
from advgen.sweeps.registry import SWEEPS

SCHEMAS = {path.name: load_schema(path) for path in SCHEMA_DIR.glob("*.schema.yaml")}
DEFS = SCHEMAS["jobs.schema.yaml"]["$defs"]


def _resolve(node: dict) -> dict:
    """A definition with ``properties``: the node itself, or the one its ``$ref`` names."""
    while "properties" not in node and "$ref" in node:
        where, _, pointer = node["$ref"].partition("#/")
        node = SCHEMAS[where or "jobs.schema.yaml"]
        for part in pointer.split("/"):
            node = node[part]
    return node


def _dataclasses() -> dict[str, type]:
    """Every dataclass a job command's spec is made of, by name (the spec types and what they nest)."""
    import importlib

    from advgen.pipeline.jobkinds import JOB_KINDS

    roots = {kind.spec_type for kind in JOB_KINDS}
    names = {
        action.type.definition
        for parser in build_parser().commands.values()
        for action in parser._actions
        if isinstance(action.type, SpecType) and action.type.schema == "jobs.schema.yaml"
    }
    modules = [
        "advgen.classifiers.spec",
        "advgen.robustness.spec",
        "advgen.sweeps.spec",
        "advgen.defense.spec",
        "advgen.claims.page.page_spec",
        "advgen.data.spec",
        "advgen.plots.figure_specs",
    ]
    for module in map(importlib.import_module, modules):
        roots |= {getattr(module, n) for n in names if hasattr(module, n)}
    found = nested_classes(roots)
    missing = names - set(found)
    assert not missing, f"no dataclass found for {missing}"
    return found


CLASSES = _dataclasses()


def test_every_spec_dataclass_has_a_definition() -> None:
    assert set(CLASSES) - set(DEFS) == set()
    assert len(CLASSES) >= 25


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_a_definition_lists_its_dataclasses_fields(name: str) -> None:
    cls, definition = CLASSES[name], DEFS[name]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    properties = _resolve(definition)["properties"]
    assert set(properties) == set(fields), f"jobs.schema.yaml: {name} lists other keys than {cls.__name__}"
    optional = {n for n, f in fields.items() if f.default is not dataclasses.MISSING}
    assert not set(definition.get("required", [])) & optional, (
        f"{name} requires a field the dataclass may lack"
    )


def test_the_enums_are_the_registries() -> None:
    assert DEFS["MaskingJobSpec"]["properties"]["gradient"]["enum"] == list(GRADIENTS)
    for point in (
        "InversionPoint",
        "InpaintingPoint",
        "InterpolationPoint",
        "TruncationPoint",
        "SweepTableSpec",
    ):
        assert DEFS[point]["properties"]["sweep"]["$ref"] == "#/$defs/sweep"
    assert DEFS["sweep"]["enum"] == list(SWEEPS)
    assert DEFS["generator_kind"]["enum"] == [k.name for k in GENERATOR_KINDS.values()]
    assert DEFS["purify_method"]["enum"] == [PROJECT, RECONSTRUCT, NONE]


def test_max_jobs_default_is_the_counters() -> None:
    assert SCHEMAS["config.schema.yaml"]["properties"]["max_jobs"]["default"] == MAX_JOBS


def test_a_definition_that_refers_to_its_keys_does_not_close_itself() -> None:
    """JSON Schema 2020-12 applies ``additionalProperties`` beside a ``$ref`` to the node's own
    ``properties`` only: a definition that takes its keys from a ``$ref`` and closes itself
    rejects every key (``deterministic.eps: unknown key 'eps' (allowed: )``, the robust-features
    job with D_det); the definition it refers to closes the object."""
    for name, node in DEFS.items():
        if isinstance(node, dict) and "$ref" in node and "properties" not in node:
            assert "additionalProperties" not in node, name


def test_a_robust_features_spec_with_d_det_passes_its_definition() -> None:
    from advgen.config import check_spec
    from advgen.errors import ConfigError

    check_spec("DeterministicParams", {"eps": 5.0, "step_size": 0.25, "steps": 100})
    with pytest.raises(
        ConfigError, match=r"^deterministic: extra: unknown key 'extra' \(allowed: eps, step_size, steps\)$"
    ):
        check_spec(
            "DeterministicParams", {"eps": 5.0, "step_size": 0.25, "steps": 100, "extra": 1}, "deterministic"
        )
