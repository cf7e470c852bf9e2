"""The library does not import the pipeline layer: ``advgen.pipeline`` (the plans the Snakefile
builds from the config) sits on top of the library, and only it, the command modules
(which may look up a figure-table row) and the layer above them (the entry points, the writer
of the registries' copies) import it. Path templates live in the leaf
:mod:`advgen.paths`, which imports nothing of advgen."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "advgen"
#: packages and modules allowed to import advgen.pipeline: the pipeline itself and what sits
#: above it in scripts/check_layers.py's LAYERS (the commands; the entry points and the writer of
#: the registries' copies, which writes jobs.schema.yaml from the job kinds' specs)
ABOVE_THE_LIBRARY = ("pipeline", "commands", "__main__.py", "cli.py", "registries")


def advgen_imports(path: Path) -> set[str]:
    """Every ``advgen...`` module that ``path`` imports (at any depth of the file)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {n for n in names if n == "advgen" or n.startswith("advgen.")}


def test_the_library_does_not_import_the_pipeline():
    offenders = {
        str(path.relative_to(SRC)): sorted(n for n in advgen_imports(path) if n.startswith("advgen.pipeline"))
        for path in sorted(SRC.rglob("*.py"))
        if path.relative_to(SRC).parts[0] not in ABOVE_THE_LIBRARY
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_paths_is_a_leaf():
    assert advgen_imports(SRC / "paths.py") == set()


def test_the_pipeline_reexports_the_leaf_paths():
    from advgen import paths
    from advgen import paths as pipeline_paths

    assert pipeline_paths.GAN_CHECKPOINT is paths.GAN_CHECKPOINT
    assert pipeline_paths.fill is paths.fill
