"""The import-layer contract (``scripts/check_layers.py``, run by ``make lint``): the real tree
keeps it; a planted package with a back arrow and a cycle breaks it (the negative control)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def test_a_back_arrow_in_a_function_body_fails(tmp_path):
    # low -> top, hidden in a function body; top reaches low, so the arrow also closes a cycle
    files = {**CLEAN, "pkg/low/core.py": "X = 1\n\n\ndef f():\n    from pkg.top import Y\n    return Y\n"}
    proc = check("--root", str(plant(tmp_path, files)), "--package", "pkg", "--layers", LAYERS)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        f"{tmp_path}/pkg/low/core.py:5: pkg.low.core imports pkg.top, a higher layer (low -> top)",
        "cycle between units: a <-> b <-> low <-> top",
        "cycle between modules: pkg.a <-> pkg.b <-> pkg.low.core <-> pkg.top",
    ]


def test_a_cycle_inside_one_layer_fails(tmp_path):
    # b -> a -> b through a relative import: no arrow runs upwards, but the two form a cycle
    files = {**CLEAN, "pkg/b.py": "from pkg.low.core import X\nfrom . import a\n"}
    proc = check("--root", str(plant(tmp_path, files)), "--package", "pkg", "--layers", LAYERS)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "cycle between units: a <-> b",
        "cycle between modules: pkg.a <-> pkg.b",
    ]


def test_a_unit_outside_the_layers_fails(tmp_path):
    files = {**CLEAN, "pkg/stray.py": "X = 1\n"}
    proc = check("--root", str(plant(tmp_path, files)), "--package", "pkg", "--layers", LAYERS)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == ["pkg.stray: unit 'stray' is in no layer (add it to LAYERS)"]
