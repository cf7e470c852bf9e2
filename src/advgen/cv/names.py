"""Author names from BibTeX: marks, LaTeX decoding, owner matching.

bibtexparser's ``SeparateCoAuthors`` + ``SplitNameParts`` split the raw ``author`` field
first (so ``{Meta AI}`` stays one name and ``and`` inside braces is not a separator);
each name part is then decoded from LaTeX with pylatexenc (``Roth{\\"o}rl`` -> Rothörl).
Decoding the whole field first would remove the protecting braces before the split.

Co-first-author stars (``Cohen*``) and daggers (``Amos$^{\\dagger}$``) stay glued to the
name by the splitter: they are peeled off before decoding, kept for display, and ignored
when matching the CV owner.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# A trailing mark on a name token: *, \dagger in math or \textsuperscript, a literal dagger.
_MARK = re.compile(
    r"(\*|\$\s*\^\s*\{?\s*\\dagger\s*\}?\s*\$|\\textsuperscript\s*\{\s*\\(?:text)?dagger\s*\}|†)$"
)


@dataclass(frozen=True)
class Author:
    """One decoded author: ``name`` without marks, ``marks`` like ``"*"`` or ``"†"``."""

    name: str
    marks: str = ""
    is_owner: bool = False

    @property
    def display(self) -> str:
        return self.name + self.marks


@functools.cache
def _decoder():  # type: ignore[no-untyped-def]
    """One decoder for every field (building one reads pylatexenc's macro tables: milliseconds)."""
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=True)


def decode_latex(text: str) -> str:
    """LaTeX -> Unicode text (accents, ``\\&``, braces), whitespace collapsed."""
    decoded = _decoder().latex_to_text(text)
    return " ".join(decoded.replace("\u00a0", " ").split())


def split_marks(token: str) -> tuple[str, str]:
    """Peel trailing author marks off a raw name token: ``"Amos*"`` -> ``("Amos", "*")``."""
    marks = ""
    while True:
        match = _MARK.search(token)
        if not match or match.start() == 0:
            return token, marks
        marks = ("*" if match.group(1) == "*" else "†") + marks
        token = token[: match.start()].rstrip()


def decode_name(first: Iterable[str], von: Iterable[str], last: Iterable[str], jr: Iterable[str]) -> Author:
    """Decode one split name (``NameParts``) into an :class:`Author` (``First von Last, Jr``)."""
    marks = ""
    parts: dict[str, list[str]] = {}
    for label, tokens in (("first", first), ("von", von), ("last", last), ("jr", jr)):
        decoded = []
        for token in tokens:
            token, found = split_marks(token)
            marks += found
            text = decode_latex(token)
            if text:
                decoded.append(text)
        parts[label] = decoded
    name = " ".join(parts["first"] + parts["von"] + parts["last"])
    if parts["jr"]:
        name += ", " + " ".join(parts["jr"])
    return Author(name=name, marks=marks)


def normalize(name: str) -> str:
    """Comparison key: case-folded, accents and periods removed, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).replace(".", " ")
    return " ".join(text.casefold().split())


def mark_owner(authors: Iterable[Author], owner_names: Iterable[str]) -> list[Author]:
    """Flag the authors whose name (marks ignored) is one of ``owner_names``."""
    keys = {normalize(n) for n in owner_names}
    return [Author(a.name, a.marks, normalize(a.name) in keys) for a in authors]


def join_names(names: list[str]) -> str:
    """``A``; ``A and B``; ``A, B, and C`` (the CV's serial comma)."""
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]
