"""The generative stage's rows of the figure table (:data:`ROWS`): the GANs' losses, gradient
norms and sample grids, the loss comparison and mode coverage, the autoencoders' figures, the
generators' overview (the picture a reader sees first: README, the report's landing page) and
the sample-quality summary as Markdown; with their small plan functions."""

from __future__ import annotations

from advgen import paths
from advgen.errors import ConfigError
from advgen.pipeline.figure import ONCE, Figure, Options, Values, figure_png, template
from advgen.pipeline.plan import Plan
from advgen.plots import families as render


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


ROWS: tuple[Figure, ...] = (
    Figure(
        family="gan_losses",
        path=figure_png("gans/{gan}/losses"),
        category="Generative",
        subcategory="GAN training",
        labels={"run": "{gan}", "figure": "G vs D losses"},
        each=gans,
        inputs=template(paths.GAN_LOSSES),
        options=gan,
        draw=render.gan_losses,
    ),
    Figure(
        family="gan_grad_norms",
        path=figure_png("gans/{gan}/grad_norms"),
        category="Generative",
        subcategory="GAN training",
        labels={"run": "{gan}", "figure": "gradient norms"},
        each=gans,
        inputs=template(paths.GAN_LOSSES),
        options=gan,
        draw=render.gan_grad_norms,
    ),
    Figure(
        family="gan_samples",
        path=figure_png("gans/{gan}/samples"),
        category="Generative",
        subcategory="GAN samples",
        labels={"run": "{gan}", "figure": "samples per epoch"},
        each=gans,
        inputs=template(paths.GAN_SAMPLES),
        options=gan,
        draw=render.gan_samples,
        raster=True,
    ),
    Figure(
        family="gan_loss_comparison",
        path=figure_png("gans/loss_comparison_{dataset}"),
        category="Generative",
        subcategory="GAN comparison",
        labels={"dataset": "{dataset}", "figure": "loss comparison"},
        each=gan_datasets,
        inputs=comparison_losses,
        options=comparison,
        draw=render.gan_loss_comparison,
    ),
    Figure(
        family="gan_mode_coverage",
        path=figure_png("gans/mode_coverage"),
        category="Generative",
        subcategory="GAN comparison",
        labels={"figure": "mode coverage vs unroll k"},
        each=if_scored_gans,
        inputs=template(paths.SAMPLE_QUALITY_SUMMARY),
        options=mode_coverage,
        draw=render.gan_mode_coverage,
    ),
    Figure(
        family="ae_losses",
        path=figure_png("autoencoders/{ae}/losses"),
        category="Generative",
        subcategory="Autoencoders",
        labels={"run": "{ae}", "figure": "loss terms"},
        each=aes,
        inputs=template(paths.AE_LOSSES),
        options=ae,
        draw=render.ae_losses,
    ),
    Figure(
        family="ae_latent_cdf",
        path=figure_png("autoencoders/{ae}/latent_cdf"),
        category="Generative",
        subcategory="Autoencoders",
        labels={"run": "{ae}", "figure": "latent CDF"},
        each=aes,
        inputs=template(paths.AE_LATENT_CDF),
        options=ae,
        draw=render.ae_latent_cdf,
    ),
    Figure(
        family="ae_samples",
        path=figure_png("autoencoders/{ae}/samples"),
        category="Generative",
        subcategory="Autoencoders",
        labels={"run": "{ae}", "figure": "novel samples"},
        each=aes,
        inputs=template(paths.AE_NOVEL),
        options=ae,
        draw=render.ae_samples,
        raster=True,
    ),
    Figure(
        family="ae_reconstructions",
        path=figure_png("autoencoders/{ae}/reconstructions"),
        category="Generative",
        subcategory="Autoencoders",
        labels={"run": "{ae}", "figure": "reconstructions"},
        each=aes,
        inputs=template(paths.AE_RECONSTRUCTIONS),
        options=ae,
        draw=render.ae_reconstructions,
        raster=True,
    ),
    # the pictures a reader sees first (README, the report's landing page): samples beside real digits
    Figure(
        family="generators_overview",
        path=figure_png("generators_overview"),
        category="Generative",
        subcategory="Overview",
        labels={"figure": "samples and quality gate"},
        each=if_overview,
        inputs=overview_inputs,
        options=overview,
        draw=render.generators_overview,
        raster=True,
    ),
    Figure(
        family="generators_landing",
        path=paths.GENERATORS_RST,
        category="Generative",
        subcategory="Overview",
        labels={"figure": "landing page"},
        each=if_overview,
        inputs=template(figure_png("generators_overview")),
        draw=render.generators_landing,
        in_report=False,
    ),
    # the Markdown summary table (results/tables/sample_quality.md)
    Figure(
        family="table_sample_quality",
        path=paths.TABLE_MD.format(table="sample_quality"),
        category="Tables",
        subcategory=None,
        labels={"table": "sample quality"},
        each=if_sample_quality,
        inputs=template(paths.SAMPLE_QUALITY_SUMMARY),
        draw=render.sample_quality_table,
        rule_name="table_sample_quality",
    ),
)
