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
Each stage's rows sit beside their small plan functions in ``advgen/pipeline/figures_<stage>.py``.
No torch or matplotlib here: the Snakefile imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from string import Formatter
from typing import TYPE_CHECKING, Any

from advgen import paths
from advgen.pipeline.jobkind import ONCE, Values
from advgen.plots.families import Render

__all__ = ["FAMILY", "FIGURE", "ONCE", "STAGE", "Drawn", "Figure", "Options", "Values"]

if TYPE_CHECKING:
    from advgen.pipeline.plan import Plan

#: which job draws a row's figures (see the module docstring)
FAMILY, FIGURE, STAGE = "family", "figure", "stage"

#: a figure's options on top of the ``plots`` section (fields of advgen.plots.spec.PlotSpec)
Options = dict[str, Any]


def no_options(plan: Plan, values: Values) -> Options:
    return {}


@dataclass(frozen=True)
class Figure:
    """One figure family: the files ``path`` (+ vector copies of a PNG) and how they are made."""

    family: str
    path: str  # the figure's file (.png, or .md for a table); wildcards name one figure
    category: str
    subcategory: str | None
    labels: Mapping[str, str] = field(hash=False)
    each: Callable[[Plan], list[Values]] | None = None
    inputs: Callable[[Plan, Values], list[str]] | None = None
    options: Callable[[Plan, Values], Options] = no_options
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
        return [name for _, name, _, _ in Formatter().parse(self.path) if name]

    @property
    def _job_name(self) -> str:
        """A job's name in its log and benchmark paths: the family, or one figure's wildcards."""
        if self.job == FIGURE:
            return "/".join(f"{{{w}}}" for w in self.wildcards)
        return self.family

    @property
    def log(self) -> str:
        return paths.log(self.rule, self._job_name)

    @property
    def benchmark(self) -> str:
        return paths.benchmark(self.rule, self._job_name)

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


def template(*files: str) -> Callable[[Plan, Values], list[str]]:
    """``inputs`` of a figure reading given files: each path with the figure's wildcards filled in."""

    def inputs(plan: Plan, values: Values) -> list[str]:
        return [path.format(**values) for path in files]

    return inputs


def figure_png(name: str) -> str:
    """A figure's PNG under ``results/figures``."""
    return f"{paths.FIGURES}/{name}.png"
