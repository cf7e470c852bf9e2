"""``advgen cv new FOLDER``: a starting CV (cv.yaml, publications.bib, stats.yaml) that builds
as it is, to edit into one's own (as ``rendercv new`` starts a RenderCV file). Each file names
what to change; config/cv/README.md documents every section type and field."""

from __future__ import annotations

from pathlib import Path

from advgen.errors import AdvgenError

CV_YAML = """\
# A starting CV (`advgen cv new`): replace the example values with yours, then
#   advgen cv build --cv cv.yaml --bib publications.bib --stats stats.yaml --out build
# Schema: src/advgen/schemas/cv.schema.yaml; every section type and field: config/cv/README.md.
# Text fields are plain text; `[label](url)` is a link.
owner:
  name: Ada Example
  aliases: [A. Example]          # other spellings of your name in publications.bib's author lists
  email: ada@example.org
  links:
    - {kind: website, label: example.org, url: "https://example.org"}
    - {kind: github, label: ada-example, url: "https://github.com/ada-example"}

last_updated: 2026-01-01         # printed as "Last updated on ..."; never taken from the clock

order:                           # the sections to print, in order
  - position
  - education
  - publications
  - repositories
  - talks
  - skills

sections:
  position:
    title: Current Position
    type: entries
    entries:
      - title: Research Scientist
        org: Example Lab
        location: Example City
        start: 2024
        end: Present

  education:
    title: Education
    type: entries
    entries:
      - title: Ph.D. in Computer Science
        org: Example University
        start: 2019
        end: 2024
        lines:
          - "Thesis: [An example thesis](https://example.org/thesis)"

  publications:                  # the entries of publications.bib, newest first
    title: Publications
    type: publications
    note: Selected publications are highlighted.

  repositories:                  # star counts come from stats.yaml
    title: Open Source Repositories
    type: repositories
    entries:
      - {repo: ada-example/example-code, description: Code of the example paper, year: 2024}

  talks:
    title: Invited Talks
    type: talks
    entries:
      - {title: An example talk, venue: Example Workshop, year: 2025}

  skills:
    title: Skills
    type: skills
    entries:
      - {category: Programming, items: [Python, PyTorch]}
"""

PUBLICATIONS_BIB = """\
% Publications of the CV (`advgen cv new`): one entry per paper; the CV sorts by year, newest
% first, and keeps this file's order within a year. Required: title, author, year, venue (as
% shown on the CV). Optional: note (in parentheses), selected = {true} (highlighted), url, code,
% slides. The CV owner (cv.yaml's owner.name or one of its aliases) must be among the authors.

@inproceedings{example2025paper,
  title    = {An Example Paper on Robust Generative Models},
  author   = {Ada Example and Bo Coauthor},
  year     = {2025},
  venue    = {ICML},
  note     = {Oral},
  selected = {true},
  url      = {https://arxiv.org/abs/0000.00000},
  code     = {https://github.com/ada-example/example-code},
}

@article{coauthor2024preprint,
  title  = {A Second Example},
  author = {Bo Coauthor and A. Example},
  year   = {2024},
  venue  = {arXiv},
}
"""

STATS_YAML = """\
# Counts shown in the CV's stats lines (`advgen cv new`; schema: cv.schema.yaml#/$defs/stats).
# `advgen cv stats --cv cv.yaml --stats stats.yaml --out stats_refresh.yaml` fetches the GitHub
# star counts (network); review that file and copy it over this one.
as_of: "2026-01-01"
scholar:
  citations: 0
  h_index: 0
github:
  user: ada-example
  repos:
    ada-example/example-code: 0
"""

#: the files ``advgen cv new`` writes, by name
FILES = {"cv.yaml": CV_YAML, "publications.bib": PUBLICATIONS_BIB, "stats.yaml": STATS_YAML}


def new_cv(folder: str | Path) -> list[Path]:
    """Write :data:`FILES` into ``folder`` (created if missing); returns their paths.

    Raises:
        AdvgenError: ``folder`` is a file, or one of the files is there already (nothing is
            written, nothing overwritten; the files are moved in together, and nothing else of
            the folder is touched: :func:`advgen.cv.build.write_outputs`).
    """
    import os

    from advgen.cv.build import write_outputs

    folder = Path(folder)
    if os.path.lexists(folder) and not folder.is_dir():
        raise AdvgenError(f"{folder}: is not a folder (advgen cv new writes its three files into a folder)")
    present = [name for name in FILES if os.path.lexists(folder / name)]
    if present:
        raise AdvgenError(f"{folder / present[0]}: already exists (advgen cv new overwrites nothing)")
    return write_outputs({name: text.encode("utf-8") for name, text in FILES.items()}, folder)
