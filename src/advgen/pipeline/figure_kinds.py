"""The job kinds that draw the report's figures and tables: the two shapes of a figure family's
row, :func:`figure` and :func:`figures`, and the pieces the rows share.

A figure family is a job kind like any other, a row of its stage's ``jobkinds_<stage>.py`` (its
spec a dataclass of :mod:`advgen.plots.figure_specs`, its job a function of
:mod:`advgen.plots.families`), whose outputs are files of the report: a PNG under
``results/figures`` (:func:`png`) with its vector copies in ``plots.vector_formats`` (none for a
picture of pixels, ``raster``, or a text file), or a Markdown or reStructuredText file. Each
file has its report entry (:func:`report`): the caption ``workflow/report/<family>.rst``, the
report's ``<category>/<subcategory>`` and labels naming its wildcards (:data:`WILDCARD_LABELS`)
and what it shows. The rule is ``plot_<family>`` unless the row names another (the Markdown
tables' ``table_<name>``), the command ``advgen plot-<family>``.

- :func:`figure`: one figure per job, output ``figure`` (and ``vectors``): a family of one figure
  (``each``: :data:`ONCE` or none; a local job named by the family), or one that costs a model
  and attacks (the adversarial examples: a job per classifier, named by its wildcards);
- :func:`figures`: one job without wildcards draws every figure of the family, so Python and
  matplotlib start once per family: outputs ``figures`` (each with its own report entry) and
  ``vectors``, inputs ``figure1``, ``figure2``, ... (each figure's files, from ``inputs`` of its
  wildcard values) and a spec built from every figure's wildcard values, in ``each`` order. Of
  the figures of one run, the report shows the entry's first seed's only (:func:`shown`).

Captions are read by ``snakemake --report`` as they are, once per job: a family job's names no
wildcard. No torch or matplotlib here: the Snakefile imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from string import Formatter
from typing import TYPE_CHECKING, Any, TypeVar

from advgen import paths
from advgen.jobfiles import Files
from advgen.pipeline.jobkind import ONCE, AnyJobKind, JobKind, Output, Values

if TYPE_CHECKING:
    from advgen.pipeline.plan import Plan

S = TypeVar("S")

#: a wildcard's report label where it is not the wildcard's own name
WILDCARD_LABELS = {"gan": "run", "ae": "run", "label": "point", "robustness_sweep": "sweep"}
#: the wildcards whose value is a model's run (a GAN, an autoencoder, a sweep's generator, a classifier)
RUN_WILDCARDS = ("gan", "ae", "generator", "classifier")


def png(name: str) -> str:
    """A figure's PNG under ``results/figures``."""
    return f"{paths.FIGURES}/{name}.png"


def template(*files: str) -> Callable[[Plan, Values], list[str]]:
    """A figure's inputs: each path with the figure's wildcard values filled in."""

    def inputs(plan: Plan, values: Values) -> list[str]:
        return [path.format(**values) for path in files]

    return inputs


def table_input(path: str) -> Callable[[Plan, Values], dict[str, list[str]]]:
    """A figure's one input ``table``, the file ``path``."""

    def inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
        return {"table": [path]}

    return inputs


def wildcards(path: str) -> list[str]:
    return [name for _, name, _, _ in Formatter().parse(path) if name]


def labels(path: str, label: str | None, what: str = "figure") -> dict[str, str]:
    """A file's report labels: its wildcards (:data:`WILDCARD_LABELS`), then ``<what>: label``."""
    named = {WILDCARD_LABELS.get(w, w): f"{{{w}}}" for w in wildcards(path)}
    return named if label is None else {**named, what: label}


def report(family: str, where: str, labels: Mapping[str, str]) -> dict[str, Any]:
    """The keyword arguments of a file's ``report()``: its caption, the report's
    ``<category>/<subcategory>`` (``where``; a category alone: no subcategory) and its labels."""
    category, _, subcategory = where.partition("/")
    return {
        "caption": f"../report/{family}.rst",
        "category": category,
        "subcategory": subcategory or None,
        "labels": dict(labels),
    }


def vectors(plan: Plan, path: str, raster: bool) -> list[str]:
    """The vector copies of a PNG figure (none for a picture of pixels or a text file)."""
    stem, _, suffix = path.rpartition(".")
    return [] if raster or suffix != "png" else [f"{stem}.{ext}" for ext in plan.study.plots.vector_formats]


def shown(plan: Plan, values: Values) -> bool:
    """Whether the report shows a figure: a figure of one run (:data:`RUN_WILDCARDS`) only for its
    entry's first seed, the run that keeps the entry's name (:mod:`advgen.replicates`); the other
    seeds' figures are drawn under ``results/figures`` but left out, which keeps the report small
    enough to send."""
    runs = [str(v) for w, v in values.items() if w in RUN_WILDCARDS]
    return all(plan.study.replicate_of.get(run, run) == run for run in runs)


def draws_figures(kind: AnyJobKind) -> bool:
    """Whether a job kind is a figure family: its job draws figures or tables of the report (a
    function of :mod:`advgen.plots`; ``advgen plot --list``)."""
    return kind.run.__module__.startswith("advgen.plots.")


def _help(where: str, label: str, run: Callable[..., None]) -> str:
    """A figure kind's help: where the report shows it, what it draws and from what."""
    return f"{where}: {label}. {(run.__doc__ or '').strip().splitlines()[0]}"


def figure(
    family: str,
    path: str,
    where: str,
    label: str,
    each: Callable[[Plan], list[Values]],
    inputs: Callable[[Plan, Values], Mapping[str, list[str]]],
    spec: Callable[[Plan, Values], S],
    spec_type: type[S],
    run: Callable[[Files, Files, S], None],
    *,
    rule: str = "",
    raster: bool = False,
    in_report: bool = True,
    what: str = "figure",
) -> JobKind[S]:
    """A family of one figure per job, the file ``path`` (module docstring): its report labels
    name it ``<what>: <label>`` (a Markdown table's: ``table``); ``in_report=False``: a file the
    report includes itself (the landing page)."""
    once = not wildcards(path)
    return JobKind(
        rule or f"plot_{family}",
        _help(where, label, run),
        outputs={
            "figure": Output(
                path, report=report(family, where, labels(path, label, what)) if in_report else None
            ),
            "vectors": Output(each=lambda plan: vectors(plan, path, raster)),
        },
        each=each,
        inputs=inputs,
        spec=spec,
        spec_type=spec_type,
        run=run,
        local=once,
        job=family if once else None,
        target=("figure",),
    )


def figures(
    family: str,
    path: str,
    where: str,
    label: str,
    each: Callable[[Plan], list[Values]],
    inputs: Callable[[Plan, Values], list[str]],
    spec: Callable[[Plan, list[Values]], S],
    spec_type: type[S],
    run: Callable[[Files, Files, S], None],
    *,
    raster: bool = False,
) -> JobKind[S]:
    """A family whose one job draws every figure, ``path`` filled with each of ``each``'s
    wildcard values (module docstring)."""

    def pngs(plan: Plan) -> list[str]:
        return [path.format(**values) for values in each(plan)]

    def reports(plan: Plan) -> list[Mapping[str, Any]]:
        """Each figure's report entry; empty for one the report leaves out (:func:`shown`)."""
        named = labels(path, label)
        return [
            report(family, where, {k: v.format(**values) for k, v in named.items()})
            if shown(plan, values)
            else {}
            for values in each(plan)
        ]

    def job_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
        return {f"figure{i}": inputs(plan, figure) for i, figure in enumerate(each(plan), 1)}

    return JobKind(
        f"plot_{family}",
        _help(where, label, run),
        outputs={
            "figures": Output(each=pngs, reports=reports),
            "vectors": Output(each=lambda plan: [v for p in pngs(plan) for v in vectors(plan, p, raster)]),
        },
        each=lambda plan: ONCE if each(plan) else [],
        inputs=job_inputs,
        spec=lambda plan, values: spec(plan, each(plan)),
        spec_type=spec_type,
        run=run,
        local=True,
        job=family,
        target=("figures",),
    )
