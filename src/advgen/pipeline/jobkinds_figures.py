"""The figure families as job kinds (:data:`KINDS`): one per row of the figure table
(:data:`advgen.pipeline.figures.FIGURES`) that a job of its own draws.

A :data:`~advgen.pipeline.figure.FAMILY` row is one job with no wildcards drawing every figure
of the family the config asks for (Python and matplotlib start once per family): its outputs
``figures`` (one per figure, each with its own report entry and labels) and ``vectors`` (the
PNGs' vector copies), its inputs ``figure1``, ``figure2``, ... (each figure's files). Of the
figures of one run, the report shows the entry's first seed's only
(:meth:`~advgen.pipeline.figure.Drawn.embedded`; an empty report entry leaves a file out). A
:data:`~advgen.pipeline.figure.FIGURE` row (the adversarial examples: a model and attacks per
figure) is one job per figure, named by its wildcards, its rule's one report entry every
figure's. Either job's spec is a
:class:`~advgen.plots.spec.FiguresSpec`: each figure's :class:`~advgen.plots.spec.PlotSpec`
holding the keys its family's renderer draws (:attr:`advgen.plots.families.Render.keys`) of the
``plots`` section and of the row's ``options``, no other, so an edit of one option reruns only
the families that draw it. The job function is :func:`advgen.plots.families.draw_figures`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advgen.pipeline.figure import FAMILY, FIGURE, ONCE, Drawn, Figure, Values
from advgen.pipeline.figures import FIGURES
from advgen.pipeline.jobkind import JobKind, Output
from advgen.pipeline.plan import Plan
from advgen.plots.families import draw_figures
from advgen.plots.spec import FiguresSpec, PlotSpec
from advgen.specs import spec_dict, typed_spec


def figure_spec(plan: Plan, row: Figure, values: Mapping[str, Any]) -> PlotSpec:
    """One figure's typed options: what its family draws (``row.draw.keys``) of the ``plots``
    section and of what the figure names (``row.options``), nothing else."""
    keys = row.draw.keys if row.draw is not None else ()
    named = {**spec_dict(plan.study.plots), **row.options(plan, Values(values))}
    spec: PlotSpec = typed_spec(
        PlotSpec, {k: v for k, v in named.items() if k in keys}, f"figure {row.family}"
    )
    return spec


def drawn(plan: Plan, row: Figure, values: Mapping[str, Any]) -> Drawn:
    """One figure of ``row``: its files, inputs and report labels."""
    values = Values(values)
    png = row.path.format(**values)
    return Drawn(
        figure=row,
        values=values,
        png=png,
        vectors=row.vectors(png, plan.study.plots.vector_formats),
        inputs=row.inputs(plan, values) if row.inputs is not None else [],
        labels={key: label.format(**values) for key, label in row.labels.items()},
    )


def family_figures(plan: Plan, row: Figure) -> list[Drawn]:
    """Every figure of ``row`` that the config asks for, in ``row.each`` order."""
    return [drawn(plan, row, values) for values in (row.each(plan) if row.each is not None else [])]


def _family_kind(row: Figure) -> dict[str, Any]:
    """The parts of a FAMILY row's kind: one job, every figure of the family."""

    def figures(plan: Plan) -> list[str]:
        return [d.png for d in family_figures(plan, row)]

    def reports(plan: Plan) -> list[Mapping[str, Any]]:
        """Each figure's report entry; empty for one the report leaves out (:meth:`Drawn.embedded`)."""
        return [row.report(d.labels) if d.embedded(plan) else {} for d in family_figures(plan, row)]

    def vectors(plan: Plan) -> list[str]:
        return [path for d in family_figures(plan, row) for path in d.vectors]

    def each(plan: Plan) -> list[Values]:
        return ONCE if family_figures(plan, row) else []

    def inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
        return {f"figure{i}": d.inputs for i, d in enumerate(family_figures(plan, row), 1)}

    def spec(plan: Plan, values: Values) -> FiguresSpec:
        return FiguresSpec(tuple(figure_spec(plan, row, d.values) for d in family_figures(plan, row)))

    return {
        "outputs": {
            "figures": Output(each=figures, reports=reports if row.in_report else None),
            "vectors": Output(each=vectors),
        },
        "each": each,
        "inputs": inputs,
        "spec": spec,
        "local": True,
        "job": row.family,
    }


def _figure_kind(row: Figure) -> dict[str, Any]:
    """The parts of a FIGURE row's kind: one job per figure, named by its wildcards."""
    assert row.each is not None

    def vectors(plan: Plan) -> list[str]:
        return row.vectors(row.path, plan.study.plots.vector_formats)

    def inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
        return {"figure1": drawn(plan, row, values).inputs}

    def spec(plan: Plan, values: Values) -> FiguresSpec:
        return FiguresSpec((figure_spec(plan, row, values),))

    report = row.report() if row.in_report else None
    return {
        "outputs": {"figures": Output(row.path, report=report), "vectors": Output(each=vectors)},
        "each": row.each,
        "inputs": inputs,
        "spec": spec,
    }


def figure_kind(row: Figure) -> JobKind[FiguresSpec]:
    """The job kind of a FAMILY or FIGURE row: rule ``row.rule``, command ``advgen plot-<family>``
    (the tables': ``table-<name>``), spec :class:`FiguresSpec`."""
    assert row.draw is not None
    parts = _family_kind(row) if row.job == FAMILY else _figure_kind(row)
    return JobKind(
        name=row.rule,
        help=f"draw the figures of family {row.family}: {row.draw.doc}",
        spec_type=FiguresSpec,
        run=draw_figures(row.family, row.draw),
        target=("figures",),
        **parts,
    )


KINDS = tuple(figure_kind(row) for row in FIGURES if row.job in (FAMILY, FIGURE))

__all__ = ["KINDS", "drawn", "family_figures", "figure_kind", "figure_spec"]
