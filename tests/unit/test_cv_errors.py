"""Malformed CV inputs: one clear message naming file and line (and key), and no output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from advgen.cv.build import OUTPUTS, build_cv
from advgen.cv.source import CVError

DATA = Path(__file__).resolve().parents[1] / "data" / "cv"
CV = (DATA / "cv.yaml").read_text(encoding="utf-8")
BIB = (DATA / "publications.bib").read_text(encoding="utf-8")
STATS = (DATA / "stats.yaml").read_text(encoding="utf-8")


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing ``needle``."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[occurrence - 1]


def _sub(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _fail(tmp_path: Path, *, cv: str = CV, bib: str = BIB, stats: str = STATS) -> str:
    """Build from the given texts; return the error message and check that nothing was written."""
    for name, text in (("cv.yaml", cv), ("pubs.bib", bib), ("stats.yaml", stats)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(CVError) as info:
        build_cv(tmp_path / "cv.yaml", tmp_path / "pubs.bib", tmp_path / "stats.yaml", out)
    assert not out.exists() or not any(out.iterdir()), "partial output left behind"
    message = str(info.value)
    assert "\n" not in message
    return message


#: one edit of the CV's or the BibTeX file's text, and the one line it gets: the file, the line that
#: holds ``at`` in the edited text, then ``message``
EDITS = [
    pytest.param(
        "cv",
        "order: [position, publications,",
        "order: [position, publicatons,",
        "order:",
        "order[1]: unknown section 'publicatons' "
        "(defined: position, publications, repos, reviewing, service, skills, talks)",
        id="unknown_section_in_order",
    ),
    pytest.param(
        "cv",
        "      - {title: Program Committee, date: 2023}",
        "      - {date: 2023}",
        "- {date: 2023}",
        "sections.service.entries[0]: missing required key 'title'",
        id="entry_missing_required_title",
    ),
    pytest.param(
        "cv",
        "venue: Royal Society, year: 2024}",
        "venue: Royal Society, year: last year}",
        "year: last year",
        "sections.talks.entries[0].year: expected integer, got str 'last year'",
        id="wrong_type_names_the_key",
    ),
    pytest.param(
        "cv",
        "last_updated: 2024-05-06",
        "last_updated: 2024-02-30",
        "last_updated",
        "last_updated: not a valid date: '2024-02-30'",
        id="impossible_date",
    ),
    pytest.param(
        "bib",
        "  venue  = {JMLR},",
        "  venue  = {JMLR},\n  venue  = {ICML},",
        "@article{middle2021",
        "entry 'middle2021': field(s) given twice: venue",
        id="bibtex_field_given_twice",
    ),
    pytest.param(
        "bib",
        "  venue  = {Tech Report},\n",
        "",
        "@techreport{old2018",
        "entry 'old2018': missing required field 'venue' (nor journal or booktitle)",
        id="bibtex_missing_required_field",
    ),
    pytest.param(
        "bib",
        "  year   = {2018},",
        "  year   = {18},",
        "year   = {18}",
        "entry 'old2018': year must be four digits, got '18'",
        id="bibtex_bad_year",
    ),
    pytest.param(
        "bib",
        "author = {Ada Lovelace and Charles Babbage}",
        "author = {Ada Lovelase and Charles Babbage}",
        "Ada Lovelase",
        "entry 'old2018': the CV owner (Ada Lovelace / A. Lovelace) is not among "
        "the authors (Ada Lovelase, Charles Babbage); misspelt name?",
        id="bibtex_owner_name_misspelt",
    ),
    pytest.param(
        "bib",
        "code     = {https://github.com/adalove/engine}",
        "code     = {github.com/adalove/engine}",
        "code     = {github.com",
        "entry 'newest2024': code is not an http(s) URL: 'github.com/adalove/engine'",
        id="bibtex_link_not_a_url",
    ),
    pytest.param(
        "bib",
        "  venue  = {NeurIPS},\n",
        "  venue  = {NeurIPS Workshop}\n  url    = {https://example.org/w},\n",
        "url    = {https://example.org/w}",
        "entry 'newer2023': field 'url' is swallowed into the value of 'venue' (missing comma before 'url ='?)",
        id="bibtex_missing_comma_swallows_the_next_field",
    ),
]


#: each input's text and the name :func:`_fail` writes it under
TEXTS = {"cv": CV, "bib": BIB, "stats": STATS}
NAMES = {"cv": "cv.yaml", "bib": "pubs.bib", "stats": "stats.yaml"}


@pytest.mark.parametrize(("which", "old", "new", "at", "message"), EDITS)
def test_an_edit_names_file_line_and_key(
    tmp_path: Path, which: str, old: str, new: str, at: str, message: str
) -> None:
    bad = _sub(TEXTS[which], old, new)
    assert _fail(tmp_path, **{which: bad}) == f"{tmp_path / NAMES[which]}:{_line_of(bad, at)}: {message}"


#: as EDITS, where the line only starts with ``message`` (the rest quotes the parser or the schema)
EDITS_STARTING = [
    pytest.param(
        "cv",
        "        location: London\n",
        "        locaton: London\n",
        "locaton:",
        "sections.position.entries[0].locaton: unknown key",
        id="misspelt_key_in_an_entry",
    ),
    pytest.param(
        "cv",
        "    type: talks\n",
        "    type: talk\n",
        "type: talk",
        "sections.talks.type: 'talk' is not one of",
        id="unknown_section_type",
    ),
    pytest.param(
        "bib",
        "  title  = {Middle},",
        "  title  = {Middle,",
        "@article{middle2021",
        "entry 'middle2021': BibTeX syntax error",
        id="bibtex_unbalanced_braces",
    ),
    pytest.param(
        "bib",
        "  venue  = {Tech Report},",
        "  venue  = {Tech Report} note = {Draft},",
        "note = {Draft}",
        "entry 'old2018': field 'note' is swallowed into the value of 'venue'",
        id="bibtex_missing_comma_on_one_line",
    ),
    pytest.param(
        "stats",
        "other/notes: 7",
        "other/notes: -7",
        "other/notes",
        "github.repos.other/notes: ",
        id="negative_star_count",
    ),
]


@pytest.mark.parametrize(("which", "old", "new", "at", "message"), EDITS_STARTING)
def test_an_edit_names_file_line_and_key_first(
    tmp_path: Path, which: str, old: str, new: str, at: str, message: str
) -> None:
    bad = _sub(TEXTS[which], old, new)
    got = _fail(tmp_path, **{which: bad})
    assert got.startswith(f"{tmp_path / NAMES[which]}:{_line_of(bad, at)}: {message}"), got


#: an edit whose line holds ``words`` (where it points is another test's)
EDITS_NAMING = [
    pytest.param(
        "cv", "skills]", "skills, talks]", "order[7]: section 'talks' is listed twice", id="section_twice"
    ),
    pytest.param(
        "cv",
        "{title: Program Committee, date: 2023}",
        "{title: Program Committee, date: 2023, start: 2022}",
        "sections.service.entries[0]: give either 'date' or 'start'/'end', not both",
        id="date_and_start_together",
    ),
    pytest.param(
        "bib",
        "selected = {true}",
        "selected = {yes}",
        "entry 'newest2024': selected must be true or false, got 'yes'",
        id="bibtex_selected_not_boolean",
    ),
]


@pytest.mark.parametrize(("which", "old", "new", "words"), EDITS_NAMING)
def test_an_edit_names_the_fault(tmp_path: Path, which: str, old: str, new: str, words: str) -> None:
    got = _fail(tmp_path, **{which: _sub(TEXTS[which], old, new)})
    assert words in got, got


#: a whole file that is no input: its first line and the message
WHOLE_FILES = [
    pytest.param("cv", "# nothing here\n", "the file is empty", id="empty_cv_file"),
    pytest.param("bib", "% only a comment\n", "no BibTeX entries found", id="bibtex_without_entries"),
    pytest.param(
        "stats",
        "as_of: '2024-05-01'\ngithub:\n  repos: {}\n",
        "missing required key 'scholar'",
        id="stats_missing_scholar",
    ),
]


@pytest.mark.parametrize(("which", "text", "message"), WHOLE_FILES)
def test_a_file_that_is_no_input(tmp_path: Path, which: str, text: str, message: str) -> None:
    assert _fail(tmp_path, **{which: text}) == f"{tmp_path / NAMES[which]}:1: {message}"


# --- YAML ---


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    bad = _sub(CV, "  name: Ada Lovelace\n", "  name: Ada Lovelace\n   email: [unclosed\n")
    message = _fail(tmp_path, cv=bad)
    assert re.match(rf"^{re.escape(str(tmp_path / 'cv.yaml'))}:\d+:\d+: YAML syntax error", message), message


def test_yaml_duplicate_key(tmp_path: Path) -> None:
    bad = _sub(CV, "    title: Publications\n", "    title: Publications\n    title: Papers\n")
    line = _line_of(bad, "title: Papers")
    assert _fail(tmp_path, cv=bad) == (
        f"{tmp_path / 'cv.yaml'}:{line}: sections.publications.title: duplicate key (first defined on line {line - 1})"
    )


def test_missing_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(CVError, match=r"nope\.yaml: file not found"):
        build_cv(tmp_path / "nope.yaml", DATA / "publications.bib", DATA / "stats.yaml", out)
    assert not out.exists()


# --- BibTeX ---


def test_bibtex_duplicate_citation_key(tmp_path: Path) -> None:
    bad = _sub(BIB, "@misc{newer2023,", "@misc{old2018,")
    first, second = _line_of(bad, "@misc{old2018"), _line_of(bad, "@techreport{old2018")
    assert _fail(tmp_path, bib=bad) == (
        f"{tmp_path / 'pubs.bib'}:{second}: duplicate citation key 'old2018' (first defined on line {first})"
    )


def test_bibtex_equals_sign_in_a_title_is_not_a_swallowed_field(tmp_path: Path) -> None:
    from advgen.cv.bib import load_publications

    good = _sub(BIB, "  title  = {Middle},", "  title  = {Why E = mc^2 and x = y hold},")
    (tmp_path / "pubs.bib").write_text(good, encoding="utf-8")
    titles = [p.title for p in load_publications(tmp_path / "pubs.bib", ["Ada Lovelace", "A. Lovelace"])]
    assert "Why E = mc^2 and x = y hold" in titles


def test_bibtex_unknown_field_warns_and_alias_is_read(tmp_path: Path, caplog) -> None:
    import logging

    from advgen.cv.bib import load_publications

    text = _sub(
        BIB,
        "  venue  = {JMLR},",
        "  venue  = {JMLR},\n  codeurl = {https://github.com/x/y},\n  pdfurl = {x},",
    )
    (tmp_path / "pubs.bib").write_text(text, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="advgen.cv.bib"):
        pubs = load_publications(tmp_path / "pubs.bib", ["Ada Lovelace", "A. Lovelace"])
    middle = next(p for p in pubs if p.key == "middle2021")
    assert middle.code == "https://github.com/x/y"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    line = _line_of(text, "@article{middle2021")
    assert warnings == [
        f"{tmp_path / 'pubs.bib'}:{line}: entry 'middle2021': unknown field(s) pdfurl ignored "
        "(the CV reads: title, author, year, venue, note, selected, url, code, slides)"
    ]


# --- stats ---


def test_repository_without_star_count(tmp_path: Path) -> None:
    bad = _sub(STATS, "    other/notes: 7\n", "")
    line = _line_of(CV, "repo: other/notes")
    assert _fail(tmp_path, stats=bad) == (
        f"{tmp_path / 'cv.yaml'}:{line}: sections.repos.entries[1].repo: no star count for 'other/notes' "
        "in the stats file (add it, or refresh with the cv_stats rule)"
    )


# --- a failed build keeps the previous outputs ---


def test_failed_rebuild_leaves_previous_outputs_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_cv(DATA / "cv.yaml", DATA / "publications.bib", DATA / "stats.yaml", out)
    before = {name: (out / name).read_bytes() for name in OUTPUTS}
    (tmp_path / "bad.bib").write_text(_sub(BIB, "@misc{newer2023,", "@misc{old2018,"), encoding="utf-8")
    with pytest.raises(CVError, match="duplicate citation key"):
        build_cv(DATA / "cv.yaml", tmp_path / "bad.bib", DATA / "stats.yaml", out)
    assert {name: (out / name).read_bytes() for name in OUTPUTS} == before
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)
