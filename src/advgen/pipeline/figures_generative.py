"""The generative stage's rows of the figure table (:data:`ROWS`): the GANs' losses, gradient
norms and sample grids, the loss comparison and mode coverage, the autoencoders' figures, the
generators' overview (the picture a reader sees first: README, the report's landing page) and
the sample-quality summary as Markdown; with their small plan functions."""

from __future__ import annotations

from advgen import paths
from advgen.errors import ConfigError
from advgen.pipeline.figure import ONCE, Figure, Options, Values, figure_png, markdown_table, row, template
from advgen.pipeline.plan import Plan
from advgen.plots import families as render
from advgen.plots.families import Render


# --- which figures
def gans(plan: Plan) -> list[Values]:
    return [Values(gan=g) for g in sorted(plan.study.gans)]


def aes(plan: Plan) -> list[Values]:
    return [Values(ae=a) for a in sorted(plan.study.autoencoders)]


def gan_datasets(plan: Plan) -> list[Values]:
    return [Values(dataset=d) for d in sorted({g.dataset for g in plan.study.gans.values()})]


def if_scored_gans(plan: Plan) -> list[Values]:
    return ONCE if plan.generative.scored_gans() else []


def if_sample_quality(plan: Plan) -> list[Values]:
    return ONCE if plan.generative.scored_rows() else []


def overview_runs(plan: Plan) -> list[tuple[str, str, str]]:
    """``(role, run, kind)`` of the overview figure: the first run of each ``plots.overview_roles``
    role the config defines (kind: ``gans`` or ``autoencoders``)."""
    from advgen.pipeline.claims import resolve_roles

    study = plan.study
    wanted = [r for r in study.plots.overview_roles if r in study.roles]
    if not wanted or study.sample_quality is None:
        return []
    roles = resolve_roles(study, None)
    out = []
    for role in wanted:
        run = roles[role][0]
        kind = "gans" if run in study.gans else "autoencoders" if run in study.autoencoders else None
        if kind is None:
            raise ConfigError(
                f"{study.source}: plots.overview_roles: role '{role}' names '{run}', not a GAN or an autoencoder"
            )
        out.append((role, run, kind))
    return out


def if_overview(plan: Plan) -> list[Values]:
    return ONCE if overview_runs(plan) else []


# --- inputs that depend on the figure
def gans_of(plan: Plan, dataset: str) -> list[str]:
    return sorted(n for n, g in plan.study.gans.items() if g.dataset == dataset)


def overview_real(plan: Plan) -> list[str]:
    """The real test digits beside the overview's samples: the sample_quality job's grid of the
    first run's dataset (none when real data is not scored)."""
    runs = overview_runs(plan)
    if not runs:
        return []
    _, run, kind = runs[0]
    study = plan.study
    dataset = study.gans[run].dataset if kind == "gans" else study.autoencoders[run].dataset
    grid = paths.SAMPLE_QUALITY_REAL_GRID.format(dataset=dataset)
    return [grid] if grid in plan.generative.real_grids() else []


def overview_inputs(plan: Plan, values: Values) -> list[str]:
    """The summary table, the real test digits and each run's final grid."""
    grids = [
        paths.GAN_SAMPLES.format(gan=run) if kind == "gans" else paths.AE_NOVEL.format(ae=run)
        for _, run, kind in overview_runs(plan)
    ]
    return [paths.SAMPLE_QUALITY_SUMMARY, *overview_real(plan), *grids]


def comparison_losses(plan: Plan, values: Values) -> list[str]:
    return [paths.GAN_LOSSES.format(gan=n) for n in gans_of(plan, values.dataset)]


# --- options: what the figure names, on top of the plots section
def gan_info(plan: Plan, names: list[str]) -> dict[str, dict[str, object]]:
    return {n: {"loss": plan.study.gans[n].loss, "unroll_k": plan.study.gans[n].unroll_k} for n in names}


def gan(plan: Plan, values: Values) -> Options:
    spec = plan.study.gans[values.gan]
    return {
        "experiment": f"{values.gan}: {spec.loss} loss, unroll_k={spec.unroll_k}",
        "vanishing_threshold": spec.vanishing_threshold,
        "vanishing_patience": spec.vanishing_patience,
    }


def comparison(plan: Plan, values: Values) -> Options:
    names = gans_of(plan, values.dataset)
    return {"experiment": f"GANs on {values.dataset}", "labels": names, "info": gan_info(plan, names)}


def mode_coverage(plan: Plan, values: Values) -> Options:
    names = plan.generative.scored_gans()
    return {"experiment": "GANs scored by the classifier", "info": gan_info(plan, names)}


def ae(plan: Plan, values: Values) -> Options:
    forcing = "latent moment forcing" if plan.study.autoencoders[values.ae].latent_forcing else "plain MSE"
    return {"experiment": f"{values.ae}: {forcing}"}


def overview(plan: Plan, values: Values) -> Options:
    return {
        "experiment": "",
        "panels": [{"role": role, "run": run, "kind": kind} for role, run, kind in overview_runs(plan)],
        "real": bool(overview_real(plan)),
    }


#: a model's wildcard -> its runs' folder under results/figures, which runs, their options
RUNS = {"gan": ("gans", gans, gan), "ae": ("autoencoders", aes, ae)}


def per_run(
    model: str, name: str, where: str, label: str, table: str, draw: Render, raster: bool = False
) -> Figure:
    """A figure ``<folder>/<run>/<name>.png`` of each run of ``model`` (:data:`RUNS`), drawn from
    the run's ``table``."""
    folder, each, options = RUNS[model]
    path = figure_png(f"{folder}/{{{model}}}/{name}")
    return row(f"{model}_{name}", path, where, label, each, template(table), options, draw, raster=raster)


#: the report's subcategories of the stage's figures
TRAINING, COMPARISON = "Generative/GAN training", "Generative/GAN comparison"
AUTOENCODERS, OVERVIEW = "Generative/Autoencoders", "Generative/Overview"

ROWS: tuple[Figure, ...] = (
    per_run("gan", "losses", TRAINING, "G vs D losses", paths.GAN_LOSSES, render.gan_losses),
    per_run("gan", "grad_norms", TRAINING, "gradient norms", paths.GAN_LOSSES, render.gan_grad_norms),
    per_run("gan", "samples", "Generative/GAN samples", "samples per epoch", paths.GAN_SAMPLES, render.gan_samples,
            raster=True),
    row("gan_loss_comparison", figure_png("gans/loss_comparison_{dataset}"), COMPARISON, "loss comparison",
        gan_datasets, comparison_losses, comparison, render.gan_loss_comparison),
    row("gan_mode_coverage", figure_png("gans/mode_coverage"), COMPARISON, "mode coverage vs unroll k",
        if_scored_gans, template(paths.SAMPLE_QUALITY_SUMMARY), mode_coverage, render.gan_mode_coverage),
    per_run("ae", "losses", AUTOENCODERS, "loss terms", paths.AE_LOSSES, render.ae_losses),
    per_run("ae", "latent_cdf", AUTOENCODERS, "latent CDF", paths.AE_LATENT_CDF, render.ae_latent_cdf),
    per_run("ae", "samples", AUTOENCODERS, "novel samples", paths.AE_NOVEL, render.ae_samples, raster=True),
    per_run("ae", "reconstructions", AUTOENCODERS, "reconstructions", paths.AE_RECONSTRUCTIONS,
            render.ae_reconstructions, raster=True),
    # the pictures a reader sees first (README, the report's landing page): samples beside real digits
    row("generators_overview", figure_png("generators_overview"), OVERVIEW, "samples and quality gate", if_overview,
        overview_inputs, overview, render.generators_overview, raster=True),
    row("generators_landing", paths.GENERATORS_RST, OVERVIEW, "landing page", if_overview,
        template(figure_png("generators_overview")), draw=render.generators_landing, in_report=False),
    # the Markdown summary table (results/tables/sample_quality.md)
    markdown_table("sample_quality", if_sample_quality, render.sample_quality_table, paths.SAMPLE_QUALITY_SUMMARY),
)  # fmt: skip
