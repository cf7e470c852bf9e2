"""The schema's copies of the registries' names and of the settings dataclasses' defaults:
checked (:func:`schema_problems`) and rewritten in place (:func:`write_schema`), the attacks'
copies with them (:mod:`advgen.registries.attack_copies`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from advgen.attacks.registry import REGISTRY
from advgen.classifiers.modes import SWEPT_MODES, TRAINING_MODES
from advgen.config import SCHEMA_DIR
from advgen.data.sources import DATA_SOURCES
from advgen.defense.attacks import DEFENSE_ATTACKS
from advgen.registries.attack_copies import ATTACK_SCHEMA, attack_schema_problems, write_attacks
from advgen.registries.yaml_text import block, flow_value, indent_of, node_at, same, set_value


@dataclass(frozen=True)
class Enum:
    """The enum at ``path`` of schema file ``schema`` lists ``values`` (in this order)."""

    schema: str
    path: tuple[str, ...]
    values: tuple[str, ...]


ENUMS = (
    Enum("robustness.schema.yaml", ("$defs", "attack", "properties", "attack", "enum"), tuple(REGISTRY)),
    Enum(
        "robustness.schema.yaml", ("$defs", "classifier", "properties", "mode", "enum"), tuple(TRAINING_MODES)
    ),
    Enum(
        "robustness.schema.yaml", ("$defs", "capacity", "properties", "modes", "items", "enum"), SWEPT_MODES
    ),
    Enum(
        "robustness.schema.yaml", ("$defs", "data_size", "properties", "modes", "items", "enum"), SWEPT_MODES
    ),
    Enum("defense.schema.yaml", ("$defs", "attack", "enum"), tuple(DEFENSE_ATTACKS)),
    Enum("data.schema.yaml", ("$defs", "dataset", "properties", "source", "enum"), tuple(DATA_SOURCES)),
)


@dataclass(frozen=True)
class SettingsDefaults:
    """The schema object at ``path`` of ``schema`` configures the settings dataclass that
    ``settings()`` returns: each of its properties named after a field has that field's default
    (the dataclass states it, with the paper it comes from), and with ``whole`` the object's own
    ``default`` lists every field's."""

    schema: str
    path: tuple[str, ...]
    settings: Callable[[], type]
    whole: bool = False

    def defaults(self) -> dict[str, Any]:
        """The dataclass's field defaults, as JSON values (tuples as lists)."""
        cls = self.settings()
        return {
            f.name: list(f.default) if isinstance(f.default, tuple) else f.default
            for f in dataclasses.fields(cls)
            if f.default is not dataclasses.MISSING
        }

    def stale(self, tree: Any) -> list[tuple[tuple[str, ...], Any, Any]]:
        """(path, value, default) of each default in the schema ``tree`` (parsed) that is not the
        dataclass's: only those (the rest of the text stays as written)."""
        node, defaults = node_at(tree, self.path), self.defaults()
        out = [
            ((*self.path, "properties", arg, "default"), prop.get("default"), defaults[arg])
            for arg, prop in (node.get("properties") or {}).items()
            if arg in defaults and not same(prop.get("default"), defaults[arg])
        ]
        if self.whole and not same(node.get("default"), defaults):
            out.append(((*self.path, "default"), node.get("default"), defaults))
        return out


def _masking_settings() -> type:
    from advgen.robustness.masking_spec import MaskingSettings

    return MaskingSettings


def _adaptive_budget() -> type:
    from advgen.defense.adaptive import AdaptiveBudget

    return AdaptiveBudget


SETTINGS = (
    SettingsDefaults("robustness.schema.yaml", ("$defs", "masking_checks"), _masking_settings),
    SettingsDefaults(
        "defense.schema.yaml", ("$defs", "purify", "properties", "budget"), _adaptive_budget, whole=True
    ),
)


def schema_problems(schema_dir: Path = SCHEMA_DIR) -> list[str]:
    """Every copy in the schema that differs from its registry (one line each)."""
    problems = []
    trees: dict[str, Any] = {}

    def tree(name: str) -> Any:
        if name not in trees:
            trees[name] = yaml.safe_load((schema_dir / name).read_text(encoding="utf-8"))
        return trees[name]

    for enum in ENUMS:
        if node_at(tree(enum.schema), enum.path) != list(enum.values):
            problems.append(f"{enum.schema}: {'.'.join(enum.path)} is not {flow_value(enum.values)}")
    problems += attack_schema_problems(tree(ATTACK_SCHEMA))
    for entry in SETTINGS:
        for path, have, want in entry.stale(tree(entry.schema)):
            whole = len(path) == len(entry.path) + 1  # the object's own default: too long to show
            shown = f"not {want!r}" if whole else f"{have!r}, not {want!r}"
            problems.append(f"{entry.schema}: {'.'.join(path)}: {shown}")
    return problems


def write_schema(schema_dir: Path = SCHEMA_DIR) -> list[str]:
    """Rewrite the schema's stale copies; the files changed."""
    changed = []
    for name in sorted({e.schema for e in ENUMS} | {ATTACK_SCHEMA} | {e.schema for e in SETTINGS}):
        path = schema_dir / name
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for enum in (e for e in ENUMS if e.schema == name):
            set_value(lines, enum.path, flow_value(enum.values))
        if name == ATTACK_SCHEMA:
            write_attacks(lines)
        for entry in (e for e in SETTINGS if e.schema == name):
            for at, _, want in entry.stale(yaml.safe_load("\n".join(lines))):
                start, end = block(lines, at)
                lines[start:end] = [f"{' ' * indent_of(lines[start])}{at[-1]}: {flow_value(want)}"]
        new = "\n".join(lines) + "\n"
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(str(path))
    return changed
