"""The plans read the typed config only: no raw config read in the pipeline layer or a stage's plan.

:class:`advgen.pipeline.study.Study` types every section of the validated config once; the
stage plans (every module of ``src/advgen/pipeline`` and each ``src/advgen/<stage>/plan.py``)
read its attributes. This script fails, one line ``FILE:LINE: ...`` per read and exit status 1,
on a raw read there: subscripting (``config["sweeps"]``), or calling a mapping's reading
method (``.get``, ``.items``, ``.keys``, ``.values``, ``.setdefault``, ``.pop``) on, a name or
attribute called ``config``, ``cfg``, ``raw`` or ``top`` (``plan.study.config.get("cv")``), and any
attribute ``.config``/``.cfg``/``.raw``/``.top`` (the raw mapping, or the config's untyped top
level, carried on an object: ``vars(self.study.top)``). Handing the config on as an argument
(``ConfigFile.of(config, source)``: where it is typed) is allowed.

    python scripts/check_plan_config.py            # the plans of this checkout
    python scripts/check_plan_config.py FILE...    # these files
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

#: the names a raw config (or its untyped top level, :class:`advgen.config.ConfigFile`) goes by
RAW_NAMES = frozenset({"config", "cfg", "raw", "top"})
#: a mapping's methods that read it
READS = frozenset({"get", "items", "keys", "values", "setdefault", "pop"})
SRC = Path(__file__).resolve().parents[1] / "src" / "advgen"


def plan_files(src: Path = SRC) -> list[Path]:
    """Every module of the pipeline layer and every stage's ``plan.py``, sorted."""
    return sorted({*src.joinpath("pipeline").rglob("*.py"), *src.glob("*/plan.py")})


def _named(node: ast.AST) -> str | None:
    """The name of a ``config``-like name or attribute, else None."""
    if isinstance(node, ast.Name) and node.id in RAW_NAMES:
        return node.id
    if isinstance(node, ast.Attribute) and node.attr in RAW_NAMES:
        return node.attr
    return None


def raw_reads(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """``(line, what)`` of each raw config read in ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and (name := _named(node.value)):
            yield node.lineno, f"subscripts '{name}'"
        elif isinstance(node, ast.Attribute) and node.attr in READS and (name := _named(node.value)):
            yield node.lineno, f"reads '{name}.{node.attr}'"
        elif isinstance(node, ast.Attribute) and node.attr in RAW_NAMES:
            yield node.lineno, f"reads the attribute '.{node.attr}'"


def problems(files: Sequence[Path]) -> list[str]:
    out = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for line, what in sorted(set(raw_reads(tree))):
            out.append(f"{path}:{line}: {what}: a raw config read (read the typed section of the Study)")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="modules to check (default: the plans)")
    args = parser.parse_args(argv)
    found = problems(args.files or plan_files())
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
