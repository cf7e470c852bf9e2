"""``advgen claims compare MINE PUBLISHED`` (:mod:`advgen.claims.page.compare`) on a constructed pair of
verdict tables: the verdicts that differ, the fragile ones among them, and the estimates that lie
outside their joint interval."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from advgen.claims.page.compare import compare, summary
from advgen.cli import main as cli_main

COLUMNS = ["id", "verdict", "estimate", "lo", "hi", "confidence", "direction", "fragile"]


def table(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


PUBLISHED = table(
    [
        ("same", "holds", 0.5, 0.4, 0.6, 0.95, "greater", ""),
        (
            "flip",
            "holds",
            0.30,
            0.02,
            0.58,
            0.95,
            "greater",
            "deciding adjusted p 0.02 within [0.00625, 0.1]",
        ),
        (
            "flip2",
            "inconclusive",
            0.1,
            -0.1,
            0.3,
            0.95,
            "greater",
            "deciding adjusted p 0.05 within [0.00625, 0.1]",
        ),
        ("moved", "holds", 1.0, 0.9, 1.1, 0.95, "greater", ""),
        ("rate", "holds", 0.99, 0.95, 1.0, 0.95, "greater", ""),
        ("gone", "not measured", None, None, None, 0.95, "greater", ""),
        ("published_only", "holds", 1.0, 0.9, 1.1, 0.95, "greater", ""),
    ]
)
MINE = table(
    [
        ("same", "holds", 0.52, 0.42, 0.62, 0.95, "greater", ""),
        ("flip", "inconclusive", 0.25, -0.03, 0.53, 0.95, "greater", ""),
        ("flip2", "holds", 0.2, 0.01, 0.39, 0.95, "greater", ""),
        ("moved", "holds", 1.5, 1.4, 1.6, 0.95, "greater", ""),  # 0.5 apart, se about 0.05 each
        ("rate", "holds", 0.93, 0.90, 0.96, 0.95, "greater", ""),  # the interval's upper side faces it
        ("gone", "not measured", None, None, None, 0.95, "greater", ""),
        ("mine_only", "holds", 1.0, 0.9, 1.1, 0.95, "greater", ""),
    ]
)


def test_rows_that_agree_differ_and_move() -> None:
    rows, mine_only, published_only = compare(MINE, PUBLISHED)
    by = {r.id: r for r in rows}
    assert [r.id for r in rows] == ["same", "flip", "flip2", "moved", "rate", "gone"]
    assert (mine_only, published_only) == (["mine_only"], ["published_only"])
    assert by["same"].agree and not by["same"].outside
    assert not by["flip"].agree and by["flip"].fragile[1] and not by["flip"].outside
    assert by["moved"].agree and by["moved"].outside
    assert by["moved"].z == pytest.approx(0.5 / ((0.1 / 1.959964) * 2**0.5), rel=1e-4)
    # the published rate's interval is [0.95, 1.0] around 0.99: its lower side (0.04) faces 0.93
    assert by["rate"].z == pytest.approx(0.06 / ((0.04**2 + 0.03**2) ** 0.5 / 1.959964), rel=1e-4)
    assert by["gone"].agree and not by["gone"].outside
    assert summary(rows) == "4 of 6 agree; 2 differ, both fragile; 2 estimates outside their joint interval"


def test_a_verdict_that_differs_and_is_not_fragile_is_counted_apart() -> None:
    firm = PUBLISHED.assign(fragile="")
    rows, _, _ = compare(MINE.iloc[:3], firm.iloc[:3])
    assert (
        summary(rows) == "1 of 3 agree; 2 differ, 0 of them fragile; 0 estimates outside their joint interval"
    )
    rows, _, _ = compare(PUBLISHED.iloc[:1], PUBLISHED.iloc[:1])
    assert summary(rows) == "1 of 1 agree; 0 differ; 0 estimates outside their joint interval"


def test_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine, published = tmp_path / "mine.parquet", tmp_path / "published.parquet"
    MINE.to_parquet(mine)
    PUBLISHED.to_parquet(published)
    assert cli_main(["claims", "compare", str(mine), str(published), "--names", "CPU", "Xeon"]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first == (
        "4 of 6 agree; 2 differ, both fragile; 2 estimates outside their joint interval (CPU against Xeon)."
    )
    assert "On CPU only: mine_only." in out and "On Xeon only: published_only." in out
    assert "| `flip` **(verdict differs)** | inconclusive | holds | deciding adjusted p 0.02" in out
    assert "| `moved` | holds | holds | no | 1.5 [1.4, 1.6] | 1 [0.9, 1.1] | 6.93 |" in out
    assert "`same`" not in out


def test_a_table_without_the_columns_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.parquet"
    pd.DataFrame({"id": ["x"]}).to_parquet(bad)
    good = tmp_path / "good.parquet"
    PUBLISHED.to_parquet(good)
    assert cli_main(["claims", "compare", str(bad), str(good)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and str(bad) in err and "missing column(s) verdict, estimate, lo, hi" in err


def test_rows_with_zero_joint_error_that_differ_are_counted() -> None:
    """Two zero-width intervals at different estimates (0 [0, 0] against 0.1 [0.1, 0.1]) have no
    joint error: they lie outside it, and the summary counts them apart; equal ones agree."""
    points = table(
        [
            ("p", "holds", 0.0, 0.0, 0.0, 0.95, "greater", ""),
            ("q", "holds", 0.2, 0.2, 0.2, 0.95, "greater", ""),
        ]
    )
    moved = points.assign(estimate=[0.1, 0.2], lo=[0.1, 0.2], hi=[0.1, 0.2])
    rows, _, _ = compare(moved, points)
    by = {r.id: r for r in rows}
    assert by["p"].outside and by["p"].zero_error and not by["q"].outside
    assert summary(rows) == (
        "2 of 2 agree; 0 differ; 1 estimate outside their joint interval (1 of them with zero joint error)"
    )


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: pd.concat([t, t.iloc[:1]]), "claim same appears 2 times"),
        (
            lambda t: t.assign(estimate=[float("inf"), *t["estimate"][1:]]),
            "claim same: estimate inf is not a finite number",
        ),
        (lambda t: t.assign(hi=[float("-inf"), *t["hi"][1:]]), "claim same: hi -inf is not a finite number"),
        (
            lambda t: t.assign(estimate=[float("nan"), *t["estimate"][1:]]),
            "claim same: no estimate beside its interval",
        ),
    ],
)
def test_a_table_that_cannot_be_compared_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit, message: str
) -> None:
    bad, good = tmp_path / "bad.parquet", tmp_path / "good.parquet"
    edit(PUBLISHED).to_parquet(bad)
    PUBLISHED.to_parquet(good)
    assert cli_main(["claims", "compare", str(good), str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.endswith(f"{bad}: {message}"), err
