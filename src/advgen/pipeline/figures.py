"""The figure table: every figure family's inputs, output name, caption and report category.

The plots stage generates one ``plot_<family>`` rule per row of :data:`FIGURES` (see
``workflow/rules/plots.smk``), and the rule has ONE job drawing every figure of the family the
config asks for: ``advgen plot --family <family>`` with one ``--input/--out/--spec`` group per
figure (:mod:`advgen.plots.families`), so Python and matplotlib start once per family.
Adding a figure family is three files:

1. the plotting function in ``src/advgen/plots/<stage>.py`` (a table in, figure files out);
2. one :class:`Figure` row below, naming that function in ``draw`` (a family that reads
   several inputs or images registers a reader in ``advgen/plots/families.py`` instead);
3. its caption ``workflow/report/<family>.rst``.

A row names, by attribute name, the :class:`FiguresPlan` methods giving its figures
(``each``: one wildcard dict per figure the config asks for), its ``spec`` (the ``plots``
section plus what the figure names) and, where the input depends on the figure, ``inputs``.
:meth:`FiguresPlan.drawn` fills them in, one :class:`Drawn` per figure.
No torch here: the Snakefile imports this module.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter
from types import SimpleNamespace
from typing import Any

from advgen import paths
from advgen.config import spec_json
from advgen.io import write_text
from advgen.pipeline.base import Stage
from advgen.robustness import plan as robustness_plan


@dataclass(frozen=True)
class Figure:
    """One figure family: ``results/figures/<output>.png`` (+ vector copies) from ``inputs``."""

    family: str
    output: str  # path under results/figures without suffix; wildcards allowed
    inputs: str  # a path template, or the name of a FiguresPlan input method
    each: str  # FiguresPlan method: the wildcard dicts of the figures to draw
    spec: str  # FiguresPlan method: the options of one figure
    category: str
    subcategory: str
    labels: dict[str, str] = field(hash=False)
    #: ``module:function`` drawing the figure from its one input table, when no custom
    #: reader is registered in advgen.plots.families (``function(table, outputs, *,
    #: experiment, dpi)``)
    draw: str = ""

    @property
    def rule(self) -> str:
        return f"plot_{self.family}"

    @property
    def stem(self) -> str:
        return f"{paths.FIGURES}/{self.output}"

    @property
    def png(self) -> str:
        return f"{self.stem}.png"

    @property
    def caption(self) -> str:
        """Relative to ``workflow/rules/`` (where the rules are defined)."""
        return f"../report/{self.family}.rst"

    @property
    def wildcards(self) -> list[str]:
        return [name for _, name, _, _ in Formatter().parse(self.output) if name]

    @property
    def log(self) -> str:
        return paths.log(self.rule, self.family)

    @property
    def benchmark(self) -> str:
        return paths.benchmark(self.rule, self.family)


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

    @property
    def name(self) -> str:
        """The figure's name within its family: its wildcard values, or the family."""
        return "/".join(self.wildcards[w] for w in self.figure.wildcards) or self.figure.family

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


#: filled-in captions of figures named by wildcards (see :func:`caption`), under the working directory
CAPTIONS = ".snakemake/advgen/captions"
_WILDCARD = re.compile(r"snakemake\.wildcards\.(\w+)")


def fill_caption(template: str, wildcards: dict[str, str], source: str = "caption") -> str:
    """``template`` with each ``snakemake.wildcards.<name>`` replaced by the figure's value as
    a Jinja2 string literal: rendered by ``snakemake --report``, it reads as the per-figure
    job's caption did (a family job has no wildcards of its own)."""

    def literal(match: re.Match) -> str:
        name = match.group(1)
        if name not in wildcards:
            raise KeyError(f"{source}: the figure has no wildcard '{name}'")
        return json.dumps(wildcards[name])

    text = _WILDCARD.sub(literal, template)
    if "snakemake.wildcards" in text:
        raise ValueError(f"{source}: write wildcards as snakemake.wildcards.<name>")
    return text


def caption(drawn: Drawn, report_dir: str | Path, cache_dir: str | Path = CAPTIONS) -> str:
    """The caption file of one figure for ``report(caption=...)``: the family's own caption
    (relative to ``workflow/rules/``) when it names no wildcard, else its filled-in copy
    ``cache_dir/<family>/<figure name>.rst`` (an absolute path), rewritten only when changed."""
    figure = drawn.figure
    source = Path(report_dir) / f"{figure.family}.rst"
    template = source.read_text(encoding="utf-8")
    if not _WILDCARD.search(template):
        return figure.caption
    text = fill_caption(template, drawn.wildcards, str(source))
    path = Path(cache_dir) / figure.family / f"{drawn.name}.rst"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        write_text(path, text)
    return str(path.resolve())


FIGURES: tuple[Figure, ...] = (
    # --- Generative
    Figure(
        "gan_losses",
        "gans/{gan}/losses",
        paths.GAN_LOSSES,
        "gans",
        "gan",
        "Generative",
        "GAN training",
        {"run": "{gan}", "figure": "G vs D losses"},
    ),
    Figure(
        "gan_grad_norms",
        "gans/{gan}/grad_norms",
        paths.GAN_LOSSES,
        "gans",
        "gan",
        "Generative",
        "GAN training",
        {"run": "{gan}", "figure": "gradient norms"},
    ),
    Figure(
        "gan_samples",
        "gans/{gan}/samples",
        paths.GAN_SAMPLES,
        "gans",
        "gan",
        "Generative",
        "GAN samples",
        {"run": "{gan}", "figure": "samples per epoch"},
    ),
    Figure(
        "gan_loss_comparison",
        "gans/loss_comparison_{dataset}",
        "comparison_losses",
        "gan_datasets",
        "comparison",
        "Generative",
        "GAN comparison",
        {"dataset": "{dataset}", "figure": "loss comparison"},
    ),
    Figure(
        "gan_mode_coverage",
        "gans/mode_coverage",
        paths.SAMPLE_QUALITY_SUMMARY,
        "if_scored_gans",
        "mode_coverage",
        "Generative",
        "GAN comparison",
        {"figure": "mode coverage vs unroll k"},
    ),
    Figure(
        "ae_losses",
        "autoencoders/{ae}/losses",
        paths.AE_LOSSES,
        "aes",
        "ae",
        "Generative",
        "Autoencoders",
        {"run": "{ae}", "figure": "loss terms"},
    ),
    Figure(
        "ae_latent_cdf",
        "autoencoders/{ae}/latent_cdf",
        paths.AE_LATENT_CDF,
        "aes",
        "ae",
        "Generative",
        "Autoencoders",
        {"run": "{ae}", "figure": "latent CDF"},
    ),
    Figure(
        "ae_samples",
        "autoencoders/{ae}/samples",
        paths.AE_NOVEL,
        "aes",
        "ae",
        "Generative",
        "Autoencoders",
        {"run": "{ae}", "figure": "novel samples"},
    ),
    Figure(
        "ae_reconstructions",
        "autoencoders/{ae}/reconstructions",
        paths.AE_RECONSTRUCTIONS,
        "aes",
        "ae",
        "Generative",
        "Autoencoders",
        {"run": "{ae}", "figure": "reconstructions"},
    ),
    # --- Sweeps (one figure per grid point, named by its axis values)
    Figure(
        "inversion_restarts",
        "sweeps/inversion/{generator}/{label}",
        "inversion_steps",
        "inversion_points",
        "sweep_point",
        "Sweeps",
        "Inversion",
        {"generator": "{generator}", "point": "{label}", "figure": "loss per restart"},
    ),
    Figure(
        "inversion_summary",
        "sweeps/inversion_summary",
        paths.fill(paths.SWEEP_AGGREGATE, sweep="inversion"),
        "if_inversion",
        "sweeps",
        "Sweeps",
        "Inversion",
        {"figure": "final MSE vs restarts"},
        draw="advgen.plots.sweeps:inversion_summary",
    ),
    Figure(
        "inpainting",
        "sweeps/inpainting",
        paths.fill(paths.SWEEP_AGGREGATE, sweep="inpainting"),
        "if_inpainting",
        "sweeps",
        "Sweeps",
        "Inpainting",
        {"figure": "error by mask type"},
        draw="advgen.plots.sweeps:inpainting_errors",
    ),
    Figure(
        "interpolation_labels",
        "sweeps/interpolation/{generator}/{label}",
        "interpolation_frames",
        "interpolation_points",
        "sweep_point",
        "Sweeps",
        "Interpolation",
        {"generator": "{generator}", "point": "{label}", "figure": "labels along the path"},
    ),
    Figure(
        "truncation",
        "sweeps/truncation",
        paths.fill(paths.SWEEP_AGGREGATE, sweep="truncation"),
        "if_truncation",
        "sweeps",
        "Sweeps",
        "Truncation",
        {"figure": "FID and modes vs psi"},
        draw="advgen.plots.sweeps:truncation_curves",
    ),
    Figure(
        "truncation_grid",
        "sweeps/truncation_grid/{generator}",
        "truncation_samples",
        "truncation_generators",
        "truncation_grid",
        "Sweeps",
        "Truncation",
        {"generator": "{generator}", "figure": "samples per psi"},
    ),
    # --- Robustness
    Figure(
        "robustness_curves",
        "robustness/accuracy_vs_eps",
        paths.ATTACKS,
        "if_attacks",
        "robustness",
        "Robustness",
        "Attacks",
        {"figure": "accuracy vs epsilon"},
        draw="advgen.plots.robustness:accuracy_curves",
    ),
    Figure(
        "minimal_perturbation",
        "robustness/minimal_perturbation",
        paths.MINIMAL_PERTURBATION,
        "if_minimal",
        "robustness",
        "Robustness",
        "Attacks",
        {"figure": "minimal perturbation"},
        draw="advgen.plots.robustness:minimal_perturbation",
    ),
    Figure(
        "transfer",
        "robustness/transfer",
        paths.TRANSFER,
        "if_transfer",
        "robustness",
        "Robustness",
        "Transfer",
        {"figure": "transfer matrix"},
        draw="advgen.plots.robustness:transfer_heatmaps",
    ),
    Figure(
        "robustness_sweep",
        "robustness/sweep_{robustness_sweep}",
        paths.fill(paths.ROBUSTNESS_SWEEP, sweep="{robustness_sweep}"),
        "robustness_sweeps",
        "robustness",
        "Robustness",
        "Sweeps",
        {"sweep": "{robustness_sweep}", "figure": "accuracy vs sweep variable"},
    ),
    # --- Defense
    Figure(
        "defense_purify_eps",
        "defense/purify_eps",
        paths.fill(paths.DEFENSE_TABLE, table="purify"),
        "if_purify",
        "defense",
        "Defense",
        "Purification",
        {"figure": "accuracy vs epsilon"},
        draw="advgen.plots.defense:purify_curves",
    ),
    Figure(
        "defense_purify_cost",
        "defense/purify_cost",
        paths.fill(paths.DEFENSE_TABLE, table="purify"),
        "if_purify",
        "defense",
        "Defense",
        "Purification",
        {"figure": "accuracy and cost vs L x R"},
        draw="advgen.plots.defense:purify_cost",
    ),
    Figure(
        "defense_probe",
        "defense/probe",
        paths.fill(paths.DEFENSE_TABLE, table="probe"),
        "if_probes",
        "probe",
        "Defense",
        "Discriminator probes",
        {"figure": "probe accuracy per feature source"},
        draw="advgen.plots.defense:probe_bars",
    ),
    Figure(
        "defense_flip",
        "defense/flip",
        paths.FLIP_EXAMPLES,
        "if_probes",
        "probe",
        "Defense",
        "Discriminator probes",
        {"figure": "real-to-fake flip epsilon"},
        draw="advgen.plots.defense:flip_eps",
    ),
)

#: Markdown summary tables (results/tables/<name>.md): the tables' inputs
TABLES = {
    "sample_quality": {"input": paths.SAMPLE_QUALITY_SUMMARY},
    "robustness": {"input": paths.ATTACKS, "minimal": paths.MINIMAL_PERTURBATION},
}

ONCE: list[dict[str, str]] = [{}]


class FiguresPlan(Stage):
    """The figures and tables a config asks for, and each figure's inputs and options."""

    def __init__(self, config, stages: dict[str, Stage], source="config"):
        super().__init__(config, source)
        self.stages = stages
        self.options = config["plots"]

    # --- the family rules
    def job(self, figure: Figure) -> FamilyJob:
        """The family's one job: every figure of it that the config asks for."""
        return FamilyJob(figure, [self._drawn(figure, values) for values in getattr(self, figure.each)()])

    def _drawn(self, figure: Figure, values: dict[str, Any]) -> Drawn:
        wildcards = SimpleNamespace(**values)
        if "{" in figure.inputs or "/" in figure.inputs:
            inputs: str | list[str] = figure.inputs.format(**values)
        else:
            inputs = getattr(self, figure.inputs)(wildcards)
        stem = figure.stem.format(**values)
        return Drawn(
            figure=figure,
            wildcards={k: str(v) for k, v in values.items()},
            png=f"{stem}.png",
            vectors=[f"{stem}.{ext}" for ext in self.options["vector_formats"]],
            inputs=[inputs] if isinstance(inputs, str) else list(inputs),
            spec=spec_json({**self.options, **getattr(self, figure.spec)(figure, wildcards)}),
            labels={key: label.format(**values) for key, label in figure.labels.items()},
        )

    def targets(self) -> list[str]:
        targets = [paths.fill(f.png, **w) for f in FIGURES for w in getattr(self, f.each)()]
        gen, rob = self.stages["generative"], self.stages["robustness"]
        if gen.sample_quality_rows():
            targets.append(paths.TABLE_MD.format(table="sample_quality"))
        if rob.attack_jobs:
            targets.append(paths.TABLE_MD.format(table="robustness"))
        return targets

    # --- which figures (``each``)
    def gans(self) -> list[dict[str, Any]]:
        return [{"gan": g} for g in sorted(self.section("gans"))]

    def aes(self) -> list[dict[str, Any]]:
        return [{"ae": a} for a in sorted(self.section("autoencoders"))]

    def gan_datasets(self) -> list[dict[str, Any]]:
        return [{"dataset": d} for d in sorted({g["dataset"] for g in self.section("gans").values()})]

    def if_scored_gans(self) -> list[dict[str, Any]]:
        return ONCE if self.stages["generative"].scored_gans() else []

    def _points(self, sweep: str) -> list[dict[str, Any]]:
        return [{"generator": p.generator, "label": p.label} for p in self.stages["sweeps"].points(sweep)]

    def inversion_points(self) -> list[dict[str, Any]]:
        return self._points("inversion")

    def interpolation_points(self) -> list[dict[str, Any]]:
        return self._points("interpolation")

    def _if_sweep(self, sweep: str) -> list[dict[str, Any]]:
        return ONCE if sweep in self.stages["sweeps"].sweeps() else []

    def if_inversion(self) -> list[dict[str, Any]]:
        return self._if_sweep("inversion")

    def if_inpainting(self) -> list[dict[str, Any]]:
        return self._if_sweep("inpainting")

    def if_truncation(self) -> list[dict[str, Any]]:
        return self._if_sweep("truncation")

    def truncation_generators(self) -> list[dict[str, Any]]:
        return [
            {"generator": g}
            for g in sorted({p.generator for p in self.stages["sweeps"].points("truncation")})
        ]

    def if_attacks(self) -> list[dict[str, Any]]:
        return ONCE if self.stages["robustness"].attack_jobs else []

    def if_minimal(self) -> list[dict[str, Any]]:
        rob = self.stages["robustness"]
        return ONCE if rob.attack_jobs and rob.minimal_attacks else []

    def if_transfer(self) -> list[dict[str, Any]]:
        return ONCE if self.section("robustness").get("transfer") else []

    def robustness_sweeps(self) -> list[dict[str, Any]]:
        return [{"robustness_sweep": s} for s in self.stages["robustness"].sweeps()]

    def if_purify(self) -> list[dict[str, Any]]:
        return ONCE if self.stages["defense"].purify else []

    def if_probes(self) -> list[dict[str, Any]]:
        return ONCE if self.stages["defense"].probes else []

    # --- inputs that depend on the job
    def comparison_losses(self, wildcards) -> list[str]:
        return [paths.GAN_LOSSES.format(gan=n) for n in self._gans_of(wildcards.dataset)]

    def _point_file(self, sweep: str, template: str, wildcards) -> str:
        """The generator's job table holding the point (rows: its ``point`` column)."""
        p = self.stages["sweeps"].grid.by_label(sweep, wildcards.generator, wildcards.label)
        return template.format(generator=p.generator)

    def inversion_steps(self, wildcards) -> str:
        return self._point_file("inversion", paths.INVERSION_STEPS, wildcards)

    def interpolation_frames(self, wildcards) -> str:
        return self._point_file("interpolation", paths.INTERPOLATION_FRAMES, wildcards)

    def _truncation_rows(self, generator: str) -> list[Any]:
        """The generator's truncation points, one grid row each: psi ascending, no truncation last."""
        points = [p for p in self.stages["sweeps"].points("truncation") if p.generator == generator]
        return sorted(points, key=lambda p: (p.params["psi"] is None, p.params["psi"] or 0.0, p.label))

    def truncation_samples(self, wildcards) -> list[str]:
        """The generator's job samples (one grid row per point)."""
        return (
            [paths.TRUNCATION_SAMPLES.format(generator=wildcards.generator)]
            if self._truncation_rows(wildcards.generator)
            else []
        )

    # --- options (``spec``): what the figure names, on top of the plots section
    def _gans_of(self, dataset: str) -> list[str]:
        return sorted(n for n, g in self.section("gans").items() if g["dataset"] == dataset)

    def _gan_info(self, names: list[str]) -> dict[str, dict[str, Any]]:
        return {n: {k: self.config["gans"][n][k] for k in ("loss", "unroll_k")} for n in names}

    def gan(self, figure: Figure, wildcards) -> dict[str, Any]:
        gan = self.config["gans"][wildcards.gan]
        return {
            "experiment": f"{wildcards.gan}: {gan['loss']} loss, unroll_k={gan['unroll_k']}",
            "vanishing_threshold": gan["vanishing_threshold"],
            "vanishing_patience": gan["vanishing_patience"],
        }

    def comparison(self, figure: Figure, wildcards) -> dict[str, Any]:
        names = self._gans_of(wildcards.dataset)
        return {"experiment": f"GANs on {wildcards.dataset}", "labels": names, "info": self._gan_info(names)}

    def mode_coverage(self, figure: Figure, wildcards) -> dict[str, Any]:
        names = self.stages["generative"].scored_gans()
        return {"experiment": "GANs scored by the classifier", "info": self._gan_info(names)}

    def ae(self, figure: Figure, wildcards) -> dict[str, Any]:
        ae = self.config["autoencoders"][wildcards.ae]
        forcing = "latent moment forcing" if ae["latent_forcing"] else "plain MSE"
        return {"experiment": f"{wildcards.ae}: {forcing}"}

    def sweep_point(self, figure: Figure, wildcards) -> dict[str, Any]:
        sweep = "inversion" if figure.family.startswith("inversion") else "interpolation"
        p = self.stages["sweeps"].grid.by_label(sweep, wildcards.generator, wildcards.label)
        return {"experiment": f"{p.generator}, point {p.label}", "point": p.label}

    def truncation_grid(self, figure: Figure, wildcards) -> dict[str, Any]:
        rows = self._truncation_rows(wildcards.generator)
        return {
            "experiment": f"{wildcards.generator}, seed {rows[0].params['seed']}"
            if rows
            else wildcards.generator
        }

    def sweeps(self, figure: Figure, wildcards) -> dict[str, Any]:
        return {"experiment": f"sweeps on {', '.join(sorted(self.section('datasets')))}"}

    def robustness(self, figure: Figure, wildcards) -> dict[str, Any]:
        sweep = getattr(wildcards, "robustness_sweep", None)
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

    def defense(self, figure: Figure, wildcards) -> dict[str, Any]:
        datasets = self.stages["defense"].datasets()
        purify = self.section("defense").get("purify") or {}
        return {
            "experiment": f"defenses on {', '.join(datasets) or 'no dataset'}",
            "classifier": purify.get("classifier"),
        }

    def probe(self, figure: Figure, wildcards) -> dict[str, Any]:
        probe = self.section("defense")["probe"]
        return {"experiment": f"probes on {self.config['gans'][probe['gans'][0]]['dataset']}"}
