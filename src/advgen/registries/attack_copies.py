"""The attacks' copies in the robustness schema, written from the attack registry
(:data:`advgen.attacks.registry.REGISTRY`): the ``eps`` grid's description, the
``attack_params`` branch per attack and each attack's ``params`` definition
(``<module>_params``), written whole from its dataclass
(:meth:`advgen.attacks.fields.AttackParams.schema`)."""

from __future__ import annotations

import textwrap
from typing import Any

import yaml

from advgen.attacks.registry import REGISTRY
from advgen.registries.yaml_text import block, indent_of, node_at, object_lines, same

ATTACK_SCHEMA = "robustness.schema.yaml"
BRANCHES = ("$defs", "attack_params", "allOf")
EPS_DESCRIPTION = ("$defs", "attack", "properties", "eps", "description")
#: the JSON Schema keywords of a range (:func:`advgen.attacks.fields.interval`)
BOUNDS = ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum")


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
        elif not (k in have and same(have[k], want[k])):
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


def attack_schema_problems(tree: Any) -> list[str]:
    """Every attack copy in the robustness schema (``tree``, parsed) that differs from the
    registry (one line each)."""
    problems = []
    if node_at(tree, EPS_DESCRIPTION) != budget_grid():
        problems.append(f"{ATTACK_SCHEMA}: {'.'.join(EPS_DESCRIPTION)} is not {budget_grid()!r}")
    if node_at(tree, BRANCHES) != branches():
        problems.append(
            f"{ATTACK_SCHEMA}: {'.'.join(BRANCHES)}: not one params branch per attack of the registry"
        )
    for name in REGISTRY:
        problems += _params_problems(name, node_at(tree, ("$defs", params_def(name))))
    return problems


def write_attacks(lines: list[str]) -> None:
    """Rewrite the attacks' copies in the robustness schema's ``lines`` (in place)."""
    at, end = block(lines, EPS_DESCRIPTION)
    pad = " " * (indent_of(lines[at]) + 2)
    lines[at:end] = [
        f"{pad[:-2]}description: >-",
        *textwrap.wrap(budget_grid(), 100, initial_indent=pad, subsequent_indent=pad),
    ]
    at, end = block(lines, BRANCHES)
    indent = indent_of(lines[at]) + 2
    generated = []
    pad = " " * indent
    for name in REGISTRY:
        generated.append(f"{pad}- if: {{properties: {{attack: {{const: {name}}}}}}}")
        generated.append(f'{pad}  then: {{properties: {{params: {{$ref: "#/$defs/{params_def(name)}"}}}}}}')
    lines[at + 1 : end] = generated
    for name in REGISTRY:
        key = params_def(name)
        written = object_lines(key, params_schema(name), 2)
        if not isinstance(node_at(yaml.safe_load("\n".join(lines)), ("$defs", key)), dict):
            lines += ["", *written]
            continue
        at, end = block(lines, ("$defs", key))
        lines[at:end] = written
