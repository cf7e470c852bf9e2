"""advgen uses the public APIs of torch and scipy only: no module under ``src/`` imports a
private module of either (``import torch._dynamo``, ``from scipy.optimize._lbfgsb import``,
``from scipy.optimize import _lbfgsb``) or reaches a private name through one
(``torch._C``, ``nn._x``, ``getattr(torch, "_compile")``). Such code breaks on an upgrade
without a test noticing; this scan is that test."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
LIBRARIES = ("torch", "scipy")


def _private(dotted: str) -> bool:
    """Whether a dotted name has a component with one leading underscore (not a dunder)."""
    return any(p.startswith("_") and not (p.startswith("__") and p.endswith("__")) for p in dotted.split("."))


def _library(module: str) -> bool:
    return module.split(".")[0] in LIBRARIES


def private_uses(source: str) -> list[str]:
    """``line: what`` for each private torch / scipy module or name the code uses."""
    tree = ast.parse(source)
    aliases = set(LIBRARIES)  # names bound to a torch / scipy module or object (or so named)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _library(alias.name):
                    aliases.add(alias.asname or alias.name.split(".")[0])
                    if _private(alias.name):
                        found.append(f"{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and _library(node.module):
            for alias in node.names:
                aliases.add(alias.asname or alias.name)
                if _private(f"{node.module}.{alias.name}"):
                    found.append(f"{node.lineno}: from {node.module} import {alias.name}")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and isinstance(_root(node), ast.Name)
            and _root(node).id in aliases
        ):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr", "setattr")
            and len(node.args) >= 2
            and isinstance(_root(node.args[0]), ast.Name)
            and _root(node.args[0]).id in aliases
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
        ):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif _loads_module(node):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return sorted(set(found), key=lambda s: int(s.split(":")[0]))


def _loads_module(node: ast.AST) -> bool:
    """``importlib.import_module("torch._x")``, ``sys.modules.get("torch._x")``,
    ``sys.modules["torch._x"]`` (a membership test in ``sys.modules`` uses nothing)."""
    if isinstance(node, ast.Call):
        name = ast.unparse(node.func)
        if name.split(".")[-1] not in ("import_module", "__import__") and name != "sys.modules.get":
            return False
        arg = node.args[0] if node.args else None
    elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "sys.modules":
        arg = node.slice
    else:
        return False
    return (
        isinstance(arg, ast.Constant)
        and isinstance(arg.value, str)
        and _library(arg.value)
        and _private(arg.value)
    )


def _root(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node


@pytest.mark.parametrize(
    "code",
    [
        "import torch._dynamo",
        "import scipy.optimize._lbfgsb as l",
        "from scipy.optimize._lbfgsb_py import _minimize_lbfgsb",
        "from scipy.optimize import _lbfgsb",
        "from torch.optim.optimizer import _use_grad_for_differentiable",
        "import torch\ntorch._C._set_deterministic_algorithms(True)",
        "import torch\nx = torch._compile._disable_dynamo",
        "from torch import nn\nnn.Module._apply",
        "import torch.nn.functional as F\nF._canonical_mask",
        "import torch\ngetattr(torch, '_compile', None)",
        "def f(torch):\n    return torch.optim._functional",
        "def f(torch):\n    return getattr(getattr(torch, '_compile', None), 'x', None)",
        "import importlib\nimportlib.import_module('torch._dynamo')",
        "import sys\nsys.modules.get('scipy.optimize._lbfgsb')",
        "import sys\nsys.modules['torch._inductor.config'].deterministic = True",
    ],
)
def test_the_scan_finds_private_uses(code):
    assert private_uses(code)


@pytest.mark.parametrize(
    "code",
    [
        "import torch\ntorch.set_deterministic_debug_mode('warn')",
        "from scipy.optimize import Bounds, minimize",
        "import torch\nprint(torch.__version__)",
        "import sys\nprint('torch._inductor.config' in sys.modules)",
        "class A:\n    def f(self):\n        return self._generator",
        "import numpy as np\nnp._x",
    ],
)
def test_the_scan_passes_public_uses(code):
    assert private_uses(code) == []


def test_no_module_under_src_uses_a_private_torch_or_scipy_api():
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 50
    found = {
        str(path.relative_to(SRC)): uses
        for path in files
        if (uses := private_uses(path.read_text(encoding="utf-8")))
    }
    assert found == {}
