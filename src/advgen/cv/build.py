"""Build cv.md, cv.html, cv.typ and cv.pdf from cv.yaml + publications.bib + stats.yaml.

All four outputs are rendered in memory first (PDF included), then written beside their
names and moved into place together (:mod:`advgen.output_set`): bad input leaves no partial
output, and a previous build stays intact, all of it.
The date comes from the data (or ``date=``), never the machine clock, and Typst gets it
as the PDF creation date, so a rebuild of unchanged data is byte-identical.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from advgen.cv.bib import load_publications
from advgen.cv.model import CV, build_model
from advgen.cv.render import render_html, render_markdown, render_typst
from advgen.cv.source import CVError, load_cv_yaml, load_stats_yaml

OUTPUTS = ("cv.md", "cv.html", "cv.typ", "cv.pdf")


def load_cv(
    cv_path: str | Path,
    bib_path: str | Path,
    stats_path: str | Path,
    *,
    date: dt.date | None = None,
    fold_before: int | None = None,
) -> CV:
    """Load and check the three inputs and assemble the :class:`CV` model."""
    source, data = load_cv_yaml(cv_path)
    owner = data["owner"]
    pubs = load_publications(bib_path, [owner["name"], *owner.get("aliases", [])])
    _, stats = load_stats_yaml(stats_path)
    if date is None:
        if not data.get("last_updated"):
            raise CVError(f"{cv_path}:1: last_updated: no date given (set it here or pass --date)")
        date = dt.date.fromisoformat(data["last_updated"])
    return build_model(source, data, pubs, stats, date=date, fold_before=fold_before)


def compile_pdf(typst_source: str, date: dt.date) -> bytes:
    """Compile Typst source to PDF with the bundled compiler; the date pins ``datetime.today()``."""
    import typst

    timestamp = int(dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC).timestamp())
    try:
        return typst.compile(typst_source.encode("utf-8"), format="pdf", timestamp=timestamp)
    except typst.TypstError as exc:  # a template bug, or text Typst cannot lay out
        raise CVError(f"cv.typ: Typst could not compile the CV: {' '.join(str(exc).split())}") from exc


def render_all(cv: CV) -> dict[str, bytes]:
    """The four outputs, in memory."""
    typ = render_typst(cv)
    return {
        "cv.md": render_markdown(cv).encode("utf-8"),
        "cv.html": render_html(cv).encode("utf-8"),
        "cv.typ": typ.encode("utf-8"),
        "cv.pdf": compile_pdf(typ, cv.date),
    }


def write_outputs(outputs: dict[str, bytes], out_dir: str | Path) -> list[Path]:
    """Write every file into ``out_dir``, together (:mod:`advgen.output_set`: the folder holds all
    the old files or all the new ones, whenever a signal ends the command).

    A full disk or an unwritable folder is one line naming the output it was writing
    (:func:`advgen.write_errors.write_error`), and leaves no empty output folder; what a killed
    write left, the next one removes: its own temporary files (``.NAME.<random>.tmp``), nothing
    else of the folder's."""
    from advgen.io import write_bytes
    from advgen.output_set import output_set

    paths = [Path(out_dir) / name for name in outputs]
    with output_set():
        for path, data in zip(paths, outputs.values(), strict=True):
            write_bytes(path, data)
    return paths


def build_cv(
    cv_path: str | Path,
    bib_path: str | Path,
    stats_path: str | Path,
    out_dir: str | Path,
    *,
    date: dt.date | None = None,
    fold_before: int | None = None,
) -> list[Path]:
    """Build all outputs into ``out_dir``; returns their paths."""
    cv = load_cv(cv_path, bib_path, stats_path, date=date, fold_before=fold_before)
    return write_outputs(render_all(cv), out_dir)
