"""CV builder: Markdown, HTML and PDF (Typst) from YAML + BibTeX + a stats file.

Modules: :mod:`~advgen.cv.source` (YAML loading/validation with line numbers),
:mod:`~advgen.cv.names` and :mod:`~advgen.cv.bib` (BibTeX entries and author names),
:mod:`~advgen.cv.stats` (count rounding), :mod:`~advgen.cv.model` (numbering, grouping),
:mod:`~advgen.cv.render` (the three formats), :mod:`~advgen.cv.build` (atomic build),
:mod:`~advgen.cv.github` (opt-in star refresh), :mod:`~advgen.cv.settings` (the workflow's
``cv`` config section).
"""
