"""The import-layer contract (``scripts/check_layers.py``, run by ``make lint``): the real tree
keeps it; a planted package with a back arrow and a cycle breaks it (the negative control)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "check_layers.py"


def check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60)


def plant(root: Path, files: dict[str, str]) -> Path:
    """A package ``pkg`` under ``root`` with the given modules (path -> source)."""
    for rel, text in {"pkg/__init__.py": "", **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


LAYERS = "top | a b | low __init__"  # __init__: the package itself
CLEAN = {
    "pkg/top.py": "from pkg import a\nfrom pkg.low import core\n",
    "pkg/a.py": "import pkg.b\n",
    "pkg/b.py": "from pkg.low.core import X\n",
    "pkg/low/__init__.py": "",
    "pkg/low/core.py": "X = 1\n",
}


def test_the_tree_keeps_the_layers():
    proc = check()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""


def test_a_clean_planted_package_passes(tmp_path):
    proc = check("--root", str(plant(tmp_path, CLEAN)), "--package", "pkg", "--layers", LAYERS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


#: a module planted over CLEAN (path -> source) and the lines of the check's failure
BROKEN = [
    pytest.param(
        # low -> top, hidden in a function body; top reaches low, so the arrow also closes a cycle
        {"pkg/low/core.py": "X = 1\n\n\ndef f():\n    from pkg.top import Y\n    return Y\n"},
        [
            "{root}/pkg/low/core.py:5: pkg.low.core imports pkg.top, a higher layer (low -> top)",
            "cycle between units: a <-> b <-> low <-> top",
            "cycle between modules: pkg.a <-> pkg.b <-> pkg.low.core <-> pkg.top",
        ],
        id="back_arrow_in_a_function_body",
    ),
    pytest.param(
        # b -> a -> b through a relative import: no arrow runs upwards, but the two form a cycle
        {"pkg/b.py": "from pkg.low.core import X\nfrom . import a\n"},
        ["cycle between units: a <-> b", "cycle between modules: pkg.a <-> pkg.b"],
        id="cycle_inside_one_layer",
    ),
    pytest.param(
        # a type-only import does not close a cycle between modules, but it is still an arrow
        # back between units
        {
            "pkg/low/core.py": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from pkg.top import Y\n"
        },
        [
            "{root}/pkg/low/core.py:4: pkg.low.core imports pkg.top, a higher layer (low -> top)",
            "cycle between units: a <-> b <-> low <-> top",
        ],
        id="type_only_back_arrow",
    ),
    pytest.param(
        # b -> a at run time, a -> b for the type checker and at run time in a function body
        {
            "pkg/b.py": "from pkg.low.core import X\nfrom . import a\n",
            "pkg/a.py": "def f():\n    import pkg.b\n",
        },
        ["cycle between units: a <-> b", "cycle between modules: pkg.a <-> pkg.b"],
        id="cycle_through_a_function_body",
    ),
    pytest.param(
        {"pkg/stray.py": "X = 1\n"},
        ["pkg.stray: unit 'stray' is in no layer (add it to LAYERS)"],
        id="unit_outside_the_layers",
    ),
]


@pytest.mark.parametrize(("planted", "lines"), BROKEN)
def test_a_broken_planted_package_fails(tmp_path, planted: dict[str, str], lines: list[str]):
    proc = check("--root", str(plant(tmp_path, {**CLEAN, **planted})), "--package", "pkg", "--layers", LAYERS)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [line.format(root=tmp_path) for line in lines]


def test_a_type_only_cycle_inside_a_unit_passes(tmp_path):
    """Two modules of one unit that name each other's types (``if TYPE_CHECKING:`` on one side)
    form no cycle: the import never runs."""
    planted = {
        "pkg/low/x.py": "from pkg.low import y\n\nX = y.Y\n",
        "pkg/low/y.py": "from __future__ import annotations\n\nfrom typing import TYPE_CHECKING\n\n"
        "if TYPE_CHECKING:\n    from pkg.low.x import X\n\nY = 1\n",
    }
    proc = check("--root", str(plant(tmp_path, {**CLEAN, **planted})), "--package", "pkg", "--layers", LAYERS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_same_cycle_at_run_time_fails(tmp_path):
    planted = {
        "pkg/low/x.py": "from pkg.low import y\n\nX = y.Y\n",
        "pkg/low/y.py": "from pkg.low.x import X\n\nY = 1\n",
    }
    proc = check("--root", str(plant(tmp_path, {**CLEAN, **planted})), "--package", "pkg", "--layers", LAYERS)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == ["cycle between modules: pkg.low.x <-> pkg.low.y"]
