"""Figures and summary tables of every stage (matplotlib, PNG + SVG, written atomically).

One module per stage (:mod:`~advgen.plots.gan`, :mod:`~advgen.plots.ae`,
:mod:`~advgen.plots.images`, :mod:`~advgen.plots.sweeps`, :mod:`~advgen.plots.robustness`),
all drawn with :mod:`~advgen.plots.style`; :mod:`~advgen.plots.families` holds the figure families'
jobs (their specs: :mod:`~advgen.plots.figure_specs`); :mod:`~advgen.plots.examples` runs
the attacks of the adversarial-examples figures; :mod:`~advgen.plots.tables` writes the
Markdown tables of ``results/tables/``.
"""
