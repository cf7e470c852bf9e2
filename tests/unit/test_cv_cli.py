"""`advgen cv build`: outputs, options, one-line errors with exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from advgen.cli import main as cli_main

DATA = Path(__file__).resolve().parents[1] / "data" / "cv"


def _argv(out: Path, *extra: str, bib: Path = DATA / "publications.bib") -> list[str]:
    return [
        "cv",
        "build",
        "--cv",
        str(DATA / "cv.yaml"),
        "--bib",
        str(bib),
        "--stats",
        str(DATA / "stats.yaml"),
        "--out",
        str(out),
        *extra,
    ]


def test_build_with_date_and_fold(tmp_path: Path) -> None:
    assert cli_main(_argv(tmp_path, "--date", "2024-07-08", "--fold-before", "2024")) == 0
    md = (tmp_path / "cv.md").read_text(encoding="utf-8")
    assert "Last updated on July 8, 2024" in md
    assert "### 2023 and earlier" in md and "### 2021" not in md


def test_bad_input_prints_one_line_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bib = tmp_path / "bad.bib"
    bib.write_text(
        "@misc{x,\n  title = {T},\n  author = {Someone Else},\n  year = {2020},\n  venue = {V},\n}\n"
    )
    assert cli_main(_argv(tmp_path / "out", bib=bib)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"advgen cv: error: {bib}:3: entry 'x': the CV owner (Ada Lovelace / A. Lovelace) is not among the "
        "authors (Someone Else); misspelt name?"
    ]
    assert not (tmp_path / "out").exists()


def test_bad_date_is_an_argument_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        cli_main(_argv(tmp_path, "--date", "20/03/2023"))
    assert info.value.code == 2


def test_action_is_required() -> None:
    with pytest.raises(SystemExit):
        cli_main(["cv"])


def test_date_today_is_the_clocks_date_and_a_fixed_date_stays(tmp_path: Path) -> None:
    import datetime as dt

    from advgen.cv.settings import CvSettings, build_options

    day = dt.date(2031, 5, 17)
    assert build_options(CvSettings.of({"last_updated": "today"}), today=day) == ["--date", "2031-05-17"]
    assert build_options(CvSettings.of({"last_updated": "2024-07-08"}), today=day) == ["--date", "2024-07-08"]
    assert build_options(CvSettings.of({}), today=day) == []
    assert cli_main(_argv(tmp_path, "--date", "today")) == 0
    today = dt.date.today()
    assert f"Last updated on {today:%B} {today.day}, {today.year}" in (tmp_path / "cv.md").read_text(
        encoding="utf-8"
    )


def test_a_date_option_other_than_a_date_or_today_is_a_config_error() -> None:
    from advgen.cv.settings import cv_settings
    from advgen.errors import ConfigError

    with pytest.raises(ConfigError, match=r"cv\.last_updated: 'yesterday' does not match"):
        cv_settings({"last_updated": "yesterday"})
