"""The import-layer contract of advgen: no cycle, and no import from a lower layer to a higher one.

advgen is a top-down stack (:data:`LAYERS`, stated here once). Every ``import`` of every
module under ``src/advgen`` counts, the ones inside function bodies included. A *unit* is a
subpackage or a module directly under ``advgen`` (``advgen.defense``, ``advgen.smoke``). The
script fails, one line per violation and exit status 1, when

- a unit imports a unit of a higher layer (a back arrow);
- two units import each other, directly or through others (a cycle between units);
- two modules import each other at run time, directly or through others (a cycle between
  modules). An import under ``if TYPE_CHECKING:`` runs nothing, so it closes no cycle between
  modules (a job kind's functions take the plan that holds the job kinds); it still counts for
  the layers and for the cycles between units.

Units in one layer may import each other, as long as no cycle forms. A unit missing from
:data:`LAYERS` is a violation too, so a new package must be placed in the stack.

    python scripts/check_layers.py            # the tree of this checkout
    python scripts/check_layers.py --root DIR --package NAME --layers "a | b c | d"
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

#: advgen's layers, top down: a unit may import units of its own layer and of the layers below.
#: (``__init__``: ``advgen/__init__.py`` itself, an entry point beside the commands: its
#: ``advgen.evaluate`` calls :mod:`advgen.robustness.evaluate_model`; ``smoke_sizes``: the smoke
#: run's sizes, which the attack and sweep registries read while the smoke config, layers up,
#: reads the registries.)
LAYERS: tuple[tuple[str, ...], ...] = (
    ("warm",),
    ("__main__", "cli", "registries", "run_record"),
    ("commands", "__init__"),
    ("pipeline",),
    ("findings", "claims", "config_files", "profiles", "report_facts", "provenance_page", "smoke"),
    ("plots",),
    ("probe", "robustness"),
    ("defense",),
    ("sweeps",),
    ("jobs", "metrics", "ae", "gan", "classifiers", "training", "models"),
    (
        "cv",
        "config",
        "config_checks",
        "data",
        "io",
        "checkpoints",
        "input_files",
        "write_errors",
        "output_lock",
        "output_set",
        "generators",
        "architectures",
    ),
    ("attacks",),
    (
        "smoke_sizes",
        "lazy_exports",
        "columns",
        "paths",
        "provenance",
        "yaml_loader",
        "replicates",
        "seed_base",
        "settings",
        "device",
        "seeding",
        "precision",
        "termination",
        "specs",
        "jobfiles",
        "stacked_bundle",
        "strict_json",
        "errors",
        "time_left",
        "named",
    ),
)


def parse_layers(text: str) -> tuple[tuple[str, ...], ...]:
    """``"a | b c | d"``: layers top down separated by ``|``, units by spaces."""
    return tuple(tuple(part.split()) for part in text.split("|"))


def _module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _typing_only(tree: ast.AST) -> set[ast.AST]:
    """The import statements inside an ``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``) block."""
    found: set[ast.AST] = set()
    for node in ast.walk(tree):
        test = node.test if isinstance(node, ast.If) else None
        name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else ""
        if name == "TYPE_CHECKING":
            found |= {
                n for stmt in node.body for n in ast.walk(stmt) if isinstance(n, ast.Import | ast.ImportFrom)
            }
    return found


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, str, int, bool]]:
    """``(module, submodule, line, typing only)`` of every import, wherever the statement is
    (module level, function, class, ``if``): ``from a import b`` imports ``a.b`` where that is a
    module, else ``a``; ``import a.b`` imports ``a.b``."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    typing_only = _typing_only(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, alias.name, node.lineno, node in typing_only
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                yield target, f"{target}.{alias.name}", node.lineno, node in typing_only


@dataclass(frozen=True)
class Edge:
    """An import of one module by another: its first line, and whether every import of it is
    for the type checker alone (``if TYPE_CHECKING:``)."""

    line: int
    typing_only: bool


def module_graph(src: Path, package: str) -> dict[str, dict[str, Edge]]:
    """module -> {imported module of ``package``: its edge}, for every module under ``src/package``."""
    files = sorted((src / package).rglob("*.py"))
    modules = {_module_name(f, src): f for f in files}
    graph: dict[str, dict[str, Edge]] = {}
    for name, path in modules.items():
        edges: dict[str, Edge] = {}
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for parent, child, line, typing_only in _imports(tree, name, path.name == "__init__.py"):
            target = child if child in modules else parent
            if target in modules and target != name:
                seen = edges.get(target)
                edges[target] = Edge(
                    seen.line if seen else line, typing_only and (seen.typing_only if seen else True)
                )
        graph[name] = edges
    return graph


def unit_of(module: str, package: str) -> str:
    """The layer unit of a module: the first name below ``package`` (the package itself: ``__init__``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def violations(src: Path, package: str, layers: Sequence[Sequence[str]]) -> list[str]:
    """One line per broken rule of the contract (empty when the tree keeps it)."""
    graph = module_graph(src, package)
    rank = {unit: i for i, layer in enumerate(layers) for unit in layer}
    problems: list[str] = []
    units: dict[str, set[str]] = {}
    for module, edges in sorted(graph.items()):
        unit = unit_of(module, package)
        units.setdefault(unit, set())
        if unit not in rank:
            problems.append(f"{module}: unit '{unit}' is in no layer (add it to LAYERS)")
            continue
        for target, edge in sorted(edges.items()):
            other = unit_of(target, package)
            if other == unit:
                continue
            units[unit].add(other)
            if other in rank and rank[other] < rank[unit]:
                path = src / Path(*module.split("."))
                where = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
                problems.append(
                    f"{where}:{edge.line}: {module} imports {target}, a higher layer ({unit} -> {other})"
                )
    for component in cycles(units):
        problems.append(f"cycle between units: {' <-> '.join(component)}")
    module_edges = {
        module: {t for t, e in edges.items() if not e.typing_only} for module, edges in graph.items()
    }
    for component in cycles(module_edges):
        problems.append(f"cycle between modules: {' <-> '.join(component)}")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1] / "src")
    parser.add_argument("--package", default="advgen")
    parser.add_argument("--layers", type=parse_layers, default=LAYERS, help='"a | b c | d", top down')
    args = parser.parse_args(argv)
    if not (args.root / args.package).is_dir():
        print(f"check_layers: no package {args.package} under {args.root}", file=sys.stderr)
        return 2
    problems = violations(args.root, args.package, args.layers)
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
