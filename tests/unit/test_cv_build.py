"""End-to-end build on the small test CV: four outputs, their content, determinism."""

from __future__ import annotations

import datetime as dt
import html.parser
import re
import time
from pathlib import Path

import pytest

from advgen.cv.build import OUTPUTS, build_cv

DATA = Path(__file__).resolve().parents[1] / "data" / "cv"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cv")
    build_cv(DATA / "cv.yaml", DATA / "publications.bib", DATA / "stats.yaml", out)
    return out


def test_four_outputs_and_nothing_else(built: Path) -> None:
    assert sorted(p.name for p in built.iterdir()) == sorted(OUTPUTS)
    assert (built / "cv.pdf").read_bytes().startswith(b"%PDF-")


def test_markdown_content(built: Path) -> None:
    md = (built / "cv.md").read_text(encoding="utf-8")
    headings = re.findall(r"^(#+) (.+)$", md, flags=re.M)
    assert headings == [
        ("#", "Ada Lovelace"),
        ("##", "Current Position"),
        ("##", "Publications"),
        ("###", "2024"),
        ("###", "2023"),
        ("###", "2021"),
        ("###", "2019 and earlier"),
        ("##", "Open Source Repositories"),
        ("##", "Invited Talks"),
        ("##", "Professional Activities"),
        ("###", "Reviewing"),
        ("##", "Skills"),
    ]
    assert "Last updated on May 6, 2024" in md
    assert "[Google Scholar](https://scholar.example.org/ada): 7.3k+ citations and an h-index of 12" in md
    assert "1.3k+ GitHub stars across all repositories." in md
    # selected: bold title; owner bold with the co-first star kept; links; venue line with the note
    assert (
        "1. **[Engines: A & B](https://example.org/engines)** [[code](https://github.com/adalove/engine)]"
        " [[slides](https://example.org/slides.pdf)]\\\n    **Ada Lovelace\\***, Thomas Rothörl\\*, and Meta AI\\\n"
        "    ICML 2024 (Oral)\n" in md
    )
    assert "2. *Second of 2024*\\\n    Michal Rolínek and **A. Lovelace†**" in md  # no url: no link
    assert re.findall(r"^(\d+)\. ", md, flags=re.M)[:6] == ["1", "2", "3", "4", "5", "6"]
    # Markdown punctuation in data is escaped (the table cell keeps its two columns)
    assert "*Notes \\| pipes \\* stars* | 2021 |" in md
    assert "Conference on \\<Machines\\> & Looms" in md


class _Checker(html.parser.HTMLParser):
    VOID = {"meta", "br", "link", "img", "hr", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs)["href"] or "")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (
            f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        )
        self.stack.pop()


def test_html_is_standalone_and_well_formed(built: Path) -> None:
    page = (built / "cv.html").read_text(encoding="utf-8")
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.stack == []
    assert "<style>" in page and "ol.pubs li.selected" in page
    assert not re.search(r'(src|href)="(?!https?://|mailto:)', page), "no relative or local assets"
    assert '<li id="newest2024" value="1" class="selected">' in page
    assert "<strong>Ada Lovelace*</strong>, Thomas Rothörl*, and Meta AI" in page
    assert "Conference on &lt;Machines&gt; &amp; Looms" in page
    assert "https://example.org/babbage" in checker.links


def test_typst_source_is_self_contained(built: Path) -> None:
    typ = (built / "cv.typ").read_text(encoding="utf-8")
    assert "#let pub(" in typ and "#import" not in typ and "#include" not in typ
    assert "date: datetime(year: 2024, month: 5, day: 6)" in typ
    assert '#strong("Ada Lovelace*")' in typ
    assert '"Notes | pipes * stars"' in typ  # data only ever appears inside string literals


def test_pdf_dated_from_the_data_not_the_clock(built: Path) -> None:
    pdf = (built / "cv.pdf").read_bytes()
    assert b"/CreationDate(D:20240506000000Z)" in pdf and b"/ModDate(D:20240506000000Z)" in pdf


def test_rebuild_is_byte_identical(built: Path, tmp_path: Path) -> None:
    time.sleep(1.1)  # a clock-dependent timestamp would now differ
    build_cv(DATA / "cv.yaml", DATA / "publications.bib", DATA / "stats.yaml", tmp_path)
    for name in OUTPUTS:
        assert (tmp_path / name).read_bytes() == (built / name).read_bytes(), name


def test_explicit_date_changes_every_output(built: Path, tmp_path: Path) -> None:
    build_cv(
        DATA / "cv.yaml", DATA / "publications.bib", DATA / "stats.yaml", tmp_path, date=dt.date(2024, 6, 1)
    )
    assert "Last updated on June 1, 2024" in (tmp_path / "cv.md").read_text(encoding="utf-8")
    assert b"/CreationDate(D:20240601000000Z)" in (tmp_path / "cv.pdf").read_bytes()
    for name in OUTPUTS:
        assert (tmp_path / name).read_bytes() != (built / name).read_bytes(), name
