"""Numbering and grouping of publications; the model built from the small test CV."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from advgen.cv.bib import Publication, load_publications
from advgen.cv.build import load_cv
from advgen.cv.model import format_date, number_publications, rich, when

DATA = Path(__file__).resolve().parents[1] / "data" / "cv"


def _pubs() -> list[Publication]:
    return load_publications(DATA / "publications.bib", ["Ada Lovelace", "A. Lovelace"])


def _layout(groups) -> list[tuple[str, list[tuple[int, str]]]]:  # type: ignore[no-untyped-def]
    return [(g.label, [(i.number, i.pub.key) for i in g.items]) for g in groups]


def test_newest_first_file_order_within_a_year_one_global_number() -> None:
    assert _layout(number_publications(_pubs(), None)) == [
        ("2024", [(1, "newest2024"), (2, "second2024")]),
        ("2023", [(3, "newer2023")]),
        ("2021", [(4, "middle2021")]),
        ("2018", [(5, "old2018")]),
        ("2015", [(6, "oldest2015")]),
    ]


def test_years_before_the_cut_off_fold_into_one_group() -> None:
    assert _layout(number_publications(_pubs(), 2021)) == [
        ("2024", [(1, "newest2024"), (2, "second2024")]),
        ("2023", [(3, "newer2023")]),
        ("2021", [(4, "middle2021")]),
        ("2020 and earlier", [(5, "old2018"), (6, "oldest2015")]),
    ]


def test_cut_off_after_every_year_folds_everything() -> None:
    groups = number_publications(_pubs(), 2030)
    assert [g.label for g in groups] == ["2029 and earlier"]
    assert [i.number for i in groups[0].items] == [1, 2, 3, 4, 5, 6]


def test_custom_fields() -> None:
    first = _pubs()[0]
    assert (first.venue, first.note, first.selected) == ("ICML", "Oral", True)
    assert first.code == "https://github.com/adalove/engine"
    assert first.slides == "https://example.org/slides.pdf"
    assert _pubs()[1].selected is False


def test_model_from_the_small_cv() -> None:
    cv = load_cv(DATA / "cv.yaml", DATA / "publications.bib", DATA / "stats.yaml")
    assert cv.date == dt.date(2024, 5, 6)
    assert cv.updated == "May 6, 2024"
    assert [s.id for s in cv.sections] == [
        "position",
        "publications",
        "repos",
        "talks",
        "service",
        "reviewing",
        "skills",
    ]
    pubs = cv.sections[1]
    assert [g.label for g in pubs.groups] == ["2024", "2023", "2021", "2019 and earlier"]
    assert pubs.entries[0].plain == "Google Scholar: 7.3k+ citations and an h-index of 12"
    repos = cv.sections[2]
    assert repos.note.plain == "1.3k+ GitHub stars across all repositories."
    assert [(r.number, r.name, r.stars) for r in repos.entries] == [
        (1, "adalove/engine", "1.2k"),
        (2, "other/notes", "7"),
    ]


def test_date_and_fold_overrides() -> None:
    cv = load_cv(
        DATA / "cv.yaml",
        DATA / "publications.bib",
        DATA / "stats.yaml",
        date=dt.date(2025, 1, 2),
        fold_before=2024,
    )
    assert cv.updated == "January 2, 2025"
    assert [g.label for g in cv.sections[1].groups] == ["2024", "2023 and earlier"]


def test_inline_links_and_dates() -> None:
    assert rich("Thesis: [T](https://x.org/t) (2019)").segments == (
        ("Thesis: ", None),
        ("T", "https://x.org/t"),
        (" (2019)", None),
    )
    assert rich("no [link] here").segments == (("no [link] here", None),)
    assert when({"start": 2014, "end": "Present"}) == "2014 – Present"
    assert when({"date": "S2017"}) == "S2017"
    assert when({"start": 2020}) == "2020"
    assert format_date(dt.date(2023, 3, 20)) == "March 20, 2023"


@pytest.mark.parametrize("sort", ["listed", "stars"])
def test_repository_order(tmp_path: Path, sort: str) -> None:
    text = (
        (DATA / "cv.yaml")
        .read_text(encoding="utf-8")
        .replace("    type: repositories\n", f"    type: repositories\n    sort: {sort}\n")
    )
    (tmp_path / "cv.yaml").write_text(text, encoding="utf-8")
    stats = (DATA / "stats.yaml").read_text(encoding="utf-8").replace("other/notes: 7", "other/notes: 5000")
    (tmp_path / "stats.yaml").write_text(stats, encoding="utf-8")
    cv = load_cv(tmp_path / "cv.yaml", DATA / "publications.bib", tmp_path / "stats.yaml")
    names = [r.name for r in cv.sections[2].entries]
    assert names == (
        ["adalove/engine", "other/notes"] if sort == "listed" else ["other/notes", "adalove/engine"]
    )
