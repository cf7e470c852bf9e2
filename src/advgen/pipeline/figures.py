"""The figure table: every figure and summary table of the report, how it is made and where it goes.

:data:`FIGURES` holds one :class:`~advgen.pipeline.figure.Figure` per family, stage by stage
(each stage's rows and their plan functions: ``advgen/pipeline/figures_<stage>.py``).
``workflow/rules/plots.smk`` generates the rules of the FAMILY and FIGURE rows from
:class:`FiguresPlan`, and ``advgen plot --family <family>`` finds the renderer here. Adding a
figure is three files: the plotting function in ``advgen/plots/<stage>.py``, one row in its
stage's module, and its caption ``workflow/report/<family>.rst``.

Captions are read by ``snakemake --report`` as they are (nothing is written while the DAG is
parsed): the caption of a FAMILY row is rendered once for the whole job, so it names no
wildcard (the report's labels name each figure; ``tests/unit/test_figures_jobs.py``).
No torch here: the Snakefile imports this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from advgen.config import spec_json
from advgen.pipeline import figures_defense, figures_generative, figures_robustness, figures_sweeps
from advgen.pipeline.base import Stage
from advgen.pipeline.figure import FAMILY, FIGURE, STAGE, Drawn, FamilyJob, Figure, Values
from advgen.plots.spec import PlotSpec
from advgen.specs import spec_dict, typed_spec

if TYPE_CHECKING:
    from advgen.pipeline.plan import Plan

__all__ = ["BY_FAMILY", "FAMILY", "FIGURE", "FIGURES", "STAGE", "Figure", "FiguresPlan"]

FIGURES: tuple[Figure, ...] = (
    *figures_generative.ROWS,
    *figures_sweeps.ROWS,
    *figures_robustness.ROWS,
    *figures_defense.ROWS,
)

#: the rows by family
BY_FAMILY: dict[str, Figure] = {f.family: f for f in FIGURES}


class FiguresPlan(Stage):
    """The figures and tables a config asks for, and each figure's inputs and options."""

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan.study)
        self.plan = plan

    # --- the rules
    def job(self, figure: Figure) -> FamilyJob:
        """The family's one job: every figure of it that the config asks for."""
        return FamilyJob(figure, [self.drawn(figure, values) for values in self.each(figure)])

    def each(self, figure: Figure) -> list[Values]:
        return figure.each(self.plan) if figure.each is not None else []

    def spec(self, figure: Figure, values: Mapping[str, Any]) -> PlotSpec:
        """One figure's typed options: what its family draws (``figure.draw.keys``) of the
        ``plots`` section and of what the figure names (``options``), nothing else; so an edit of
        an option reruns only the families that draw it."""
        keys = figure.draw.keys if figure.draw is not None else ()
        named = {**spec_dict(self.study.plots), **figure.options(self.plan, Values(values))}
        drawn = {key: value for key, value in named.items() if key in keys}
        spec: PlotSpec = typed_spec(PlotSpec, drawn, f"figure {figure.family}")
        return spec

    def drawn(self, figure: Figure, values: Mapping[str, Any]) -> Drawn:
        values = Values(values)
        png = figure.path.format(**values)
        return Drawn(
            figure=figure,
            wildcards={k: str(v) for k, v in values.items()},
            png=png,
            vectors=figure.vectors(png, self.study.plots.vector_formats),
            inputs=figure.inputs(self.plan, values) if figure.inputs is not None else [],
            spec=spec_json(spec_dict(self.spec(figure, values))),
            labels={key: label.format(**values) for key, label in figure.labels.items()},
        )

    def _values(self, figure: Figure, wildcards: Any) -> Values:
        return Values({name: getattr(wildcards, name) for name in figure.wildcards})

    def vectors(self, figure: Figure) -> list[str]:
        """The vector copies of a one-job-per-figure row's PNG (wildcards left in)."""
        return figure.vectors(figure.path, self.study.plots.vector_formats)

    def input_function(self, figure: Figure) -> Callable[[Any], list[str]]:
        """Input function of a one-job-per-figure rule (:data:`FIGURE`)."""

        def inputs(wildcards: Any) -> list[str]:
            return self.drawn(figure, self._values(figure, wildcards)).inputs

        inputs.__name__ = f"{figure.family}_inputs"
        return inputs

    def spec_function(self, figure: Figure) -> Callable[[Any], str]:
        """Params function of a one-job-per-figure rule: the figure's options as sorted JSON."""

        def spec(wildcards: Any) -> str:
            return self.drawn(figure, self._values(figure, wildcards)).spec

        spec.__name__ = f"{figure.family}_spec"
        return spec

    def targets(self) -> list[str]:
        return [d.png for f in FIGURES if f.job != STAGE for d in self.job(f).figures]
