"""The figure table: every figure and summary table of the report, how it is made and where it goes.

:data:`FIGURES` holds one :class:`~advgen.pipeline.figure.Figure` per family, stage by stage
(each stage's rows and their plan functions: ``advgen/pipeline/figures_<stage>.py``). Each
FAMILY and FIGURE row is a job kind (:mod:`advgen.pipeline.jobkinds_figures`), whose rule
``workflow/rules/jobs.smk`` generates like every other; ``advgen plot --list`` lists the
families. Adding a figure is three files: the plotting function in ``advgen/plots/<stage>.py``,
one row in its stage's module, and its caption ``workflow/report/<family>.rst``.

Captions are read by ``snakemake --report`` as they are (nothing is written while the DAG is
parsed): the caption of a FAMILY row is rendered once for the whole job, so it names no
wildcard (the report's labels name each figure; ``tests/unit/test_figures_jobs.py``).
No torch here: the Snakefile imports this module.
"""

from __future__ import annotations

from advgen.pipeline import figures_defense, figures_generative, figures_robustness, figures_sweeps
from advgen.pipeline.figure import FAMILY, FIGURE, STAGE, Figure

__all__ = ["BY_FAMILY", "FAMILY", "FIGURE", "FIGURES", "STAGE", "Figure"]

FIGURES: tuple[Figure, ...] = (
    *figures_generative.ROWS,
    *figures_sweeps.ROWS,
    *figures_robustness.ROWS,
    *figures_defense.ROWS,
)

#: the rows by family
BY_FAMILY: dict[str, Figure] = {f.family: f for f in FIGURES}
