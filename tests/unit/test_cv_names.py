"""Author names: split first, then decode each part; marks; owner matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from advgen.cv.bib import load_publications
from advgen.cv.names import Author, decode_latex, decode_name, join_names, mark_owner, normalize, split_marks

DATA = Path(__file__).resolve().parents[1] / "data" / "cv"


@pytest.mark.parametrize(
    ("first", "von", "last", "expected"),
    [
        (["Thomas"], [], ['Roth{\\"o}rl'], "Thomas Rothörl"),
        ([], [], ["{Meta AI}"], "Meta AI"),
        (["Michal"], [], ["Rol{\\'\\i}nek"], "Michal Rolínek"),
        (["Sergio", "G{\\'o}mez"], [], ["Colmenarejo"], "Sergio Gómez Colmenarejo"),
        (["Nando"], ["de"], ["Freitas"], "Nando de Freitas"),
        (["Nathan"], [], ["Lichtl{\\'e}"], "Nathan Lichtlé"),
        (["Ricky", "T.", "Q."], [], ["Chen"], "Ricky T. Q. Chen"),
    ],
)
def test_decode_name_parts(first: list[str], von: list[str], last: list[str], expected: str) -> None:
    assert decode_name(first, von, last, []).name == expected


def test_junior_part_follows_a_comma() -> None:
    assert decode_name(["Martin", "Luther"], [], ["King"], ["Jr."]).name == "Martin Luther King, Jr."


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("Amos*", ("Amos", "*")),
        ("Amos$^{\\dagger}$", ("Amos", "†")),
        ("Amos\\textsuperscript{\\dagger}", ("Amos", "†")),
        ("Amos*$^{\\dagger}$", ("Amos", "*†")),
        ("Amos", ("Amos", "")),
    ],
)
def test_marks_are_peeled_off(token: str, expected: tuple[str, str]) -> None:
    assert split_marks(token) == expected


def test_marks_kept_for_display_and_ignored_for_the_owner() -> None:
    author = decode_name(["Brandon"], [], ["Amos*"], [])
    assert author == Author("Brandon Amos", "*")
    assert author.display == "Brandon Amos*"
    [marked] = mark_owner([author], ["Brandon Amos"])
    assert marked.is_owner and marked.display == "Brandon Amos*"


def test_owner_matching_ignores_case_accents_and_periods() -> None:
    authors = [Author("A Lovelace"), Author("Ada Lovelacé"), Author("Charles Babbage")]
    flags = [a.is_owner for a in mark_owner(authors, ["Ada Lovelace", "A. Lovelace"])]
    assert flags == [True, True, False]
    assert normalize("  J. Zico  KOLTER ") == "j zico kolter"


def test_decode_latex_text_fields() -> None:
    assert decode_latex("IEEE Security \\& Privacy") == "IEEE Security & Privacy"
    assert decode_latex("{{QNSTOP}: Quasi-{Newton}}") == "QNSTOP: Quasi-Newton"
    assert decode_latex('Max Planck (T{\\"u}bingen)') == "Max Planck (Tübingen)"


def test_join_names_uses_the_serial_comma() -> None:
    assert join_names(["A"]) == "A"
    assert join_names(["A", "B"]) == "A and B"
    assert join_names(["A", "B", "C"]) == "A, B, and C"


def test_bibtex_file_end_to_end_names() -> None:
    pubs = {p.key: p for p in load_publications(DATA / "publications.bib", ["Ada Lovelace", "A. Lovelace"])}
    first = pubs["newest2024"]
    assert [a.display for a in first.authors] == ["Ada Lovelace*", "Thomas Rothörl*", "Meta AI"]
    assert [a.is_owner for a in first.authors] == [True, False, False]
    assert first.title == "Engines: A & B"
    second = pubs["second2024"]
    assert [a.display for a in second.authors] == ["Michal Rolínek", "A. Lovelace†"]
    assert second.authors[1].is_owner
    assert [a.name for a in pubs["middle2021"].authors] == [
        "Nando de Freitas",
        "Ada Lovelace",
        "Sergio Gómez Colmenarejo",
    ]
