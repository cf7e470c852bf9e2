"""A figure family, declared once: one row of the figure table (:mod:`advgen.pipeline.figures`).

A :class:`Figure` is one family of figures (or Markdown tables) of the report: its file (a path
template; the wildcards name one figure), report category, subcategory and labels, its caption
``workflow/report/<family>.rst`` and how it is made, as callables of the plan
(:class:`advgen.pipeline.Plan`):

- ``each(plan)``: the wildcard values of every figure of the family the config asks for;
- ``inputs(plan, values)``: one figure's input files (always a list);
- ``options(plan, values)``: one figure's options, on top of the ``plots`` section (the
  fields of :class:`advgen.plots.spec.PlotSpec` it names);
- ``draw(inputs, outputs, spec)``: the renderer (:mod:`advgen.plots.families`).

``job`` says which job runs ``draw``: :data:`FAMILY` (one ``plot_<family>`` job draws every
figure, so Python and matplotlib start once per family; the Markdown tables are such
families), :data:`FIGURE` (one job per figure, for a figure that costs a model and attacks:
the adversarial examples), or :data:`STAGE` (the stage's own job writes the image while its
tensors are in memory, e.g. a sweep's reconstructions; the row gives that job's output its
report entry). A FAMILY or FIGURE row is a job kind (:mod:`advgen.pipeline.jobkinds_figures`:
its rule, its ``advgen plot-<family>`` command, its spec of the options the family draws).
Each stage's rows sit beside their small plan functions in ``advgen/pipeline/figures_<stage>.py``,
one line or two a row: :func:`row` names a row's report labels from its wildcards
(:data:`WILDCARD_LABELS`), :func:`summary` is a figure of one table, :func:`markdown_table` a
Markdown table; a stage's module adds the shape its rows repeat (a figure of each GAN run, of
each sweep point). No torch or matplotlib here: the Snakefile imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from string import Formatter
from typing import TYPE_CHECKING, Any

from advgen import paths
from advgen.pipeline.jobkind import ONCE, Values
from advgen.plots.families import Render, one_table

__all__ = ["FAMILY", "FIGURE", "ONCE", "STAGE", "Drawn", "Figure", "Options", "Values"]

if TYPE_CHECKING:
    from advgen.pipeline.plan import Plan

#: which job draws a row's figures (see the module docstring)
FAMILY, FIGURE, STAGE = "family", "figure", "stage"

#: a figure's options on top of the ``plots`` section (fields of advgen.plots.spec.PlotSpec)
Options = dict[str, Any]
#: a row's ``each``, ``inputs`` and ``options`` (see the module docstring)
Each = Callable[["Plan"], list[Values]]
Inputs = Callable[["Plan", Values], list[str]]
OptionsOf = Callable[["Plan", Values], Options]
#: a plotting function of one table (:func:`advgen.plots.families.one_table`)
Plot = Callable[..., None]


def no_options(plan: Plan, values: Values) -> Options:
    return {}


def wildcards(path: str) -> list[str]:
    """The wildcards of a path template, in order."""
    return [name for _, name, _, _ in Formatter().parse(path) if name]


@dataclass(frozen=True)
class Figure:
    """One figure family: the files ``path`` (+ vector copies of a PNG) and how they are made."""

    family: str
    path: str  # the figure's file (.png, or .md for a table); wildcards name one figure
    category: str
    subcategory: str | None
    labels: Mapping[str, str] = field(hash=False)
    each: Each | None = None
    inputs: Inputs | None = None
    options: OptionsOf = no_options
    draw: Render | None = None
    job: str = FAMILY
    #: the rule's name: ``plot_<family>`` unless given (the tables, the stage jobs)
    rule_name: str = ""
    #: a picture of pixels (sample grids): no vector copies, which would only wrap the raster
    raster: bool = False
    #: an entry of the report (False: a file the report includes, e.g. on its landing page)
    in_report: bool = True

    @property
    def rule(self) -> str:
        return self.rule_name or f"plot_{self.family}"

    @property
    def caption(self) -> str:
        """Relative to ``workflow/rules/`` (where the rules are defined)."""
        return f"../report/{self.family}.rst"

    @property
    def wildcards(self) -> list[str]:
        return wildcards(self.path)

    def vectors(self, path: str, formats: tuple[str, ...]) -> list[str]:
        """The vector copies of a PNG figure (none for a table)."""
        stem, dot, suffix = path.rpartition(".")
        return [f"{stem}.{ext}" for ext in formats] if dot and suffix == "png" and not self.raster else []

    def report(self, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The keyword arguments of the rule's ``report(path, ...)``."""
        return {
            "caption": self.caption,
            "category": self.category,
            "subcategory": self.subcategory,
            "labels": dict(self.labels if labels is None else labels),
        }


@dataclass(frozen=True)
class Drawn:
    """One figure of a family's job: its wildcard values, files, inputs and report labels."""

    figure: Figure
    values: Values
    png: str
    vectors: list[str]
    inputs: list[str]
    labels: dict[str, str]

    @property
    def wildcards(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.values.items()}

    @property
    def outputs(self) -> list[str]:
        return [self.png, *self.vectors]

    def embedded(self, plan: Plan) -> bool:
        """Whether the report shows this figure: a figure of one run (:data:`RUN_WILDCARDS`) only
        for its entry's first seed, the run that keeps the entry's name (:mod:`advgen.replicates`);
        the other seeds' figures are drawn under ``results/figures`` but left out, which keeps the
        report small enough to send."""
        if not self.figure.in_report:
            return False
        replicate_of = plan.study.replicate_of
        runs = [str(v) for w, v in self.values.items() if w in RUN_WILDCARDS]
        return all(replicate_of.get(run, run) == run for run in runs)


def template(*files: str) -> Inputs:
    """``inputs`` of a figure reading given files: each path with the figure's wildcards filled in."""

    def inputs(plan: Plan, values: Values) -> list[str]:
        return [path.format(**values) for path in files]

    return inputs


def figure_png(name: str) -> str:
    """A figure's PNG under ``results/figures``."""
    return f"{paths.FIGURES}/{name}.png"


#: a wildcard's report label where it is not the wildcard's own name
WILDCARD_LABELS = {"gan": "run", "ae": "run", "label": "point", "robustness_sweep": "sweep"}
#: the wildcards whose value is a model's run (a GAN, an autoencoder, a sweep's generator, a classifier)
RUN_WILDCARDS = ("gan", "ae", "generator", "classifier")


def row(
    family: str,
    path: str,
    where: str,
    label: str | None,
    each: Each | None,
    inputs: Inputs | None,
    options: OptionsOf = no_options,
    draw: Render | None = None,
    **more: Any,
) -> Figure:
    """A row whose report labels name its wildcards (:data:`WILDCARD_LABELS`), then the figure
    (``figure: <label>``, unless None); ``where`` is the report's ``<category>/<subcategory>``;
    ``more``: the other fields of :class:`Figure`."""
    category, _, subcategory = where.partition("/")
    labels = {WILDCARD_LABELS.get(w, w): f"{{{w}}}" for w in wildcards(path)}
    if label is not None:
        labels["figure"] = label
    return Figure(family, path, category, subcategory, labels, each, inputs, options, draw, **more)


def summary(
    family: str, name: str, where: str, label: str, each: Each, table: str, options: OptionsOf, plot: Plot
) -> Figure:
    """A figure ``<name>.png`` (:func:`figure_png`) of one table, the file ``table``, drawn by
    ``plot`` (:func:`~advgen.plots.families.one_table`)."""
    return row(family, figure_png(name), where, label, each, template(table), options, one_table(plot))


def markdown_table(
    name: str, each: Each | None = None, draw: Render | None = None, *tables: str, **more: Any
) -> Figure:
    """The Markdown table ``results/tables/<name>.md`` (category Tables) of the files ``tables``,
    drawn by rule ``table_<name>`` unless ``more`` names another (``rule_name``, and ``job``)."""
    family = f"table_{name}"
    more.setdefault("rule_name", family)
    inputs = template(*tables) if tables else None
    labels = {"table": name.replace("_", " ")}
    return Figure(
        family, paths.TABLE_MD.format(table=name), "Tables", None, labels, each, inputs, draw=draw, **more
    )
