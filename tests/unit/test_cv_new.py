"""`advgen cv new FOLDER` writes a starting CV that builds, and overwrites nothing; `advgen
check-config` parses the config's CV files (an unparseable .bib is one line naming FILE:LINE)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from advgen.cli import main as cli_main
from advgen.cv.starter import FILES

REPO = Path(__file__).resolve().parents[2]


def test_new_then_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "mine"
    assert cli_main(["cv", "new", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    assert f"advgen cv build --cv {folder}/cv.yaml" in capsys.readouterr().out
    argv = ["cv", "build", "--cv", str(folder / "cv.yaml"), "--bib", str(folder / "publications.bib")]
    assert cli_main([*argv, "--stats", str(folder / "stats.yaml"), "--out", str(folder / "build")]) == 0
    md = (folder / "build" / "cv.md").read_text(encoding="utf-8")
    assert md.startswith("# Ada Example\n") and "**Ada Example** and Bo Coauthor" in md
    assert "Bo Coauthor and **A. Example**" in md  # the alias is the owner too
    assert (folder / "build" / "cv.pdf").read_bytes().startswith(b"%PDF")


def test_new_overwrites_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "publications.bib").write_text("% mine\n", encoding="utf-8")
    assert cli_main(["cv", "new", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    bib = tmp_path / "publications.bib"
    assert err == [f"advgen cv: error: {bib}: already exists (advgen cv new overwrites nothing)"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["publications.bib"]
    assert (tmp_path / "publications.bib").read_text(encoding="utf-8") == "% mine\n"


def test_check_config_refuses_an_unparseable_bib_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bib = tmp_path / "publications.bib"
    shutil.copy2(REPO / "config" / "cv" / "publications.bib", bib)
    lines = len(bib.read_text(encoding="utf-8").splitlines())
    with bib.open("a", encoding="utf-8") as f:
        f.write("@article{broken,\n  title = {X},\n  author = {Brandon Amos\n")
    extra = tmp_path / "bib.yaml"
    extra.write_text(f"cv:\n  bib: {bib}\n", encoding="utf-8")
    assert cli_main(["check-config", str(REPO / "config" / "demo.yaml"), str(extra)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(
        f"advgen check-config: error: {bib}:{lines + 1}: entry 'broken': "
    ), err
    # an entry without the owner among its authors is the cv job's error too: caught here
    bib.write_text(
        "@misc{x,\n  title = {T},\n  author = {Someone Else},\n  year = {2020},\n  venue = {V},\n}\n"
    )
    assert cli_main(["check-config", str(REPO / "config" / "demo.yaml"), str(extra)]) == 2
    assert capsys.readouterr().err.startswith(f"advgen check-config: error: {bib}:3: ")
