"""No absolute path of the checkout, or of the folder a page was made in, on any claims page: the
results folder, the config files and the freeze record are named relative to the current folder,
or by their last two parts; this run's hardware stands apart from the frozen study's."""

from __future__ import annotations

from pathlib import Path

import pytest

from advgen.cli import main as cli_main
from tests.errors.test_claims_files import ATTACKS, CONFIG, GOOD, results_with, write

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("inside", [True, False])
def test_no_absolute_path_on_any_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inside: bool) -> None:
    """Every path given absolute (the claims file, the results, the checkout's config file), the
    pages made from inside the study's folder and from elsewhere."""
    study = tmp_path / "study"
    study.mkdir()
    claims, results = write(study, GOOD), results_with(study, ATTACKS)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(study if inside else elsewhere)
    out = {name: tmp_path / f"page.{name}" for name in ("html", "md", "rst")}
    argv = [
        "claims",
        "--config",
        str(claims.resolve()),
        "--configfile",
        str(CONFIG),
        "--results",
        str(results.resolve()),
    ]
    argv += [
        "--html",
        str(out["html"]),
        "-o",
        str(out["md"]),
        "--rst",
        str(out["rst"]),
        "--parquet",
        str(tmp_path / "t.parquet"),
    ]
    assert cli_main(argv) == 0
    for name, path in out.items():
        text = path.read_text(encoding="utf-8")
        for absolute in (str(tmp_path), str(ROOT)):
            assert absolute not in text, (name, absolute)
    page = out["html"].read_text(encoding="utf-8")
    assert "tables under results/" in page if inside else "tables under .../study/results/" in page
    assert "This run's hardware: " in page or "this run's hardware" in out["md"].read_text(encoding="utf-8")


def test_a_run_that_is_not_the_frozen_round_says_so_and_what_differs() -> None:
    from advgen.claims.page.round_header import facts, line

    record = {"claims_sha256": "ab" * 32, "date": "2026-11-29", "commit": "0123456789", "round": 3,
              "hardware": {"cpu": "AMD EPYC", "cpu_flags": "avx2", "gpu": "none"}}  # fmt: skip
    text = line(
        facts(
            record,
            [3000],
            run_host="Intel Xeon (avx2 avx512f), GPU none",
            mismatch="the advgen package differs",
        )
    )
    assert text.startswith("**Round 3, not the frozen round** (what differs: the advgen package differs): ")
    assert "frozen study's hardware: cpu: AMD EPYC; cpu_flags: avx2; gpu: none" in text
    assert "this run's hardware: Intel Xeon (avx2 avx512f), GPU none" in text
