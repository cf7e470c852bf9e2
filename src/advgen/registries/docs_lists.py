"""The docs' copies of the registries' lists: the ``<!-- registry:<list> -->`` blocks of
``README.md`` and ``config/README.md`` and the table of attacks in the docstring of
:mod:`advgen.attacks`, checked (:func:`docs_problems`) and rewritten (:func:`write_docs`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import yaml

from advgen.attacks.registry import BUDGET_TRANSFER_ATTACKS, REGISTRY, TRANSFER_ATTACKS
from advgen.classifiers.modes import SWEPT_MODES, TRAINING_MODES
from advgen.config import SCHEMA_DIR
from advgen.data.sources import DATA_SOURCES
from advgen.defense.attacks import DEFENSE_ATTACKS
from advgen.registries.attack_copies import ATTACK_SCHEMA, budget_grid, params_def
from advgen.registries.yaml_text import scalar
from advgen.robustness.tables import MASKING_CHECK_REGISTRY

#: the checkout's root (README.md, config/README.md); the schemas are package data
REPO = Path(__file__).resolve().parents[3]


def _code(names: Iterable[str], sep: str = ", ") -> str:
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
            value = scalar(defaults[arg]) if arg in defaults else "none"
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
