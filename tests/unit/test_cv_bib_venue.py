"""A Google Scholar export (tests/data/cv/scholar.bib) has no ``venue``: the CV takes BibTeX's own
``journal`` (an @article) or ``booktitle`` (an @inproceedings), and an entry's own ``venue`` wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from advgen.cv.bib import load_publications
from advgen.cv.source import CVError

DATA = Path(__file__).resolve().parents[1] / "data" / "cv"
OWNER = ["Ada Lovelace"]


def test_scholar_entries_take_journal_or_booktitle_as_venue() -> None:
    venues = {p.key: p.venue for p in load_publications(DATA / "scholar.bib", OWNER)}
    assert venues == {
        "lovelace2020engine": "arXiv preprint arXiv:2003.01690",
        "lovelace2021bernoulli": "International Conference on Machine Learning",
        "lovelace2022both": "NeurIPS",
    }


@pytest.mark.parametrize(
    ("fields", "venue"),
    [
        ("journal={J. Stat.},\n  booktitle={Proc. X},", "J. Stat."),
        ("venue={},\n  booktitle={Proc. X},", "Proc. X"),
        ("journal={ },\n  booktitle={Proc. X},", "Proc. X"),
    ],
    ids=["journal-before-booktitle", "blank-venue", "blank-journal"],
)
def test_the_first_non_blank_of_venue_journal_booktitle(tmp_path: Path, fields: str, venue: str) -> None:
    bib = tmp_path / "one.bib"
    bib.write_text(
        f"@misc{{k,\n  title={{T}},\n  author={{Lovelace, Ada}},\n  {fields}\n  year={{2020}}\n}}\n"
    )
    assert [p.venue for p in load_publications(bib, OWNER)] == [venue]


def test_no_venue_journal_or_booktitle_is_one_line_naming_them(tmp_path: Path) -> None:
    bib = tmp_path / "none.bib"
    bib.write_text("@misc{k,\n  title={T},\n  author={Lovelace, Ada},\n  year={2020}\n}\n")
    with pytest.raises(CVError) as info:
        load_publications(bib, OWNER)
    assert str(info.value) == f"{bib}:1: entry 'k': missing required field 'venue' (nor journal or booktitle)"
