"""README.md's first screen: what advgen does, the picture, `make demo` first, then `make run` and
`make test` with their times; no commit hash before the fold (line 40)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
HASH = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}\b")


def first(n: int) -> list[str]:
    return README.read_text(encoding="utf-8").splitlines()[:n]


def test_the_demo_comes_first_then_the_study_and_the_tests() -> None:
    screen = "\n".join(first(20))
    assert "](docs/default_run/generators_overview.png)" in screen
    demo, run, test = (screen.index(f"make {t}") for t in ("demo", "run", "test"))
    assert demo < run < test


def test_no_commit_hash_before_the_fold() -> None:
    assert [line for line in first(40) if HASH.search(line)] == []
    assert HASH.search("at 8885a94 on") and not HASH.search("config/config.yaml 2026 1,913 s")
