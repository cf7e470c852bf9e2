"""``scripts/verdict_table.py``: docs/claims.md's verdicts per claim, from the committed runs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.scripts import load_script

ROOT = Path(__file__).resolve().parents[2]
verdict_table = load_script("verdict_table")


def write(path: Path, rows: list[tuple[str, str, str, str]]) -> str:
    pd.DataFrame(rows, columns=["id", "group", "verdict", "fragile"]).to_parquet(path)
    return str(path)


def test_docs_claims_md_has_the_scripts_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    lines = verdict_table.table(verdict_table.COLUMNS)
    text = (ROOT / "docs" / "claims.md").read_text().splitlines()
    start = text.index(lines[0])
    assert text[start : start + len(lines)] == lines
    assert text[start + len(lines)] == ""  # the table ends there: no row beyond the script's
    assert len(lines) == 2 + 54


def test_a_verdict_that_differs_from_the_reference_is_bold_and_fragile_rows_say_so(tmp_path: Path) -> None:
    reference = write(tmp_path / "ref.parquet", [("a", "source", "holds", "deciding adjusted p 0.03 ..."),
                                                 ("b", "source", "inconclusive", ""),
                                                 ("check", "check", "holds", "")])  # fmt: skip
    rerun = write(tmp_path / "rerun.parquet", [("a", "source", "inconclusive", ""), ("b", "source", "inconclusive", ""),
                                               ("check", "check", "does not hold", "")])  # fmt: skip
    lines = verdict_table.table([("ref", reference), ("rerun", rerun)], reference)
    assert lines == [
        "| claim | ref | rerun | round 2 fragile |",
        "|---|---|---|---|",
        "| `a` | holds | **inconclusive** | yes |",
        "| `b` | inconclusive | inconclusive |  |",
    ]


def test_a_rerun_without_a_claim_gets_one_line_and_status_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    short = write(tmp_path / "short.parquet", [("unroll_fid", "source", "holds", "")])
    assert verdict_table.main(["--add", "round 2, H200", short]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("verdict_table: ") and "short.parquet" in err[0]
    assert verdict_table.main(["--add", "again", str(ROOT / "docs/round2/claims_xeone_avx2.parquet")]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.endswith("| round 2, XeonE-2 with AVX2 kernels | again | round 2 fragile |")
