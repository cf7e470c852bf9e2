"""No function of ``src/advgen`` longer than 80 lines: a longer one is split into named steps.

A function's length runs from its ``def`` line (its decorators' first, where it has some) to its
last line, its docstring and comments included; a method counts as a function, and a nested
function counts towards the function around it as well as on its own. The script fails, one line
``FILE:LINE: name: N lines (limit 80)`` per function over the limit and exit status 1.

    python scripts/check_function_length.py            # src/advgen (make lint)
    python scripts/check_function_length.py FILE...    # these files
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

#: the most lines a function may have
LIMIT = 80
REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "advgen"


def lengths(tree: ast.AST) -> Iterator[tuple[int, str, int]]:
    """``(line, name, length)`` of every function and method of ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            yield first, node.name, (node.end_lineno or node.lineno) - first + 1


def problems(files: Sequence[Path]) -> list[str]:
    """One line per function of ``files`` over :data:`LIMIT`."""
    out = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for line, name, length in sorted(lengths(tree)):
            if length > LIMIT:
                out.append(
                    f"{path}:{line}: {name}: {length} lines (limit {LIMIT}): split it into named steps"
                )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="modules to check (default: src/advgen)")
    args = parser.parse_args(argv)
    found = problems(args.files or sorted(SRC.rglob("*.py")))
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
