"""README.md's first screen: what advgen does, the picture, `make demo` first, then `make run`,
`make test` and `advgen evaluate` with their times; no commit hash before the fold (line 40); the
demo's and the study's times stated alike in README.md, the Makefile and docs/tutorial.md."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
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


def test_evaluate_is_on_the_first_screen() -> None:
    screen = "\n".join(first(20))
    assert "advgen evaluate --model" in screen
    assert screen.index("make test") < screen.index("advgen evaluate")


def test_the_demos_and_the_studys_times_agree_across_readme_makefile_and_tutorial() -> None:
    """One measurement each, stated alike: the demo alone and beside other work, the 802-job
    study not timed at this commit beside round 2's 687 jobs; no older round figure left."""
    texts = {
        name: " ".join((REPO / name).read_text(encoding="utf-8").split())
        for name in ("README.md", "Makefile", "docs/tutorial.md")
    }
    for name, text in texts.items():
        assert "34 s alone" in text and "145 s beside other work" in text, name
        for stale in (
            "37 s (AMD EPYC)",
            "demo's 37 s",
            "about 40 CPU seconds",
            "62 s to 2 min 16 s",
            "about 2 h",
            "about 95 minutes",
        ):
            assert stale not in text, (name, stale)
    for name in ("README.md", "docs/tutorial.md"):
        assert "not measured at this commit" in texts[name] or "not timed at this commit" in texts[name], name
        assert "121 min" in texts[name], name
