"""No function over 80 lines (``scripts/check_function_length.py``, run by ``make lint``): the real
tree passes; a planted 81-line function fails it (the negative control), an 80-line one does not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "check_function_length.py"


def check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60)


def function(name: str, lines: int, decorated: bool = False) -> str:
    """A function of ``lines`` lines in all (its decorator's line included)."""
    head = ["@staticmethod"] if decorated else []
    body = [f"    x{i} = {i}" for i in range(lines - len(head) - 2)]
    return "\n".join([*head, f"def {name}():", *body, "    return 0"]) + "\n"


def test_the_tree_has_no_long_function():
    proc = check()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""


def test_a_planted_81_line_function_fails(tmp_path: Path):
    module = tmp_path / "long.py"
    module.write_text('"""A module."""\n\n\n' + function("fits", 80) + "\n\n" + function("too_long", 81))
    proc = check(str(module))
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        f"{module}:86: too_long: 81 lines (limit 80): split it into named steps"
    ]


def test_a_decorator_counts(tmp_path: Path):
    module = tmp_path / "decorated.py"
    module.write_text(
        "class A:\n" + "".join(f"    {line}\n" for line in function("m", 81, True).splitlines())
    )
    proc = check(str(module))
    assert proc.returncode == 1 and f"{module}:2: m: 81 lines" in proc.stdout
