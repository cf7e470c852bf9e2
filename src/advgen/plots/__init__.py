"""Figures and summary tables of every stage (matplotlib, PNG + SVG, written atomically).

One module per stage (:mod:`~advgen.plots.gan`, :mod:`~advgen.plots.ae`,
:mod:`~advgen.plots.images`, :mod:`~advgen.plots.sweeps`, :mod:`~advgen.plots.robustness`),
all drawn with :mod:`~advgen.plots.style`; :mod:`~advgen.plots.families` maps the figure
families of ``workflow/rules/plots.smk`` to them; :mod:`~advgen.plots.tables` writes the
Markdown tables of ``results/tables/``.
"""
