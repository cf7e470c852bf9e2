"""Publications from a BibTeX file (bibtexparser 2.x).

Custom fields read from each entry (documented in config/cv/README.md):

===========  ========  ====================================================
field        required  meaning
===========  ========  ====================================================
title        yes       paper title (LaTeX decoded)
author       yes       ``A and B and C``; ``*`` co-first, ``$^{\\dagger}$``
year         yes       four-digit year (groups and sorts the list)
venue        yes       short venue shown on the CV (``ICML``, ``arXiv``); when absent, BibTeX's
                       own ``journal`` or else ``booktitle`` (what Google Scholar exports)
note         no        shown in parentheses after venue and year: ``{Oral}`` -> "L4DC 2021 (Oral)"
selected     no        ``true`` highlights the entry (default ``false``)
url          no        link on the title
code         no        URL of the ``[code]`` link
slides       no        URL of the ``[slides]`` link
===========  ========  ====================================================

Entries the parser could not read (``library.failed_blocks``), duplicate citation keys
and duplicate fields are reported with their line, as is a missing required field or an
entry whose authors do not include the CV owner (usually a misspelt name). A missing comma
between two fields makes BibTeX read the second one as part of the first value
(``venue = {X Workshop} url = {...}``): a value containing ``name =`` of a known field is
an error naming the line of the swallowed field. Fields that upstream CV repositories name
differently (:data:`ALIASES`, e.g. ``codeurl``) are read as their advgen field; any other
field that is neither advgen's nor standard BibTeX is a warning naming it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advgen.cv.names import Author, decode_latex, decode_name, mark_owner
from advgen.cv.source import CVError
from advgen.errors import AdvgenError

REQUIRED = ("title", "author", "year", "venue")
#: where an entry without ``venue`` finds it, in order: BibTeX's own fields (Google Scholar's
#: export has ``journal`` for an @article and ``booktitle`` for an @inproceedings, no ``venue``)
VENUE_FALLBACKS = ("journal", "booktitle")
FIELDS = (*REQUIRED, "note", "selected", "url", "code", "slides")
# Other names for advgen's fields, as used by upstream CV/BibTeX repositories (al-folio & co.).
ALIASES = {
    "codeurl": "code",
    "code_url": "code",
    "github": "code",
    "repository": "code",
    "slidesurl": "slides",
    "slides_url": "slides",
    "pdf": "url",
    "link": "url",
    "paperurl": "url",
    "html": "url",
}
# Standard BibTeX/biblatex fields the CV does not show: accepted without a warning.
STANDARD = frozenset(
    "address abstract annote archiveprefix booktitle chapter doi edition editor eprint howpublished institution "
    "isbn issn journal keywords language month number organization pages primaryclass publisher school series "
    "type volume urldate".split()
)
KNOWN = frozenset(FIELDS) | frozenset(ALIASES) | STANDARD
_SWALLOWED = re.compile(r"(?:[}\"]|\s)\s*([A-Za-z_]+)\s*=\s*[{\"\w]")

log = logging.getLogger(__name__)
_KEY = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s]+)")
_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Publication:
    """One BibTeX entry, decoded."""

    key: str
    title: str
    authors: tuple[Author, ...]
    year: int
    venue: str
    note: str | None = None
    selected: bool = False
    url: str | None = None
    code: str | None = None
    slides: str | None = None
    line: int = 0


def _raw_key(raw: str) -> str:
    match = _KEY.search(raw)
    return match.group(1) if match else "?"


def _failed_block_message(path: Path, block: Any, library: Any) -> str:
    from bibtexparser import model

    line = block.start_line + 1
    key = _raw_key(block.raw)
    if isinstance(block, model.DuplicateBlockKeyBlock):
        first = [e.start_line + 1 for e in library.entries if e.key == block.key]
        where = f" (first defined on line {first[0]})" if first else ""
        return f"{path}:{line}: duplicate citation key '{block.key}'{where}"
    if isinstance(block, model.DuplicateFieldKeyBlock):
        fields = ", ".join(sorted(block.duplicate_keys))
        return f"{path}:{line}: entry '{key}': field(s) given twice: {fields}"
    reason = getattr(getattr(block, "error", None), "abort_reason", None) or "unreadable entry"
    reason = " ".join(str(reason).split())
    end = line + block.raw.count("\n")
    return (
        f"{path}:{line}: entry '{key}': BibTeX syntax error, parsing stopped at line {end}: "
        f"{reason} (unbalanced braces or a missing comma?)"
    )


def parse_library(path: str | Path) -> Any:
    """Parse with name splitting; any failed block raises :class:`CVError` with its line."""
    import bibtexparser
    from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts

    from advgen.input_files import regular_input

    path = Path(path)
    try:
        regular_input(path)  # a FIFO or a device: refused before it is opened
    except AdvgenError as exc:
        raise CVError(str(exc)) from None
    if not path.is_file():
        raise CVError(f"{path}: file not found")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CVError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    # bibtexparser logs the syntax errors it recovers from; we report them ourselves.
    logger = logging.getLogger("bibtexparser.splitter")
    previous, logger.disabled = logger.disabled, True
    try:
        library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    finally:
        logger.disabled = previous
    if library.failed_blocks:
        first = min(library.failed_blocks, key=lambda b: b.start_line)
        raise CVError(_failed_block_message(path, first, library))
    return library


def _field(entry: Any, name: str) -> Any:
    field = entry.fields_dict.get(name)
    if field is None:
        for alias, canonical in ALIASES.items():
            if canonical == name and alias in entry.fields_dict:
                return entry.fields_dict[alias].value
        return None
    return field.value


def _venue(entry: Any) -> Any:
    """``venue``, else the first of :data:`VENUE_FALLBACKS` the entry has (None: none, or blank)."""
    for name in ("venue", *VENUE_FALLBACKS):
        value = _field(entry, name)
        if value is not None and (not isinstance(value, str) or value.strip()):
            return value
    return None


def _check_fields(path: Path, entry: Any) -> None:
    """A swallowed field (missing comma) is an error; unknown fields are a warning."""
    for field in entry.fields:
        if not isinstance(field.value, str):
            continue
        for match in _SWALLOWED.finditer(field.value):
            name = match.group(1).lower()
            if name in KNOWN:
                line = field.start_line + 1 + field.value[: match.start(1)].count("\n")
                raise CVError(
                    f"{path}:{line}: entry '{entry.key}': field '{name}' is swallowed into the value of "
                    f"'{field.key}' (missing comma before '{name} ='?)"
                )
    unknown = sorted(f.key for f in entry.fields if f.key.lower() not in KNOWN)
    if unknown:
        log.warning(
            "%s:%d: entry '%s': unknown field(s) %s ignored (the CV reads: %s)",
            path,
            _line(entry),
            entry.key,
            ", ".join(unknown),
            ", ".join(FIELDS),
        )


def _line(entry: Any, name: str | None = None) -> int:
    if name is not None:
        for key in (name, *(a for a, c in ALIASES.items() if c == name)):
            if key in entry.fields_dict:
                return entry.fields_dict[key].start_line + 1
    return entry.start_line + 1


def _publication(path: Path, entry: Any, owner_names: list[str]) -> Publication:
    where = f"{path}:{_line(entry)}: entry '{entry.key}'"
    _check_fields(path, entry)
    for name in REQUIRED:
        if name == "venue" and _venue(entry) is not None:
            continue
        value = _field(entry, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            also = f" (nor {' or '.join(VENUE_FALLBACKS)})" if name == "venue" else ""
            raise CVError(f"{where}: missing required field '{name}'{also}")
    authors = [decode_name(n.first, n.von, n.last, n.jr) for n in _field(entry, "author")]
    if not authors or any(not a.name for a in authors):
        raise CVError(f"{path}:{_line(entry, 'author')}: entry '{entry.key}': empty author name")
    authors = mark_owner(authors, owner_names)
    if not any(a.is_owner for a in authors):
        listed = ", ".join(a.name for a in authors)
        raise CVError(
            f"{path}:{_line(entry, 'author')}: entry '{entry.key}': the CV owner "
            f"({' / '.join(owner_names)}) is not among the authors ({listed}); misspelt name?"
        )
    year_text = str(_field(entry, "year")).strip()
    if not re.fullmatch(r"\d{4}", year_text):
        raise CVError(
            f"{path}:{_line(entry, 'year')}: entry '{entry.key}': year must be four digits, got {year_text!r}"
        )
    selected_text = str(_field(entry, "selected") or "false").strip().lower()
    if selected_text not in ("true", "false"):
        raise CVError(
            f"{path}:{_line(entry, 'selected')}: entry '{entry.key}': selected must be true or false, "
            f"got {selected_text!r}"
        )
    links = {}
    for name in ("url", "code", "slides"):
        value = _field(entry, name)
        if value is not None:
            value = str(value).strip()
            if not _URL.fullmatch(value):
                raise CVError(
                    f"{path}:{_line(entry, name)}: entry '{entry.key}': {name} is not an http(s) URL: {value!r}"
                )
        links[name] = value
    note = _field(entry, "note")
    return Publication(
        key=entry.key,
        title=decode_latex(str(_field(entry, "title"))),
        authors=tuple(authors),
        year=int(year_text),
        venue=decode_latex(str(_venue(entry))),
        note=decode_latex(str(note)) if note else None,
        selected=selected_text == "true",
        line=_line(entry),
        **links,
    )


def load_publications(path: str | Path, owner_names: list[str]) -> list[Publication]:
    """All entries of the file, in file order, validated and decoded."""
    path = Path(path)
    library = parse_library(path)
    if not library.entries:
        raise CVError(f"{path}:1: no BibTeX entries found")
    return [_publication(path, entry, owner_names) for entry in library.entries]
