"""The figure table: every figure and summary table of the report, how it is made and where it goes.

Each row of :data:`FIGURES` is one family: its file (a path template; the wildcards name one
figure), report category, subcategory and labels, its caption ``workflow/report/<family>.rst``
and how it is made, as callables:

- ``each(plan)``: the wildcard values of every figure of the family the config asks for;
- ``inputs(plan, values)``: one figure's input files (always a list);
- ``spec(plan, figure, values)``: one figure's options, on top of the ``plots`` section;
- ``draw(inputs, outputs, options)``: the renderer (:mod:`advgen.plots.families`).

``job`` says which job runs ``draw``: :data:`FAMILY` (one ``plot_<family>`` job draws every
figure, so Python and matplotlib start once per family; the Markdown tables are such
families), :data:`FIGURE` (one job per figure, for a figure that costs a model and attacks:
the adversarial examples), or :data:`STAGE` (the stage's own job writes the image while its
tensors are in memory, e.g. a sweep's reconstructions; the row gives its report entry).
``workflow/rules/plots.smk`` generates the rules of the FAMILY and FIGURE rows, and
``advgen plot --family <family>`` finds the renderer here. Adding a figure is three files: the
plotting function in ``advgen/plots/<stage>.py``, one row below, and its caption.

Captions are read by ``snakemake --report`` as they are (nothing is written while the DAG is
parsed): the caption of a FAMILY row is rendered once for the whole job, so it names no
wildcard (the report's labels name each figure; ``tests/unit/test_figures_jobs.py``).
No torch here: the Snakefile imports this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from string import Formatter
from typing import Any

from advgen import paths
from advgen.config import spec_json
from advgen.errors import ConfigError
from advgen.pipeline.base import Stage
from advgen.plots import defense as defense_plots
from advgen.plots import families as render
from advgen.plots import robustness as robustness_plots
from advgen.plots import sweeps as sweeps_plots
from advgen.plots.examples import adversarial_examples
from advgen.plots.families import Render, one_table
from advgen.robustness import plan as robustness_plan
from advgen.sweeps.registry import SWEEPS

#: which job draws a row's figures (see the module docstring)
FAMILY, FIGURE, STAGE = "family", "figure", "stage"

Values = dict[str, Any]
Each = Callable[["FiguresPlan"], list[Values]]
Inputs = Callable[["FiguresPlan", Values], list[str]]
Options = Callable[["FiguresPlan", "Figure", Values], dict[str, Any]]


def _no_options(plan: FiguresPlan, figure: Figure, values: Values) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Figure:
    """One figure family: the files ``path`` (+ vector copies of a PNG) and how they are made."""

    family: str
    path: str  # the figure's file (.png, or .md for a table); wildcards name one figure
    category: str
    subcategory: str | None
    labels: dict[str, str] = field(hash=False)
    each: Each | None = None
    inputs: Inputs | None = None
    spec: Options = _no_options
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

    def vectors(self, path: str, formats: list[str]) -> list[str]:
        """The vector copies of a PNG figure (none for a table)."""
        stem, dot, suffix = path.rpartition(".")
        return [f"{stem}.{ext}" for ext in formats] if dot and suffix == "png" and not self.raster else []

    def report(self, labels: dict[str, str] | None = None) -> dict[str, Any]:
        """The keyword arguments of the rule's ``report(path, ...)``."""
        return {
            "caption": self.caption,
            "category": self.category,
            "subcategory": self.subcategory,
            "labels": self.labels if labels is None else labels,
        }


@dataclass(frozen=True)
class Drawn:
    """One figure of a family's job: its files, inputs, options (sorted JSON) and report labels."""

    figure: Figure
    wildcards: dict[str, str]
    png: str
    vectors: list[str]
    inputs: list[str]
    spec: str
    labels: dict[str, str]

    @property
    def outputs(self) -> list[str]:
        return [self.png, *self.vectors]

    def arguments(self) -> list[str]:
        """Its ``advgen plot`` group: ``--input FILE... --out FILE... --spec JSON``."""
        return ["--input", *self.inputs, "--out", *self.outputs, "--spec", self.spec]


@dataclass(frozen=True)
class FamilyJob:
    """The one job of a figure family (``plot_<family>``): every figure the config asks for.

    Its outputs name each figure explicitly (no wildcards), so the rule wraps each PNG in its
    own ``report(...)``; the vector copies follow.
    """

    figure: Figure
    figures: list[Drawn]

    @property
    def inputs(self) -> list[str]:
        """Every figure's inputs, each once, in figure order."""
        return list(dict.fromkeys(path for d in self.figures for path in d.inputs))

    @property
    def vectors(self) -> list[str]:
        return [path for d in self.figures for path in d.vectors]

    @property
    def arguments(self) -> list[str]:
        """``advgen plot --family <family>`` then these: one ``--input/--out/--spec`` group per figure."""
        return [arg for d in self.figures for arg in d.arguments()]


ONCE: list[Values] = [{}]


def template(path: str) -> Inputs:
    """``inputs`` of a figure reading one file: ``path`` with the figure's wildcards filled in."""

    def inputs(plan: FiguresPlan, values: Values) -> list[str]:
        return [path.format(**values)]

    return inputs


def figure_png(name: str) -> str:
    """A figure's PNG under ``results/figures``."""
    return f"{paths.FIGURES}/{name}.png"


class FiguresPlan(Stage):
    """The figures and tables a config asks for, and each figure's inputs and options."""

    def __init__(self, config, stages: dict[str, Stage], source="config"):
        super().__init__(config, source)
        self.stages = stages
        self.options = config["plots"]

    # --- the rules
    def job(self, figure: Figure) -> FamilyJob:
        """The family's one job: every figure of it that the config asks for."""
        return FamilyJob(figure, [self.drawn(figure, values) for values in self.each(figure)])

    def each(self, figure: Figure) -> list[Values]:
        return figure.each(self) if figure.each is not None else []

    def drawn(self, figure: Figure, values: Values) -> Drawn:
        png = figure.path.format(**values)
        return Drawn(
            figure=figure,
            wildcards={k: str(v) for k, v in values.items()},
            png=png,
            vectors=figure.vectors(png, self.options["vector_formats"]),
            inputs=figure.inputs(self, values) if figure.inputs is not None else [],
            spec=spec_json({**self.options, **figure.spec(self, figure, values)}),
            labels={key: label.format(**values) for key, label in figure.labels.items()},
        )

    def _values(self, figure: Figure, wildcards) -> Values:
        return {name: getattr(wildcards, name) for name in figure.wildcards}

    def vectors(self, figure: Figure) -> list[str]:
        """The vector copies of a one-job-per-figure row's PNG (wildcards left in)."""
        return figure.vectors(figure.path, self.options["vector_formats"])

    def input_function(self, figure: Figure) -> Callable:
        """Input function of a one-job-per-figure rule (:data:`FIGURE`)."""

        def inputs(wildcards) -> list[str]:
            return self.drawn(figure, self._values(figure, wildcards)).inputs

        inputs.__name__ = f"{figure.family}_inputs"
        return inputs

    def spec_function(self, figure: Figure) -> Callable:
        """Params function of a one-job-per-figure rule: the figure's options as sorted JSON."""

        def spec(wildcards) -> str:
            return self.drawn(figure, self._values(figure, wildcards)).spec

        spec.__name__ = f"{figure.family}_spec"
        return spec

    def targets(self) -> list[str]:
        return [d.png for f in FIGURES if f.job != STAGE for d in self.job(f).figures]

    # --- which figures (``each``)
    def gans(self) -> list[Values]:
        return [{"gan": g} for g in sorted(self.section("gans"))]

    def aes(self) -> list[Values]:
        return [{"ae": a} for a in sorted(self.section("autoencoders"))]

    def gan_datasets(self) -> list[Values]:
        return [{"dataset": d} for d in sorted({g["dataset"] for g in self.section("gans").values()})]

    def if_scored_gans(self) -> list[Values]:
        return ONCE if self.stages["generative"].scored_gans() else []

    def if_sample_quality(self) -> list[Values]:
        return ONCE if self.stages["generative"].sample_quality_rows() else []

    def overview_runs(self) -> list[tuple[str, str, str]]:
        """``(role, run, kind)`` of the overview figure: the first run of each ``plots.overview_roles``
        role the config defines (kind: ``gans`` or ``autoencoders``)."""
        from advgen.pipeline.claims import resolve_roles

        wanted = [r for r in self.options["overview_roles"] if r in (self.config.get("roles") or {})]
        if not wanted or not self.section("sample_quality"):
            return []
        roles = resolve_roles(self.config, None, self.source)
        out = []
        for role in wanted:
            run = roles[role][0]
            kind = next((k for k in ("gans", "autoencoders") if run in self.section(k)), None)
            if kind is None:
                raise ConfigError(
                    f"{self.source}: plots.overview_roles: role '{role}' names '{run}', not a GAN or an autoencoder"
                )
            out.append((role, run, kind))
        return out

    def if_overview(self) -> list[Values]:
        return ONCE if self.overview_runs() else []

    def _points(self, sweep: str) -> list[Values]:
        return [{"generator": p.generator, "label": p.label} for p in self.stages["sweeps"].points(sweep)]

    def inversion_points(self) -> list[Values]:
        return self._points("inversion")

    def interpolation_points(self) -> list[Values]:
        return self._points("interpolation")

    def _if_sweep(self, sweep: str) -> list[Values]:
        return ONCE if sweep in self.stages["sweeps"].sweeps() else []

    def if_inversion(self) -> list[Values]:
        return self._if_sweep("inversion")

    def if_inpainting(self) -> list[Values]:
        return self._if_sweep("inpainting")

    def if_truncation(self) -> list[Values]:
        return self._if_sweep("truncation")

    def truncation_generators(self) -> list[Values]:
        return [
            {"generator": g}
            for g in sorted({p.generator for p in self.stages["sweeps"].points("truncation")})
        ]

    def if_attacks(self) -> list[Values]:
        return ONCE if self.stages["robustness"].attack_jobs else []

    def if_minimal(self) -> list[Values]:
        rob = self.stages["robustness"]
        return ONCE if rob.attack_jobs and rob.minimal_attacks else []

    def if_transfer(self) -> list[Values]:
        return ONCE if self.section("robustness").get("transfer") else []

    def robustness_sweeps(self) -> list[Values]:
        return [{"robustness_sweep": s} for s in self.stages["robustness"].sweeps()]

    def example_classifiers(self) -> list[Values]:
        examples = self.section("robustness").get("examples") or {}
        return [{"classifier": name} for name in examples.get("classifiers", [])]

    def if_purify(self) -> list[Values]:
        return ONCE if self.stages["defense"].purify else []

    def if_probes(self) -> list[Values]:
        return ONCE if self.stages["defense"].probes else []

    # --- inputs that depend on the figure
    def overview_real(self) -> list[str]:
        """The real test digits beside the overview's samples: the sample_quality job's grid of the
        first run's dataset (none when real data is not scored)."""
        runs = self.overview_runs()
        if not runs:
            return []
        _, run, kind = runs[0]
        grid = paths.SAMPLE_QUALITY_REAL_GRID.format(dataset=self.section(kind)[run]["dataset"])
        return [grid] if grid in self.stages["generative"].real_grids() else []

    def overview_inputs(self, values: Values) -> list[str]:
        """The summary table, the real test digits and each run's final grid."""
        grids = [
            paths.GAN_SAMPLES.format(gan=run) if kind == "gans" else paths.AE_NOVEL.format(ae=run)
            for _, run, kind in self.overview_runs()
        ]
        return [paths.SAMPLE_QUALITY_SUMMARY, *self.overview_real(), *grids]

    def comparison_losses(self, values: Values) -> list[str]:
        return [paths.GAN_LOSSES.format(gan=n) for n in self._gans_of(values["dataset"])]

    def _point_file(self, sweep: str, path: str, values: Values) -> list[str]:
        """The point's own table (its job's output)."""
        p = self.stages["sweeps"].grid.by_label(sweep, values["generator"], values["label"])
        return [path.format(generator=p.generator, point=p.label)]

    def inversion_steps(self, values: Values) -> list[str]:
        return self._point_file("inversion", paths.INVERSION_STEPS, values)

    def interpolation_frames(self, values: Values) -> list[str]:
        return self._point_file("interpolation", paths.INTERPOLATION_FRAMES, values)

    def _truncation_rows(self, generator: str) -> list[Any]:
        """The generator's truncation points, one grid row each: psi ascending, no truncation last."""
        points = [p for p in self.stages["sweeps"].points("truncation") if p.generator == generator]
        return sorted(points, key=lambda p: (p.params["psi"] is None, p.params["psi"] or 0.0, p.label))

    def truncation_samples(self, values: Values) -> list[str]:
        """The samples of the generator's truncation points (one grid row each), in psi order."""
        return [
            paths.TRUNCATION_SAMPLES.format(generator=p.generator, point=p.label)
            for p in self._truncation_rows(values["generator"])
        ]

    def example_inputs(self, values: Values) -> list[str]:
        """The classifier and its test split."""
        inputs = self.stages["robustness"].examples_inputs(values["classifier"])
        return [inputs["model"], inputs["test"]]

    def robustness_table_inputs(self, values: Values) -> list[str]:
        return [paths.ATTACKS, paths.MINIMAL_PERTURBATION]

    # --- options (``spec``): what the figure names, on top of the plots section
    def _gans_of(self, dataset: str) -> list[str]:
        return sorted(n for n, g in self.section("gans").items() if g["dataset"] == dataset)

    def _gan_info(self, names: list[str]) -> dict[str, dict[str, Any]]:
        return {n: {k: self.config["gans"][n][k] for k in ("loss", "unroll_k")} for n in names}

    def gan(self, figure: Figure, values: Values) -> dict[str, Any]:
        gan = self.config["gans"][values["gan"]]
        return {
            "experiment": f"{values['gan']}: {gan['loss']} loss, unroll_k={gan['unroll_k']}",
            "vanishing_threshold": gan["vanishing_threshold"],
            "vanishing_patience": gan["vanishing_patience"],
        }

    def comparison(self, figure: Figure, values: Values) -> dict[str, Any]:
        names = self._gans_of(values["dataset"])
        return {"experiment": f"GANs on {values['dataset']}", "labels": names, "info": self._gan_info(names)}

    def mode_coverage(self, figure: Figure, values: Values) -> dict[str, Any]:
        names = self.stages["generative"].scored_gans()
        return {"experiment": "GANs scored by the classifier", "info": self._gan_info(names)}

    def ae(self, figure: Figure, values: Values) -> dict[str, Any]:
        ae = self.config["autoencoders"][values["ae"]]
        forcing = "latent moment forcing" if ae["latent_forcing"] else "plain MSE"
        return {"experiment": f"{values['ae']}: {forcing}"}

    def overview(self, figure: Figure, values: Values) -> dict[str, Any]:
        return {
            "experiment": "",
            "panels": [{"role": role, "run": run, "kind": kind} for role, run, kind in self.overview_runs()],
            "real": bool(self.overview_real()),
        }

    def _sweep_point(self, sweep: str, values: Values) -> dict[str, Any]:
        p = self.stages["sweeps"].grid.by_label(sweep, values["generator"], values["label"])
        return {"experiment": f"{p.generator}, point {p.label}", "point": p.label}

    def inversion_point(self, figure: Figure, values: Values) -> dict[str, Any]:
        return self._sweep_point("inversion", values)

    def interpolation_point(self, figure: Figure, values: Values) -> dict[str, Any]:
        return self._sweep_point("interpolation", values)

    def truncation_grid(self, figure: Figure, values: Values) -> dict[str, Any]:
        rows = self._truncation_rows(values["generator"])
        return {
            "experiment": f"{values['generator']}, seed {rows[0].params['seed']}"
            if rows
            else values["generator"]
        }

    def sweeps(self, figure: Figure, values: Values) -> dict[str, Any]:
        return {"experiment": f"sweeps on {', '.join(sorted(self.section('datasets')))}"}

    def robustness(self, figure: Figure, values: Values) -> dict[str, Any]:
        sweep = values.get("robustness_sweep")
        if sweep is None or sweep in robustness_plan.SWEEPS:
            return {
                "experiment": f"classifiers on {', '.join(sorted(self.section('datasets')))}",
                "sweep": sweep,
            }
        # a named data-size sweep (robustness.data_size_sweeps): its own data set
        base = robustness_plan.sweep_settings(self.config)[sweep]["classifier"]
        dataset = self.stages["robustness"].classifier_dataset(base)
        return {
            "experiment": f"{sweep}: classifiers on {dataset}",
            "sweep": robustness_plan.sweep_kind(sweep),
        }

    def examples(self, figure: Figure, values: Values) -> dict[str, Any]:
        return self.stages["robustness"].examples_options(values["classifier"])

    def defense(self, figure: Figure, values: Values) -> dict[str, Any]:
        datasets = self.stages["defense"].datasets()
        purify = self.section("defense").get("purify") or {}
        return {
            "experiment": f"defenses on {', '.join(datasets) or 'no dataset'}",
            "classifier": purify.get("classifier"),
        }

    def probe(self, figure: Figure, values: Values) -> dict[str, Any]:
        probe = self.section("defense")["probe"]
        return {"experiment": f"probes on {self.config['gans'][probe['gans'][0]]['dataset']}"}


P = FiguresPlan
PURIFY_TABLE = paths.fill(paths.DEFENSE_TABLE, table="purify")

FIGURES: tuple[Figure, ...] = (
    # --- Generative
    Figure(
        "gan_losses",
        figure_png("gans/{gan}/losses"),
        "Generative",
        "GAN training",
        {"run": "{gan}", "figure": "G vs D losses"},
        each=P.gans,
        inputs=template(paths.GAN_LOSSES),
        spec=P.gan,
        draw=render.gan_losses,
    ),
    Figure(
        "gan_grad_norms",
        figure_png("gans/{gan}/grad_norms"),
        "Generative",
        "GAN training",
        {"run": "{gan}", "figure": "gradient norms"},
        each=P.gans,
        inputs=template(paths.GAN_LOSSES),
        spec=P.gan,
        draw=render.gan_grad_norms,
    ),
    Figure(
        "gan_samples",
        figure_png("gans/{gan}/samples"),
        "Generative",
        "GAN samples",
        {"run": "{gan}", "figure": "samples per epoch"},
        each=P.gans,
        inputs=template(paths.GAN_SAMPLES),
        spec=P.gan,
        draw=render.gan_samples,
        raster=True,
    ),
    Figure(
        "gan_loss_comparison",
        figure_png("gans/loss_comparison_{dataset}"),
        "Generative",
        "GAN comparison",
        {"dataset": "{dataset}", "figure": "loss comparison"},
        each=P.gan_datasets,
        inputs=P.comparison_losses,
        spec=P.comparison,
        draw=render.gan_loss_comparison,
    ),
    Figure(
        "gan_mode_coverage",
        figure_png("gans/mode_coverage"),
        "Generative",
        "GAN comparison",
        {"figure": "mode coverage vs unroll k"},
        each=P.if_scored_gans,
        inputs=template(paths.SAMPLE_QUALITY_SUMMARY),
        spec=P.mode_coverage,
        draw=render.gan_mode_coverage,
    ),
    Figure(
        "ae_losses",
        figure_png("autoencoders/{ae}/losses"),
        "Generative",
        "Autoencoders",
        {"run": "{ae}", "figure": "loss terms"},
        each=P.aes,
        inputs=template(paths.AE_LOSSES),
        spec=P.ae,
        draw=render.ae_losses,
    ),
    Figure(
        "ae_latent_cdf",
        figure_png("autoencoders/{ae}/latent_cdf"),
        "Generative",
        "Autoencoders",
        {"run": "{ae}", "figure": "latent CDF"},
        each=P.aes,
        inputs=template(paths.AE_LATENT_CDF),
        spec=P.ae,
        draw=render.ae_latent_cdf,
    ),
    Figure(
        "ae_samples",
        figure_png("autoencoders/{ae}/samples"),
        "Generative",
        "Autoencoders",
        {"run": "{ae}", "figure": "novel samples"},
        each=P.aes,
        inputs=template(paths.AE_NOVEL),
        spec=P.ae,
        draw=render.ae_samples,
        raster=True,
    ),
    Figure(
        "ae_reconstructions",
        figure_png("autoencoders/{ae}/reconstructions"),
        "Generative",
        "Autoencoders",
        {"run": "{ae}", "figure": "reconstructions"},
        each=P.aes,
        inputs=template(paths.AE_RECONSTRUCTIONS),
        spec=P.ae,
        draw=render.ae_reconstructions,
        raster=True,
    ),
    # the pictures a reader sees first (README, the report's landing page): samples beside real digits
    Figure(
        "generators_overview",
        figure_png("generators_overview"),
        "Generative",
        "Overview",
        {"figure": "samples and quality gate"},
        each=P.if_overview,
        inputs=P.overview_inputs,
        spec=P.overview,
        draw=render.generators_overview,
        raster=True,
    ),
    Figure(
        "generators_landing",
        paths.GENERATORS_RST,
        "Generative",
        "Overview",
        {"figure": "landing page"},
        each=P.if_overview,
        inputs=template(figure_png("generators_overview")),
        draw=render.generators_landing,
        in_report=False,
    ),
    # --- Sweeps (one figure per grid point, named by its axis values)
    Figure(
        "inversion_restarts",
        figure_png("sweeps/inversion/{generator}/{label}"),
        "Sweeps",
        "Inversion",
        {"generator": "{generator}", "point": "{label}", "figure": "loss per restart"},
        each=P.inversion_points,
        inputs=P.inversion_steps,
        spec=P.inversion_point,
        draw=render.inversion_restarts,
    ),
    Figure(
        "inversion_summary",
        figure_png("sweeps/inversion_summary"),
        "Sweeps",
        "Inversion",
        {"figure": "final MSE vs restarts"},
        each=P.if_inversion,
        inputs=template(paths.fill(paths.SWEEP_AGGREGATE, sweep="inversion")),
        spec=P.sweeps,
        draw=one_table(sweeps_plots.inversion_summary),
    ),
    Figure(
        "inpainting",
        figure_png("sweeps/inpainting"),
        "Sweeps",
        "Inpainting",
        {"figure": "error by mask type"},
        each=P.if_inpainting,
        inputs=template(paths.fill(paths.SWEEP_AGGREGATE, sweep="inpainting")),
        spec=P.sweeps,
        draw=one_table(sweeps_plots.inpainting_errors),
    ),
    Figure(
        "interpolation_labels",
        figure_png("sweeps/interpolation/{generator}/{label}"),
        "Sweeps",
        "Interpolation",
        {"generator": "{generator}", "point": "{label}", "figure": "labels along the path"},
        each=P.interpolation_points,
        inputs=P.interpolation_frames,
        spec=P.interpolation_point,
        draw=render.interpolation_labels,
    ),
    Figure(
        "truncation",
        figure_png("sweeps/truncation"),
        "Sweeps",
        "Truncation",
        {"figure": "FID and modes vs psi"},
        each=P.if_truncation,
        inputs=template(paths.fill(paths.SWEEP_AGGREGATE, sweep="truncation")),
        spec=P.sweeps,
        draw=one_table(sweeps_plots.truncation_curves),
    ),
    Figure(
        "truncation_grid",
        figure_png("sweeps/truncation_grid/{generator}"),
        "Sweeps",
        "Truncation",
        {"generator": "{generator}", "figure": "samples per psi"},
        each=P.truncation_generators,
        inputs=P.truncation_samples,
        spec=P.truncation_grid,
        draw=render.truncation_grid,
    ),
    # each sweep job draws its grid point's panel while its images are in memory
    Figure(
        "sweeps_inversion",
        paths.INVERSION_FIGURE,
        "Sweeps",
        "Inversion",
        {"generator": "{generator}", "point": "{point}"},
        job=STAGE,
        rule_name=SWEEPS["inversion"].rule,
    ),
    Figure(
        "sweeps_inpainting",
        paths.INPAINTING_FIGURE,
        "Sweeps",
        "Inpainting",
        {"generator": "{generator}", "point": "{point}"},
        job=STAGE,
        rule_name=SWEEPS["inpainting"].rule,
    ),
    Figure(
        "sweeps_interpolation",
        paths.INTERPOLATION_FIGURE,
        "Sweeps",
        "Interpolation",
        {"generator": "{generator}", "point": "{point}"},
        job=STAGE,
        rule_name=SWEEPS["interpolation"].rule,
    ),
    # --- Robustness
    Figure(
        "robustness_curves",
        figure_png("robustness/accuracy_vs_eps"),
        "Robustness",
        "Attacks",
        {"figure": "accuracy vs epsilon"},
        each=P.if_attacks,
        inputs=template(paths.ATTACKS),
        spec=P.robustness,
        draw=one_table(robustness_plots.accuracy_curves),
    ),
    Figure(
        "minimal_perturbation",
        figure_png("robustness/minimal_perturbation"),
        "Robustness",
        "Attacks",
        {"figure": "minimal perturbation"},
        each=P.if_minimal,
        inputs=template(paths.MINIMAL_PERTURBATION),
        spec=P.robustness,
        draw=one_table(robustness_plots.minimal_perturbation),
    ),
    Figure(
        "transfer",
        figure_png("robustness/transfer"),
        "Robustness",
        "Transfer",
        {"figure": "transfer matrix"},
        each=P.if_transfer,
        inputs=template(paths.TRANSFER),
        spec=P.robustness,
        draw=one_table(robustness_plots.transfer_heatmaps),
    ),
    Figure(
        "robustness_sweep",
        figure_png("robustness/sweep_{robustness_sweep}"),
        "Robustness",
        "Sweeps",
        {"sweep": "{robustness_sweep}", "figure": "accuracy vs sweep variable"},
        each=P.robustness_sweeps,
        inputs=template(paths.fill(paths.ROBUSTNESS_SWEEP, sweep="{robustness_sweep}")),
        spec=P.robustness,
        draw=render.robustness_sweep,
    ),
    # the review's Figs. 2-3: each classifier's figure runs its attacks (one job per figure)
    Figure(
        "adversarial_examples",
        paths.ADVERSARIAL_EXAMPLES + ".png",
        "Robustness",
        "Attacks",
        {"classifier": "{classifier}", "figure": "adversarial examples"},
        each=P.example_classifiers,
        inputs=P.example_inputs,
        spec=P.examples,
        draw=adversarial_examples,
        job=FIGURE,
        rule_name="adversarial_examples",
    ),
    # --- Defense
    Figure(
        "defense_purify_eps",
        figure_png("defense/purify_eps"),
        "Defense",
        "Purification",
        {"figure": "accuracy vs epsilon"},
        each=P.if_purify,
        inputs=template(PURIFY_TABLE),
        spec=P.defense,
        draw=one_table(defense_plots.purify_curves),
    ),
    Figure(
        "defense_purify_cost",
        figure_png("defense/purify_cost"),
        "Defense",
        "Purification",
        {"figure": "accuracy and cost vs L x R"},
        each=P.if_purify,
        inputs=template(PURIFY_TABLE),
        spec=P.defense,
        draw=one_table(defense_plots.purify_cost),
    ),
    Figure(
        "defense_probe",
        figure_png("defense/probe"),
        "Defense",
        "Discriminator probes",
        {"figure": "probe accuracy per feature source"},
        each=P.if_probes,
        inputs=template(paths.fill(paths.DEFENSE_TABLE, table="probe")),
        spec=P.probe,
        draw=one_table(defense_plots.probe_bars),
    ),
    Figure(
        "defense_flip",
        figure_png("defense/flip"),
        "Defense",
        "Discriminator probes",
        {"figure": "real-to-fake flip epsilon"},
        each=P.if_probes,
        inputs=template(paths.FLIP_EXAMPLES),
        spec=P.probe,
        draw=one_table(defense_plots.flip_eps),
    ),
    # --- Markdown summary tables (results/tables/<name>.md)
    Figure(
        "table_sample_quality",
        paths.TABLE_MD.format(table="sample_quality"),
        "Tables",
        None,
        {"table": "sample quality"},
        each=P.if_sample_quality,
        inputs=template(paths.SAMPLE_QUALITY_SUMMARY),
        draw=render.sample_quality_table,
        rule_name="table_sample_quality",
    ),
    Figure(
        "table_robustness",
        paths.TABLE_MD.format(table="robustness"),
        "Tables",
        None,
        {"table": "robustness"},
        each=P.if_attacks,
        inputs=P.robustness_table_inputs,
        draw=render.robustness_table,
        rule_name="table_robustness",
    ),
    # the masking table's job (robustness stage) writes its Markdown next to its Parquet
    Figure(
        "table_masking",
        paths.TABLE_MD.format(table="masking"),
        "Tables",
        None,
        {"table": "masking"},
        job=STAGE,
        rule_name="masking_table",
    ),
)

#: the rows by family
BY_FAMILY: dict[str, Figure] = {f.family: f for f in FIGURES}
