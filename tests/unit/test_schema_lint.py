"""Schema lint: every schema under src/advgen/schemas speaks JSON Schema 2020-12 and nothing else,
and every numeric key is bounded on both sides and described.

JSON Schema ignores a keyword it does not know, so a typo'd or stray key (a description broken
by a colon: ``description: model queries per input (paper 5`` followed by a key ``000)``) changes
nothing a validator reports: only a lint finds it. The vocabulary is the draft's own, read from
the meta-schemas that ``jsonschema`` ships (the seven vocabularies of
https://json-schema.org/draft/2020-12/schema; not its deprecated ``definitions``,
``dependencies``, ``$recursiveRef``, ``$recursiveAnchor``). The project adds no keyword of its
own (:data:`PROJECT_KEYWORDS`): it only changes the meaning of two, in :mod:`advgen.config`'s
validator (a ``default`` is filled in, a ``pattern`` matches the whole value).

A numeric key (a property whose values may be numbers, or arrays of numbers: a grid) has a
``description`` (on the property, or on the definition its ``$ref`` names) and every schema that
admits numbers states a lower bound (``minimum`` / ``exclusiveMinimum``) and an upper one
(``maximum`` / ``exclusiveMaximum``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema_specifications import REGISTRY as META

from advgen.config import SCHEMA_DIR

DRAFT = "https://json-schema.org/draft/2020-12/schema"
#: keywords the project uses beyond the draft's vocabularies: none (see the module docstring)
PROJECT_KEYWORDS: frozenset[str] = frozenset()

#: where a keyword's value holds subschemas: one, a name -> schema map, or a list
SUBSCHEMA = {
    "additionalProperties",
    "contains",
    "contentSchema",
    "else",
    "if",
    "items",
    "not",
    "propertyNames",
    "then",
    "unevaluatedItems",
    "unevaluatedProperties",
}
SUBSCHEMA_MAPS = {"$defs", "dependentSchemas", "patternProperties", "properties"}
SUBSCHEMA_LISTS = {"allOf", "anyOf", "oneOf", "prefixItems"}
NUMERIC = {"integer", "number"}


def vocabulary() -> frozenset[str]:
    """The keywords of draft 2020-12: the ``properties`` of its vocabularies' meta-schemas."""
    words: set[str] = set()
    for vocab in META.contents(DRAFT)["$vocabulary"]:
        words |= set(META.contents(vocab.replace("/vocab/", "/meta/")).get("properties", {}))
    return frozenset(words)


KEYWORDS = vocabulary() | PROJECT_KEYWORDS


def subschemas(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    """Every schema object in ``node`` (itself included) with its key path."""
    if not isinstance(node, dict):
        return
    yield path, node
    for key, value in node.items():
        if key in SUBSCHEMA:
            yield from subschemas(value, (*path, key))
        elif key in SUBSCHEMA_MAPS and isinstance(value, dict):
            for name, sub in value.items():
                yield from subschemas(sub, (*path, key, name))
        elif key in SUBSCHEMA_LISTS and isinstance(value, list):
            for i, sub in enumerate(value):
                yield from subschemas(sub, (*path, key, str(i)))


class Schemas:
    """The schema files of a folder, with ``$ref`` lookups between them."""

    def __init__(self, folder: Path) -> None:
        self.trees = {
            f.name: yaml.safe_load(f.read_text(encoding="utf-8")) for f in sorted(folder.glob("*.yaml"))
        }

    def resolve(self, ref: str, file: str) -> tuple[str, Any]:
        """``(file, node)`` that ``ref`` (``#/$defs/x`` or ``other.schema.yaml#/$defs/x``) names."""
        target, _, pointer = ref.partition("#")
        file = target or file
        node = self.trees[file]
        for part in filter(None, pointer.split("/")):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return file, node

    def numeric(self, node: Any, file: str, seen: frozenset[str] = frozenset()) -> bool:
        """Whether ``node`` admits numbers, or arrays of them (through ``$ref``, combinators, items)."""
        if not isinstance(node, dict):
            return False
        types = node.get("type", [])
        if NUMERIC & set(types if isinstance(types, list) else [types]):
            return True
        if "$ref" in node and node["$ref"] not in seen:
            target = self.resolve(node["$ref"], file)
            if self.numeric(target[1], target[0], seen | {node["$ref"]}):
                return True
        branches = [node.get(k) for k in ("items", "then", "else")]
        branches += [b for k in ("anyOf", "oneOf", "allOf") for b in node.get(k, [])]
        return any(self.numeric(b, file, seen) for b in branches)

    def described(self, node: Any, file: str) -> bool:
        """A description on ``node``, on the definition its ``$ref`` names, or on each numeric
        branch of its ``anyOf`` / ``oneOf`` (``null`` or a described key)."""
        if not isinstance(node, dict):
            return False
        if "description" in node:
            return True
        if "$ref" in node:
            return self.described(*reversed(self.resolve(node["$ref"], file)))
        branches = [b for k in ("anyOf", "oneOf") for b in node.get(k, []) if self.numeric(b, file)]
        return bool(branches) and all(self.described(b, file) for b in branches)

    def problems(self) -> list[str]:
        """One line per stray keyword, unbounded number and undescribed numeric key."""
        out = []
        for file, tree in self.trees.items():
            for path, node in subschemas(tree):
                where = f"{file}: {'.'.join(path) or '<root>'}"
                for key in node:
                    if key not in KEYWORDS:
                        out.append(f"{where}: {key!r} is no JSON Schema 2020-12 keyword")
                types = node.get("type", [])
                if NUMERIC & set(types if isinstance(types, list) else [types]) and not (
                    {"enum", "const"} & set(node)
                ):
                    for side, keys in (
                        ("a lower", ("minimum", "exclusiveMinimum")),
                        ("an upper", ("maximum", "exclusiveMaximum")),
                    ):
                        if not set(keys) & set(node):
                            out.append(f"{where}: a number without {side} bound ({' or '.join(keys)})")
                if len(path) >= 2 and path[-2] == "properties" and self.numeric(node, file):
                    if not self.described(node, file):
                        out.append(f"{where}: a numeric key without a description")
        return out


def test_every_schema_keyword_is_json_schema_and_every_number_is_bounded_and_described():
    assert {"$ref", "properties", "minimum", "description", "default", "format"} <= KEYWORDS
    assert not {"definitions", "dependencies", "$recursiveRef"} & KEYWORDS  # deprecated in 2020-12
    schemas = Schemas(SCHEMA_DIR)
    assert len(schemas.trees) >= 10 and all(t["$schema"] == DRAFT for t in schemas.trees.values())
    assert schemas.problems() == []


@pytest.fixture
def schemas(tmp_path: Path) -> Path:
    """A copy of the packaged schemas, to edit."""
    return Path(shutil.copytree(SCHEMA_DIR, tmp_path / "schemas"))


def edit_once(path: Path, old: str, new: str) -> None:
    """Replace ``old``, which ``path`` holds exactly once, by ``new``."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_lint_catches_a_description_broken_into_a_stray_key(schemas: Path):
    """The bug the lint was written for: ``(paper 5,000)`` wrapped at its comma became the end of
    a description and a key ``000)`` that every validator ignored."""
    robustness = schemas / "robustness.schema.yaml"
    text = robustness.read_text(encoding="utf-8")
    start = text.index("  square_params:\n")
    at = text.index("      n_queries:\n        description: ", start)
    end = text.index("\n", text.index("description: ", at))
    robustness.write_text(
        text[:at]
        + "      n_queries:\n        description: model queries per input (paper 5\n        000): None"
        + text[end:],
        encoding="utf-8",
    )
    tree = yaml.safe_load(robustness.read_text(encoding="utf-8"))
    assert tree["$defs"]["square_params"]["properties"]["n_queries"]["000)"] == "None"
    assert Schemas(schemas).problems() == [
        "robustness.schema.yaml: $defs.square_params.properties.n_queries: '000)' is no JSON Schema "
        "2020-12 keyword"
    ]


def test_the_lint_catches_unbounded_and_undescribed_numbers(schemas: Path):
    sweeps = schemas / "sweeps.schema.yaml"
    edit_once(sweeps, "  count:\n", "  count_typo:\n    type: number\n  count:\n")  # unbounded
    edit_once(sweeps, "        description: samples per psi\n", "")  # num_samples: $ref count, no description
    edit_once(sweeps, "  generators:\n", "  generators:\n    minItem: 1\n")  # a typo
    problems = Schemas(schemas).problems()
    assert problems == [
        "sweeps.schema.yaml: $defs.count_typo: a number without a lower bound (minimum or exclusiveMinimum)",
        "sweeps.schema.yaml: $defs.count_typo: a number without an upper bound (maximum or exclusiveMaximum)",
        "sweeps.schema.yaml: $defs.generators: 'minItem' is no JSON Schema 2020-12 keyword",
        "sweeps.schema.yaml: $defs.truncation.properties.num_samples: a numeric key without a description",
    ]
