"""``scripts/compare_claims.py``: two claims pages, the rows whose verdicts or numbers differ."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "compare_claims.py"


def page(rows: list[tuple[str, str, float | None, float | None, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id", "verdict", "estimate", "lo", "hi"])


def run(tmp_path: Path, a: pd.DataFrame, b: pd.DataFrame, *extra: str) -> subprocess.CompletedProcess[str]:
    a.to_parquet(tmp_path / "a.parquet")
    b.to_parquet(tmp_path / "b.parquet")
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "a.parquet"), str(tmp_path / "b.parquet"), *extra],
        capture_output=True,
        text=True,
        check=False,
    )


def test_equal_pages_differ_nowhere(tmp_path: Path) -> None:
    rows = [("x", "holds", 1.0, 0.5, 1.5), ("y", "not measured", None, None, None)]
    out = run(tmp_path, page(rows), page(rows))
    assert out.returncode == 0, out.stderr
    assert "Verdicts that differ: 0 of 2." in out.stdout
    assert "(relative): 0 of 2." in out.stdout


def test_a_moved_estimate_and_a_changed_verdict_are_listed_with_both_values(tmp_path: Path) -> None:
    a = page([("x", "holds", 1.0, 0.5, 1.5), ("y", "holds", 2.0, 1.0, 3.0), ("z", "holds", 3.0, 2.0, 4.0)])
    b = page(
        [("x", "holds", 1.0, 0.5, 1.5), ("y", "holds", 2.1, 1.0, 3.0), ("z", "inconclusive", 3.0, 1.0, 4.0)]
    )
    out = run(tmp_path, a, b, "--names", "CPU", "GPU")
    assert "Verdicts that differ: 1 of 3." in out.stdout
    assert "(relative): 2 of 3." in out.stdout
    assert "| `y` | holds | holds | 2 [1, 3] | 2.1 [1, 3] |" in out.stdout
    assert "| `z` **(verdict differs)** | holds | inconclusive | 3 [2, 4] | 3 [1, 4] |" in out.stdout
    assert "`x`" not in out.stdout.split("| --- | --- | --- | --- | --- |")[1]
    assert "| holds | 3 | 2 |" in out.stdout  # the verdict counts, CPU then GPU


def test_a_difference_within_the_tolerance_counts_as_equal(tmp_path: Path) -> None:
    a = page([("x", "holds", 1.0, 0.5, 1.5)])
    b = page([("x", "holds", 1.0 + 1e-9, 0.5, 1.5)])
    assert "(relative): 0 of 1." in run(tmp_path, a, b).stdout
    assert "(relative): 1 of 1." in run(tmp_path, a, b, "--tolerance", "1e-12").stdout


def test_a_file_that_is_no_claims_table_gets_one_line_and_status_2(tmp_path: Path) -> None:
    (tmp_path / "a.parquet").write_text("not parquet")
    page([("x", "holds", 1.0, 0.5, 1.5)]).to_parquet(tmp_path / "b.parquet")
    out = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "a.parquet"), str(tmp_path / "b.parquet")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and out.stderr.startswith(
        f"{tmp_path / 'a.parquet'}: not a claims table"
    )
