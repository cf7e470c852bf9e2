"""One import path per name (``scripts/check_reexports.py``, run by ``make lint``): the real tree
passes; a planted package with each kind of re-export, and a caller that imports a name through
a module that only imports it, fail it (the negative controls); a package face may re-export."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "check_reexports.py"


def check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120)


def plant(root: Path, files: dict[str, str]) -> tuple[Path, Path]:
    """A package ``pkg`` under ``root/src`` and callers under ``root/tests`` (path -> source)."""
    for rel, text in {"src/pkg/__init__.py": "", "tests/__init__.py": "", **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "src", root / "tests"


CLEAN = {
    "src/pkg/core.py": "X = 1\n\n\ndef f():\n    return X\n",
    "src/pkg/user.py": "from pkg.core import X, f\n\n__all__ = ['g']\n\n\ndef g():\n    return f() + X\n",
    "tests/test_user.py": "from pkg.core import X\nfrom pkg.user import g\n",
}


def run(root: Path, files: dict[str, str], faces: str = "pkg.face") -> subprocess.CompletedProcess[str]:
    src, tests = plant(root, {**CLEAN, **files})
    return check("--root", str(src), "--package", "pkg", "--faces", faces, "--callers", str(tests))


def test_the_tree_imports_every_name_from_where_it_is_defined():
    proc = check()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""


def test_a_clean_planted_package_passes(tmp_path: Path):
    proc = run(tmp_path, {})
    assert proc.returncode == 0, proc.stdout + proc.stderr


BROKEN = [
    pytest.param(
        {"src/pkg/hub.py": "from pkg.core import X as X\n"},
        ["{src}/pkg/hub.py:1: imports 'X' as itself (a re-export)"],
        id="import_as_itself",
    ),
    pytest.param(
        {"src/pkg/hub.py": "import os as os\n"},
        ["{src}/pkg/hub.py:1: imports 'os' as itself (a re-export)"],
        id="module_as_itself",
    ),
    pytest.param(
        {"src/pkg/hub.py": "from pkg.core import X\n\n__all__ = ['X', 'Y']\n\nY = 2\n"},
        ["{src}/pkg/hub.py:3: __all__ names 'X', which it imports from pkg.core"],
        id="all_names_an_import",
    ),
    pytest.param(
        {"src/pkg/hub.py": "from pkg.core import *  # noqa: F403\n"},
        ["{src}/pkg/hub.py:1: imports * (a re-export of a whole module)"],
        id="star_shim",
    ),
    pytest.param(
        {
            "src/pkg/hub.py": "import importlib\n\n\ndef __getattr__(name):\n"
            "    return getattr(importlib.import_module('pkg.core'), name)\n"
        },
        ["{src}/pkg/hub.py:4: defines a module __getattr__ (a lazy table of names)"],
        id="lazy_table",
    ),
    pytest.param(
        # the caller reaches X through pkg.user, which only imports it
        {"tests/test_user.py": "from pkg.user import X, g\n"},
        ["{tests}/test_user.py:1: imports 'X' from pkg.user, which does not define it: from pkg.core"],
        id="caller_through_an_importer",
    ),
    pytest.param(
        {"src/pkg/other.py": "def h():\n    from pkg.user import f\n    return f()\n"},
        ["{src}/pkg/other.py:2: imports 'f' from pkg.user, which does not define it: from pkg.core"],
        id="module_through_an_importer_in_a_function",
    ),
]


@pytest.mark.parametrize(("planted", "lines"), BROKEN)
def test_a_planted_reexport_fails(tmp_path: Path, planted: dict[str, str], lines: list[str]):
    proc = run(tmp_path, planted)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    src, tests = tmp_path / "src", tmp_path / "tests"
    assert proc.stdout.splitlines() == [line.format(src=src, tests=tests) for line in lines]


def test_a_package_face_may_reexport(tmp_path: Path):
    face = {
        "src/pkg/face/__init__.py": "from pkg.face.impl import Thing as Thing\n\n__all__ = ['Thing']\n",
        "src/pkg/face/impl.py": "class Thing:\n    pass\n",
        "tests/test_face.py": "from pkg.face import Thing\n",
    }
    assert run(tmp_path, face).returncode == 0
    proc = run(tmp_path, face, faces="")
    assert proc.returncode == 1 and "face/__init__.py:1: imports 'Thing' as itself" in proc.stdout
