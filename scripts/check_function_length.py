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
#: functions over the limit when the check came (path from the repository root, name), allowed
#: until they are split; an entry whose function is split (or gone) fails the check, so the list
#: only shrinks
TEMPORARY_ALLOW = frozenset(
    {
        ("src/advgen/commands/power_plan.py", "markdown"),
        ("src/advgen/commands/claims.py", "add_arguments"),
    }
)


def lengths(tree: ast.AST) -> Iterator[tuple[int, str, int]]:
    """``(line, name, length)`` of every function and method of ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            yield first, node.name, (node.end_lineno or node.lineno) - first + 1


def _key(path: Path) -> str:
    try:
        return path.resolve().relative_to(REPO).as_posix()
    except ValueError:
        return str(path)


def problems(files: Sequence[Path], allow: frozenset[tuple[str, str]] = TEMPORARY_ALLOW) -> list[str]:
    """One line per function over :data:`LIMIT` (but those ``allow`` lists), and one per entry of
    ``allow`` among ``files`` whose function is no longer over it."""
    out, allowed_long = [], set()
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for line, name, length in sorted(lengths(tree)):
            if length <= LIMIT:
                continue
            if (_key(path), name) in allow:
                allowed_long.add((_key(path), name))
                continue
            out.append(f"{path}:{line}: {name}: {length} lines (limit {LIMIT}): split it into named steps")
    checked = {_key(p) for p in files}
    for key, name in sorted(allow - allowed_long):
        if key in checked:
            out.append(f"{key}: {name}: no longer over {LIMIT} lines: remove it from TEMPORARY_ALLOW")
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
