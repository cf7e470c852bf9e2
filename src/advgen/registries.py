"""The registries' lists in the config schema and the docs, written from the registries.

Each vocabulary has one registry, the one place its names (and, for attacks, parameters) are
stated: the attacks (:data:`advgen.attacks.registry.REGISTRY`, their parameters in their
dataclasses, :mod:`advgen.attacks.params`), the defense attacks
(:data:`advgen.defense.attacks.DEFENSE_ATTACKS`), the data sources
(:data:`advgen.data.sources.DATA_SOURCES`), the training modes
(:data:`advgen.classifiers.modes.TRAINING_MODES`) and the gradient-masking checks
(:data:`advgen.robustness.tables.MASKING_CHECK_REGISTRY`). This module writes their copies:

* the schema's enums of those names (``src/advgen/schemas/*.yaml``), the attack entry's
  ``params`` branch per attack, and each attack's ``params`` definition (``<module>_params``),
  written whole from its dataclass (:meth:`advgen.attacks.params.AttackParams.schema`: every
  parameter's description, type, values, range and default; :func:`attack_problems` names what
  a dataclass leaves unstated);
* the defaults of the settings objects whose dataclass states them (:data:`SETTINGS`: the
  gradient-masking checks' sizes, :class:`advgen.robustness.masking_spec.MaskingSettings`; the
  adaptive attacks' budget, :class:`advgen.defense.adaptive.AdaptiveBudget`);
* the job specs' definitions in ``jobs.schema.yaml``, written from the spec dataclasses
  (:mod:`advgen.pipeline.spec_schema`: each field's annotation and ``job_schema`` metadata);
* the lists in ``README.md`` and ``config/README.md`` (and the table of attacks in the
  docstring of :mod:`advgen.attacks`) between ``<!-- registry:<list> -->`` and
  ``<!-- /registry:<list> -->``.

``python -m advgen.registries`` checks every copy (exit 1, one line per stale copy);
``--write`` rewrites the stale ones in place. ``tests/unit/test_registries_written.py`` runs the
check, so a registry edit without ``--write`` fails the tests.

Why written copies and a check rather than enums filled in when :mod:`advgen.config` loads the
schema: the schema files stay complete JSON Schema that a reader, an editor's YAML plugin or any
validator can use on their own, and :mod:`advgen.config`, which sits below the stages in the
layers, imports none of the stages' registries. The registry is still the one source: the
copies are generated from it, never edited by hand, and the check fails on any drift.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import re
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from advgen.attacks.registry import BUDGET_TRANSFER_ATTACKS, REGISTRY, TRANSFER_ATTACKS
from advgen.classifiers.modes import SWEPT_MODES, TRAINING_MODES
from advgen.config import SCHEMA_DIR
from advgen.data.sources import DATA_SOURCES
from advgen.defense.attacks import DEFENSE_ATTACKS
from advgen.pipeline.spec_schema import jobs_schema_problems, write_jobs_schema
from advgen.robustness.tables import MASKING_CHECK_REGISTRY

#: the checkout's root (README.md, config/README.md); the schemas are package data
REPO = Path(__file__).resolve().parents[2]


# --- the schema's copies -----------------------------------------------------------------------
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
ATTACK_SCHEMA = "robustness.schema.yaml"
BRANCHES = ("$defs", "attack_params", "allOf")
EPS_DESCRIPTION = ("$defs", "attack", "properties", "eps", "description")


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


def budget_grid() -> str:
    """What an attack entry's ``eps`` grid means, attack by attack (by distance measure)."""
    groups: dict[str, list[str]] = {"radius": [], "minimal": [], "l0": [], "spatial": []}
    for name, info in REGISTRY.items():
        groups[
            "minimal" if info.minimal else info.norm if info.norm in ("l0", "spatial") else "radius"
        ].append(name)
    radius = ", ".join(groups["radius"])
    if groups["minimal"]:
        radius += f"; {', '.join(groups['minimal'])} count an example fooled within it"
    parts = [f"Linf/L2 radius ({radius})"]
    if groups["l0"]:
        parts.append(f"pixels changed ({', '.join(groups['l0'])})")
    if groups["spatial"]:
        parts.append(f"share of the rotation/translation range ({', '.join(groups['spatial'])})")
    return "budget grid: " + ", ".join(parts)


def params_def(name: str) -> str:
    """The ``$defs`` key of attack ``name``'s ``params``."""
    return f"{REGISTRY[name].module}_params"


def branches() -> list[dict[str, Any]]:
    """``attack_params``'s ``allOf`` (an attack entry's and a job spec's): each attack's ``params``
    checked by its definition."""
    return [
        {
            "if": {"properties": {"attack": {"const": name}}},
            "then": {"properties": {"params": {"$ref": f"#/$defs/{params_def(name)}"}}},
        }
        for name in REGISTRY
    ]


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same JSON type (1 and 1.0 differ: a spec would change)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _scalar(value: Any) -> str:
    """``value`` as a YAML flow scalar."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, float) and math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    return text if yaml.safe_load(text) == text and re.fullmatch(r"[\w.-]+", text) else json.dumps(text)


def _flow(values: Sequence[Any]) -> str:
    return "[" + ", ".join(_scalar(v) for v in values) + "]"


#: the JSON Schema keywords of a range (:func:`advgen.attacks.params.interval`)
BOUNDS = ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum")


def params_schema(name: str) -> dict[str, Any]:
    """The schema's ``params`` definition of attack ``name``, from its dataclass."""
    return REGISTRY[name].params.schema()


def attack_problems() -> list[str]:
    """What an attack's dataclass leaves unstated that its schema definition needs (one line each)."""
    return [line for info in REGISTRY.values() for line in info.params.unstated()]


def _key_problems(where: str, name: str, have: dict[str, Any], want: dict[str, Any]) -> list[str]:
    """One line per key of ``have`` that is not ``want``'s (properties aside)."""
    problems = []
    for k in dict.fromkeys([*want, *have]):
        if k == "properties":
            continue
        if k not in want:
            problems.append(f"{where}: {k!r}, which {name}'s dataclass does not state")
        elif not (k in have and _same(have[k], want[k])):
            problems.append(f"{where}.{k}: {have.get(k)!r}, not {want[k]!r}")
    return problems


def _params_problems(name: str, have: Any) -> list[str]:
    """How the schema's ``params`` definition ``have`` of attack ``name`` differs from its
    dataclass's (one line per differing key)."""
    key, want = params_def(name), params_schema(name)
    where = f"{ATTACK_SCHEMA}: $defs.{key}"
    if not isinstance(have, dict):
        return [f"{where}: missing ({name}'s params)"]
    problems = _key_problems(where, name, have, want)
    props, wanted = have.get("properties") or {}, want["properties"]
    for arg in dict.fromkeys([*wanted, *props]):
        at = f"{where}.properties.{arg}"
        if arg not in wanted:
            problems.append(f"{at}: no parameter of {name} ({', '.join(wanted) or 'none'})")
        elif not isinstance(props.get(arg), dict):
            problems.append(f"{at}: missing")
        else:
            problems += _key_problems(at, name, props[arg], wanted[arg])
    return problems


def _node(tree: Any, path: Sequence[str]) -> Any:
    for key in path:
        tree = tree.get(key) if isinstance(tree, dict) else None
    return tree


def schema_problems(schema_dir: Path = SCHEMA_DIR) -> list[str]:
    """Every copy in the schema that differs from its registry (one line each)."""
    problems = []
    trees: dict[str, Any] = {}

    def tree(name: str) -> Any:
        if name not in trees:
            trees[name] = yaml.safe_load((schema_dir / name).read_text(encoding="utf-8"))
        return trees[name]

    for enum in ENUMS:
        if _node(tree(enum.schema), enum.path) != list(enum.values):
            problems.append(f"{enum.schema}: {'.'.join(enum.path)} is not {_flow(enum.values)}")
    if _node(tree(ATTACK_SCHEMA), EPS_DESCRIPTION) != budget_grid():
        problems.append(f"{ATTACK_SCHEMA}: {'.'.join(EPS_DESCRIPTION)} is not {budget_grid()!r}")
    if _node(tree(ATTACK_SCHEMA), BRANCHES) != branches():
        problems.append(
            f"{ATTACK_SCHEMA}: {'.'.join(BRANCHES)}: not one params branch per attack of the registry"
        )
    for entry in SETTINGS:
        node, defaults = _node(tree(entry.schema), entry.path), entry.defaults()
        where = f"{entry.schema}: {'.'.join(entry.path)}"
        for arg, prop in (node.get("properties") or {}).items():
            if arg in defaults and not _same(prop.get("default"), defaults[arg]):
                problems.append(
                    f"{where}.properties.{arg}.default: {prop.get('default')!r}, not {defaults[arg]!r}"
                )
        if entry.whole and not _same(node.get("default"), defaults):
            problems.append(f"{where}.default: not {defaults!r}")
    for name in REGISTRY:
        problems += _params_problems(name, _node(tree(ATTACK_SCHEMA), ("$defs", params_def(name))))
    return problems


# --- rewriting the YAML text in place (comments, order and style kept) -------------------------
def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block(lines: list[str], path: Sequence[str]) -> tuple[int, int]:
    """(line of the last key of ``path``, end of its block) in a block-style YAML text."""
    lo, hi, indent, found = 0, len(lines), 0, -1
    for key in path:
        found = next(
            (
                i
                for i in range(lo, hi)
                if _indent(lines[i]) == indent and lines[i].lstrip().startswith(f"{key}:")
            ),
            -1,
        )
        if found < 0:
            raise LookupError(f"{'.'.join(path)}: no key '{key}'")
        end = found + 1
        while end < hi and (not lines[end].strip() or _indent(lines[end]) > indent):
            end += 1
        while end > found + 1 and not lines[end - 1].strip():
            end -= 1
        lo, hi = found + 1, end
        indent = next((_indent(line) for line in lines[lo:hi] if line.strip()), indent + 2)
    return found, hi


def _set_value(lines: list[str], path: Sequence[str], text: str) -> None:
    at, _ = _block(lines, path)
    lines[at] = f"{' ' * _indent(lines[at])}{path[-1]}: {text}"


def write_schema(schema_dir: Path = SCHEMA_DIR) -> list[str]:
    """Rewrite the schema's stale copies; the files changed."""
    changed = []
    for name in sorted({e.schema for e in ENUMS} | {ATTACK_SCHEMA} | {e.schema for e in SETTINGS}):
        path = schema_dir / name
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for enum in (e for e in ENUMS if e.schema == name):
            _set_value(lines, enum.path, _flow(enum.values))
        if name == ATTACK_SCHEMA:
            _write_attacks(lines)
        for entry in (e for e in SETTINGS if e.schema == name):
            _write_settings(lines, entry)
        new = "\n".join(lines) + "\n"
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(str(path))
    return changed


def _yaml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml_value(v)}" for k, v in value.items()) + "}"
    return _flow(value) if isinstance(value, list) else _scalar(value)


def _write_settings(lines: list[str], entry: SettingsDefaults) -> None:
    """Rewrite the stale defaults of ``entry``'s schema object (only those: the rest of the text
    stays as written)."""
    node, defaults = _node(yaml.safe_load("\n".join(lines)), entry.path), entry.defaults()
    for arg, prop in (node.get("properties") or {}).items():
        if arg in defaults and not _same(prop.get("default"), defaults[arg]):
            _set_value(lines, (*entry.path, "properties", arg, "default"), _yaml_value(defaults[arg]))
    if entry.whole and not _same(node.get("default"), defaults):
        at, end = _block(lines, (*entry.path, "default"))
        lines[at:end] = [f"{' ' * _indent(lines[at])}default: {_yaml_value(defaults)}"]


def _write_attacks(lines: list[str]) -> None:
    at, end = _block(lines, EPS_DESCRIPTION)
    pad = " " * (_indent(lines[at]) + 2)
    lines[at:end] = [
        f"{pad[:-2]}description: >-",
        *textwrap.wrap(budget_grid(), 100, initial_indent=pad, subsequent_indent=pad),
    ]
    at, end = _block(lines, BRANCHES)
    indent = _indent(lines[at]) + 2
    generated = []
    pad = " " * indent
    for name in REGISTRY:
        generated.append(f"{pad}- if: {{properties: {{attack: {{const: {name}}}}}}}")
        generated.append(f'{pad}  then: {{properties: {{params: {{$ref: "#/$defs/{params_def(name)}"}}}}}}')
    lines[at + 1 : end] = generated
    for name in REGISTRY:
        key = params_def(name)
        written = _object_lines(key, params_schema(name), 2)
        if not isinstance(_node(yaml.safe_load("\n".join(lines)), ("$defs", key)), dict):
            lines += ["", *written]
            continue
        at, end = _block(lines, ("$defs", key))
        lines[at:end] = written


def _description_lines(text: str, indent: int) -> list[str]:
    """``description: text`` at ``indent``: on one line where it fits (plain, else quoted) and
    reads back as the same string, else folded (``>-``) and wrapped at 100 columns."""
    pad = " " * indent
    quoted = "'" + text.replace("'", "''") + "'"
    for value in (text, quoted, json.dumps(text, ensure_ascii=False)):
        line = f"{pad}description: {value}"
        if len(line) <= 100 and _reads_back(line, {"description": text}):
            return [line]
    body = textwrap.wrap(
        text, 100, initial_indent=pad + "  ", subsequent_indent=pad + "  ", break_on_hyphens=False
    )
    lines = [f"{pad}description: >-", *body]
    if not _reads_back("\n".join(lines), {"description": text}):
        raise ValueError(f"a description YAML cannot fold as it is: {text!r}")
    return lines


def _reads_back(text: str, value: Any) -> bool:
    """Whether the YAML ``text`` is ``value`` (a colon or a hash inside plain text is not)."""
    try:
        return bool(yaml.safe_load(text) == value)
    except yaml.YAMLError:
        return False


def _flow_value(value: Any) -> str:
    """``value`` in YAML flow style."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow_value(v) for v in value) + "]"
    return _scalar(value)


def _object_lines(key: str, node: dict[str, Any], indent: int) -> list[str]:
    """``key:`` and ``node`` in block style at ``indent``: its ``properties`` and their values as
    blocks, a ``description`` by :func:`_description_lines`, other values in flow style."""
    pad = " " * indent
    if not node:
        return [f"{pad}{key}: {{}}"]
    lines = [f"{pad}{key}:"]
    for k, v in node.items():
        if k == "description" and isinstance(v, str):
            lines += _description_lines(v, indent + 2)
        elif isinstance(v, dict) and (key == "properties" or k == "properties"):
            lines += _object_lines(k, v, indent + 2)
        else:
            lines.append(f"{pad}  {k}: {_flow_value(v)}")
    return lines


# --- the docs' lists ---------------------------------------------------------------------------
def _code(names: Sequence[str], sep: str = ", ") -> str:
    return sep.join(f"`{n}`" for n in names)


def _and(names: Sequence[str], last: str = "and") -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {last} {names[-1]}"


def _attack_params() -> str:
    schema = yaml.safe_load((SCHEMA_DIR / ATTACK_SCHEMA).read_text(encoding="utf-8"))["$defs"]
    parts = []
    for name, info in REGISTRY.items():
        props = schema.get(params_def(name), {}).get("properties", {})
        defaults = info.defaults
        items = []
        for arg in props:
            value = _scalar(defaults[arg]) if arg in defaults else "none"
            choices = props[arg].get("enum")
            items.append(f"`{arg}` {value}" + (f" ({'/'.join(map(str, choices))})" if choices else ""))
        parts.append(f"{name} ({info.paper}): " + (", ".join(items) if items else "none"))
    return "; ".join(parts)


def _eps_meaning(name: str) -> str:
    info = REGISTRY[name]
    if info.minimal:
        return "inf = minimal perturbation"
    meanings = {"l0": "number of pixels", "spatial": "share of the rotation/translation range"}
    return meanings.get(info.norm, "budget")


def _attack_table() -> str:
    """An RST table of the attacks (the attacks package's docstring)."""
    rows = [("class", "paper", "measure", "kind", "eps")]
    rows += [(n, i.paper, ", ".join(i.norms), i.kind, _eps_meaning(n)) for n, i in REGISTRY.items()]
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    rule = "  ".join("=" * w for w in widths)
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(["", "", rule, lines[0], rule, *lines[1:], rule, "", ""])


#: list name -> its text, for ``<!-- registry:<name> -->`` blocks of the docs
LISTS: dict[str, Callable[[], str]] = {
    "attacks": lambda: _and(list(REGISTRY)),
    "attack_table": _attack_table,
    "attack_names": lambda: _code(REGISTRY),
    "attack_params": _attack_params,
    "budget_grid": budget_grid,
    "budget_transfer_attacks": lambda: "/".join(BUDGET_TRANSFER_ATTACKS),
    "minimal_transfer_attacks": lambda: "/".join(
        a for a in TRANSFER_ATTACKS if a not in BUDGET_TRANSFER_ATTACKS
    ),
    "data_sources": lambda: _code(DATA_SOURCES, r" \| "),
    "training_modes": lambda: "; ".join(f"`{m.name}`: {m.about}" for m in TRAINING_MODES.values()),
    "swept_modes": lambda: _code(SWEPT_MODES),
    "defense_attacks": lambda: _code(DEFENSE_ATTACKS),
    "masking_checks": lambda: f"{len(MASKING_CHECK_REGISTRY)}: " + _code(MASKING_CHECK_REGISTRY),
}
#: the files with generated lists, and the lists each must hold
DOCS = {
    "README.md": ("attacks",),
    "src/advgen/attacks/__init__.py": ("attack_table",),
    "config/README.md": (
        "data_sources",
        "training_modes",
        "swept_modes",
        "attack_names",
        "budget_grid",
        "attack_params",
        "budget_transfer_attacks",
        "minimal_transfer_attacks",
        "masking_checks",
        "defense_attacks",
    ),
}
_BLOCK = re.compile(r"<!-- registry:(\w+) -->(.*?)<!-- /registry:\1 -->", re.S)


def render(text: str) -> str:
    """``text`` with every ``registry:<name>`` block holding its list."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in LISTS:
            raise KeyError(f"no registry list '{name}' (known: {', '.join(LISTS)})")
        return f"<!-- registry:{name} -->{LISTS[name]()}<!-- /registry:{name} -->"

    return _BLOCK.sub(fill, text)


def docs_problems(repo: Path = REPO) -> list[str]:
    """Every docs block that is missing or differs from its registry (one line each)."""
    problems = []
    for rel, names in DOCS.items():
        text = (repo / rel).read_text(encoding="utf-8")
        blocks = {m.group(1): m.group(2) for m in _BLOCK.finditer(text)}
        for name in names:
            if name not in blocks:
                problems.append(f"{rel}: no <!-- registry:{name} --> block")
            elif blocks[name] != LISTS[name]():
                problems.append(f"{rel}: the registry:{name} block differs from the registry")
        for name in sorted(set(blocks) - set(LISTS)):
            problems.append(f"{rel}: unknown block registry:{name}")
    return problems


def write_docs(repo: Path = REPO) -> list[str]:
    """Rewrite the docs' stale blocks; the files changed."""
    changed = []
    for rel in DOCS:
        path = repo / rel
        text = path.read_text(encoding="utf-8")
        new = render(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(str(path))
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m advgen.registries", description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the stale copies in place")
    args = parser.parse_args(argv)
    if args.write:
        for path in write_schema() + write_jobs_schema() + write_docs():
            print(f"wrote {path}")
    stale = schema_problems() + jobs_schema_problems() + docs_problems()
    problems = attack_problems() + stale
    for line in problems:
        print(line)
    unstated = len(problems) - len(stale)
    if unstated:
        print(
            f"{unstated} statements missing from attack dataclasses: see docs/contributing.md",
            file=sys.stderr,
        )
    if len(problems) > unstated:
        print(
            f"{len(problems) - unstated} stale copies: python -m advgen.registries --write", file=sys.stderr
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
