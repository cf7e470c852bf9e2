"""One import path per name: a name of ``src/advgen`` is imported from the module that defines it.

A module hands on no name it imports (but the package faces, :data:`FACES`). The script fails,
one line ``FILE:LINE: ...`` per finding and exit status 1, on

- a re-export: ``import x as x`` or ``from m import n as n`` (the spelling that marks a name as
  handed on), an ``__all__`` naming an imported name, a star import (``from m import *``), a lazy
  table (a module-level ``__getattr__``, ``advgen.lazy_exports``'s ``__getattr__, __dir__ = ...``);
- an import of a name from a module of ``src/advgen`` that does not define it but merely imports
  it (``from advgen.config import check_grid_size`` where ``advgen.config_checks`` defines it), in
  ``src``, ``tests``, ``scripts`` and ``benchmarks``: the line names the defining module.

The package faces may re-export: ``advgen`` (``advgen.evaluate`` and ``advgen.Evaluation``, a lazy
table of :mod:`advgen.robustness.evaluate_model`'s names, so that ``import advgen`` loads no torch) and
``advgen.attacks``, whose attack classes are its names by the registry's (``from advgen.attacks
import PGD``, as torchattacks names its attacks) and ``ATTACKS``.

    python scripts/check_reexports.py            # this checkout
    python scripts/check_reexports.py --root DIR --package NAME --faces "NAME ..." [--callers DIR ...]
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: the modules that are a package's documented face and may hand names on
FACES = ("advgen", "advgen.attacks")
#: the folders whose Python files import from the package (beside the package itself)
CALLERS = ("tests", "scripts", "benchmarks")


@dataclass
class Module:
    path: Path
    package: bool
    defined: set[str] = field(default_factory=set)
    #: local name -> (the module it is imported from, its name there): module-level ``from m import n``
    imported: dict[str, tuple[str, str]] = field(default_factory=dict)


def _name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(node: ast.ImportFrom, module: str, package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _top(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, those in ``if``/``try`` blocks included."""
    for node in body:
        yield node
        if isinstance(node, ast.If):
            yield from _top(node.body)
            yield from _top(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from _top(block)


def index(src: Path, package: str) -> tuple[dict[str, Module], dict[str, ast.Module]]:
    modules, trees = {}, {}
    for path in sorted((src / package).rglob("*.py")):
        name = _name(path, src)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        mod = Module(path, path.name == "__init__.py")
        for node in _top(tree.body):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                mod.defined.add(node.name)
            elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    mod.defined |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
            elif isinstance(node, ast.Import):
                mod.defined |= {a.asname or a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                source = _absolute(node, name, mod.package)
                for alias in node.names:
                    mod.imported[alias.asname or alias.name] = (source, alias.name)
        mod.defined -= {"__all__"}
        modules[name], trees[name] = mod, tree
    return modules, trees


def reexports(name: str, mod: Module, tree: ast.Module) -> Iterator[tuple[int, str]]:
    """``(line, what)`` of each re-export of one module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if alias.asname == alias.name:
                    yield node.lineno, f"imports '{alias.name}' as itself (a re-export)"
                if alias.name == "*":
                    yield node.lineno, "imports * (a re-export of a whole module)"
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        names = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        if isinstance(node, ast.FunctionDef) and node.name == "__getattr__" or "__getattr__" in names:
            yield node.lineno, "defines a module __getattr__ (a lazy table of names)"
        if "__all__" in names and isinstance(node, ast.Assign):
            for elt in getattr(node.value, "elts", []):
                if isinstance(elt, ast.Starred):
                    yield node.lineno, "__all__ spreads a table of names"
                elif (
                    isinstance(elt, ast.Constant)
                    and elt.value in mod.imported
                    and elt.value not in mod.defined
                ):
                    yield (
                        node.lineno,
                        f"__all__ names '{elt.value}', which it imports from {mod.imported[elt.value][0]}",
                    )


def defining(modules: dict[str, Module], module: str, name: str) -> str | None:
    """The module that defines ``name`` when ``module`` merely imports it (None: ``module``
    defines it, it is a submodule, or the name is not the package's)."""
    start = module
    for _ in range(len(modules)):
        mod = modules.get(module)
        if mod is None:
            return None
        if name in mod.defined or f"{module}.{name}" in modules:
            return None if module == start else module
        if name not in mod.imported:
            return None
        module, name = mod.imported[name]
    return None


def indirect(
    path: Path, tree: ast.AST, here: str, package: bool, modules: dict[str, Module], faces: Sequence[str]
) -> Iterator[tuple[int, str]]:
    """``(line, what)`` of each import of a name from a module that does not define it."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        source = _absolute(node, here, package)
        if source not in modules or source in faces:
            continue
        for alias in node.names:
            target = defining(modules, source, alias.name)
            if target is not None and target != source:
                yield (
                    node.lineno,
                    f"imports '{alias.name}' from {source}, which does not define it: from {target}",
                )


def problems(src: Path, package: str, faces: Sequence[str], callers: Sequence[Path]) -> list[str]:
    modules, trees = index(src, package)
    out = []
    for name, mod in sorted(modules.items()):
        found = [] if name in faces else list(reexports(name, mod, trees[name]))
        found += indirect(mod.path, trees[name], name, mod.package, modules, faces)
        out += [f"{mod.path}:{line}: {what}" for line, what in sorted(set(found))]
    for folder in callers:
        for path in sorted(folder.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for line, what in sorted(set(indirect(path, tree, "", False, modules, faces))):
                out.append(f"{path}:{line}: {what}")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO / "src")
    parser.add_argument("--package", default="advgen")
    parser.add_argument("--faces", type=str.split, default=list(FACES), help='"a a.b": the package faces')
    parser.add_argument("--callers", type=Path, nargs="*", default=[REPO / c for c in CALLERS])
    args = parser.parse_args(argv)
    if not (args.root / args.package).is_dir():
        print(f"check_reexports: no package {args.package} under {args.root}", file=sys.stderr)
        return 2
    found = problems(args.root, args.package, args.faces, [c for c in args.callers if c.is_dir()])
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
