"""The source documents' text, and where a claim's quote is in it.

The claims file names each source's text (``sources: {"001": ../docs/sources/...}``, relative
to the claims file, inside the repository). A quote must appear verbatim, whitespace
normalised; ``...`` marks an elision, and the quoted pieces must appear in that order.
"""

from __future__ import annotations

from pathlib import Path

ELLIPSIS = "..."


def normalised(text: str) -> str:
    """Runs of whitespace (line breaks, tabs, non-breaking spaces) as one space."""
    return " ".join(text.split())


def pieces(quote: str) -> list[str]:
    """The verbatim pieces of a quote, split at its ``...`` elisions."""
    return [p.strip() for p in normalised(quote).split(ELLIPSIS) if p.strip(" .")]


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
    """A source's text (UTF-8)."""
    return path.read_text(encoding="utf-8")
