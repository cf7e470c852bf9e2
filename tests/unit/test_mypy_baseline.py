"""The type check's baseline (scripts/mypy_baseline.py): mypy's errors are compared without their
line numbers, a new error fails, a fixed one leaves the baseline only by shrinking it, and the
strictly checked modules have no line in it."""

from __future__ import annotations

import re
import sys
import tomllib
from collections import Counter
from fnmatch import fnmatch
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

import mypy_baseline  # noqa: E402

OUTPUT = """\
src/advgen/a.py:10: error: Incompatible types in assignment  [assignment]
src/advgen/a.py:12:5: error: Incompatible types in assignment  [assignment]
src/advgen/b.py:3: note: a note is no error
Found 2 errors in 1 file (checked 2 source files)
"""


def test_errors_are_counted_without_line_numbers() -> None:
    found = mypy_baseline.errors(OUTPUT)
    assert found == Counter({"src/advgen/a.py: Incompatible types in assignment  [assignment]": 2})


def test_a_new_error_is_reported_and_a_fixed_one_shrinks_the_baseline(tmp_path: Path) -> None:
    line = "src/advgen/a.py: Incompatible types in assignment  [assignment]"
    found = mypy_baseline.errors(OUTPUT)
    new, fixed = mypy_baseline.compare(found, Counter({line: 1}))
    assert new == [line] and fixed == []  # one more of the same error than listed
    new, fixed = mypy_baseline.compare(Counter({line: 1}), Counter({line: 2, "x.py: gone  [misc]": 1}))
    assert new == [] and fixed == [line, "x.py: gone  [misc]"]
    path = tmp_path / "baseline.txt"
    mypy_baseline.write(path, Counter({line: 1}) & Counter({line: 2}))
    assert mypy_baseline.read(path) == Counter({line: 1})


def test_the_strict_modules_have_no_baseline_line() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["mypy"]
    strict = next(o["module"] for o in config["overrides"] if o.get("disallow_untyped_defs"))
    assert "advgen.pipeline.*" in strict and "advgen.commands.*" in strict and "advgen.specs" in strict
    listed = {line.split(":")[0] for line in mypy_baseline.read(mypy_baseline.BASELINE)}
    modules = {
        re.sub(r"(/__init__)?\.py$", "", path).removeprefix("src/").replace("/", ".") for path in listed
    }
    assert not [m for m in modules if any(fnmatch(m, pattern) for pattern in strict)]
