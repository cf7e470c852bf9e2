"""The source documents' text, and where a claim's quote is in it.

The claims file names each source's text (``sources: {"001": ../docs/sources/...}``, relative
to the claims file, inside the repository). A quote must appear verbatim, whitespace
normalised; ``...`` marks an elision, and the quoted pieces must appear in that order. A quote
with no words (``...``, ``.``) is refused: it would be found in any text; so is a quote of fewer
than :data:`MIN_QUOTE_WORDS` words (``results``) or with a piece of fewer than
:data:`MIN_PIECE_WORDS` (``the source says ... and``), found in almost any.
"""

from __future__ import annotations

from pathlib import Path

from advgen.claims.reading.fields import Where

ELLIPSIS = "..."
#: the fewest words a quote may hold (the repository's shortest holds 5) and each of its
#: verbatim pieces between elisions (the shortest holds 2)
MIN_QUOTE_WORDS = 3
MIN_PIECE_WORDS = 2


def normalised(text: str) -> str:
    """Runs of whitespace (line breaks, tabs, non-breaking spaces) as one space."""
    return " ".join(text.split())


def pieces(quote: str) -> list[str]:
    """The verbatim pieces of a quote, split at its ``...`` elisions."""
    return [p.strip() for p in normalised(quote).split(ELLIPSIS) if p.strip(" .")]


def wordless(quote: str) -> bool:
    """Whether a quote has no words to check (``...``, ``.``, ``- , -``): such a quote is in
    every text, so it cannot show that the source says anything."""
    return not any(ch.isalnum() for piece in pieces(quote) for ch in piece)


def words(piece: str) -> int:
    """The words of a piece: runs of letters and digits."""
    import re

    return len(re.findall(r"[^\W_]+", piece))


def too_short(quote: str) -> tuple[str, int] | None:
    """``(the quote or its first short piece, the fewest words it may hold)`` when ``quote`` holds
    fewer than :data:`MIN_QUOTE_WORDS` words or a piece fewer than :data:`MIN_PIECE_WORDS`."""
    parts = pieces(quote)
    if sum(words(p) for p in parts) < MIN_QUOTE_WORDS:
        return " ... ".join(parts), MIN_QUOTE_WORDS
    short = next((p for p in parts if words(p) < MIN_PIECE_WORDS), None)
    return None if short is None else (short, MIN_PIECE_WORDS)


def find(quote: str, text: str) -> str | None:
    """None if every piece of ``quote`` is in ``text`` in order, else the first piece missing."""
    body, at = normalised(text), 0
    for piece in pieces(quote):
        hit = body.find(piece, at)
        if hit < 0:
            return piece
        at = hit + len(piece)
    return None


def read_source(path: Path) -> str:
    """A source's text (UTF-8); a FIFO or a device is refused before it is opened."""
    import stat

    if not stat.S_ISREG(path.stat().st_mode):
        raise OSError(0, "not a regular file")
    return path.read_text(encoding="utf-8")


def read_sources(raw: dict[str, str], path: Path, where: Where) -> tuple[dict[str, str], dict[str, str]]:
    """The claims file's ``sources`` (their shape checked by the claims schema): source id ->
    its text's path (relative to the claims file at ``path``) and its text; one error line naming ``sources.<id>``."""
    paths, texts = {}, {}
    for sid, rel in raw.items():
        text_path = path.parent / rel
        try:
            texts[sid] = read_source(text_path)
        except (OSError, UnicodeDecodeError) as exc:
            why = "not valid UTF-8" if isinstance(exc, UnicodeDecodeError) else (exc.strerror or str(exc))
            raise where.error(
                ("sources", sid), f"sources.{sid}", f"{text_path}: cannot read the source text ({why})"
            ) from None
        paths[sid] = rel
    return paths, texts
