"""The generative stage's job kinds (:data:`KINDS`, rows of :data:`advgen.pipeline.jobkinds.JOB_KINDS`):
one ``train_gan`` and one ``train_ae`` job per run, the ``sample_quality`` job scoring every
run and real split in one process, and the stage's figure families (:data:`FIGURE_KINDS`,
:mod:`advgen.pipeline.figure_kinds`): the GANs' losses, gradient norms and sample grids, the loss
comparison and mode coverage, the autoencoders' figures, the generators' overview (the picture a
reader sees first: README, the report's landing page) and the sample-quality summary as Markdown.

A training job keeps ``results/<family>/<name>/resume/`` (a state output: undeclared, so a killed
or preempted job resumes from its last completed epoch when rerun). Its spec is the run's
(:class:`~advgen.gan.spec.GanSpec`, :class:`~advgen.ae.spec.AeSpec`: the config entry, seed
filled) and the config's device.
"""

from __future__ import annotations

from advgen import paths
from advgen.ae.jobs import train_ae_job
from advgen.ae.spec import AeJobSpec
from advgen.errors import ConfigError
from advgen.gan.jobs import train_gan_job
from advgen.gan.spec import GanJobSpec
from advgen.metrics.jobs import sample_quality
from advgen.metrics.spec import SampleQualityJobSpec
from advgen.pipeline.base import prepared, splits
from advgen.pipeline.figure_kinds import figure, figures, png, template
from advgen.pipeline.jobkind import ONCE, JobKind, Output, Values, no_settings
from advgen.pipeline.plan import Plan
from advgen.pipeline.study import resolve_roles
from advgen.pipeline.training_kinds import per_seed_kind
from advgen.plots import families
from advgen.plots.figure_specs import (
    Comparison,
    EpochGridsSpec,
    GanInfo,
    GradNormRun,
    GradNormsSpec,
    ImageGridsSpec,
    LatentCdfSpec,
    LossComparisonSpec,
    LossCurvesSpec,
    ModeCoverageSpec,
    OverviewSpec,
    Panel,
    Titled,
)
from advgen.specs import NoSettings

#: a GAN run's outputs (``train_gan``'s, and ``collect_gan_seed``'s where its seeds stack)
GAN_OUTPUTS: dict[str, str | Output] = {
    "checkpoint": paths.GAN_CHECKPOINT,
    "losses": paths.GAN_LOSSES,
    "samples": Output(paths.GAN_SAMPLES, directory=True),
    "status": paths.GAN_STATUS,
}
#: an autoencoder run's outputs (``train_ae``'s, and ``collect_ae_seed``'s where its seeds stack)
AE_OUTPUTS: dict[str, str | Output] = {
    "checkpoint": paths.AE_CHECKPOINT,
    "losses": paths.AE_LOSSES,
    "latent_cdf": paths.AE_LATENT_CDF,
    "novel": paths.AE_NOVEL,
    "reconstructions": paths.AE_RECONSTRUCTIONS,
    "metrics": paths.AE_METRICS,
}


# --- one GAN run (advgen.gan.jobs); the runs a stacked job trains are collected instead
def every_gan(plan: Plan) -> list[Values]:
    stacked = plan.stacking.runs("gans")
    return [Values(gan=name) for name in sorted(plan.study.gans) if name not in stacked]


def gan_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The run's prepared training split."""
    return {"train": [prepared(plan.generative.gan(values.gan).dataset, "train")]}


def gan_spec(plan: Plan, values: Values) -> GanJobSpec:
    return GanJobSpec(gan=plan.generative.gan(values.gan), device=plan.study.device)


# --- one autoencoder run (advgen.ae.jobs)
def every_ae(plan: Plan) -> list[Values]:
    stacked = plan.stacking.runs("autoencoders")
    return [Values(ae=name) for name in sorted(plan.study.autoencoders) if name not in stacked]


def ae_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The run's prepared training and test splits."""
    return {name: [path] for name, path in splits(plan.generative.ae(values.ae).dataset).items()}


def ae_spec(plan: Plan, values: Values) -> AeJobSpec:
    return AeJobSpec(autoencoder=plan.generative.ae(values.ae), device=plan.study.device)


# --- the sample-quality summary (advgen.metrics.jobs)
def if_scored(plan: Plan) -> list[Values]:
    return ONCE if plan.generative.scored_rows() else []


def quality_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """Per row its classifier and reference split; per generator row its checkpoint and run
    info; per real row its test split (lists in row order: :mod:`advgen.metrics.jobs`)."""
    rows = plan.generative.scored_rows()
    return {
        "classifiers": [r.classifier for r in rows],
        "references": [r.reference for r in rows],
        "models": [r.model for r in rows if r.model],
        "infos": [r.info for r in rows if r.info],
        "reals": [r.real for r in rows if r.real],
    }


def quality_spec(plan: Plan, values: Values) -> SampleQualityJobSpec:
    settings = plan.generative.quality
    assert settings is not None  # the job runs only with rows
    rows = tuple(r.row for r in plan.generative.scored_rows())
    return SampleQualityJobSpec(settings=settings, rows=rows, device=plan.study.device)


def real_grids(plan: Plan) -> list[str]:
    return plan.generative.real_grids()


KINDS = (
    per_seed_kind(
        "gans",
        "train a GAN (resuming from its resume folder); writes checkpoint, losses, sample grids, status",
        GAN_OUTPUTS,
        paths.GAN_RESUME,
        every_gan,
        gan_inputs,
        gan_spec,
        GanJobSpec,
        train_gan_job,
        target="status",
    ),
    per_seed_kind(
        "autoencoders",
        "train an autoencoder (resuming from its resume folder); writes checkpoint, losses, latent CDFs, "
        "grids, metrics",
        AE_OUTPUTS,
        paths.AE_RESUME,
        every_ae,
        ae_inputs,
        ae_spec,
        AeJobSpec,
        train_ae_job,
        target="metrics",
    ),
    # one job scores every GAN, autoencoder and real split (each row seeded alone) and writes the
    # summary table, with each run's quality gate, and a grid of real test digits per dataset
    JobKind(
        "sample_quality",
        "Fréchet classifier distance, classifier Inception Score and mode coverage of each model "
        "(the summary table)",
        outputs={"summary": paths.SAMPLE_QUALITY_SUMMARY, "grids": Output(each=real_grids)},
        each=if_scored,
        inputs=quality_inputs,
        spec=quality_spec,
        spec_type=SampleQualityJobSpec,
        run=sample_quality,
        resources={"gpu": 1},
        job="summary",
        target=("summary",),
    ),
)


# --- the figures (advgen.plots.families): which, their inputs and specs
def gans(plan: Plan) -> list[Values]:
    return [Values(gan=g) for g in sorted(plan.study.gans)]


def aes(plan: Plan) -> list[Values]:
    return [Values(ae=a) for a in sorted(plan.study.autoencoders)]


def gan_datasets(plan: Plan) -> list[Values]:
    return [Values(dataset=d) for d in sorted({g.dataset for g in plan.study.gans.values()})]


def gans_of(plan: Plan, dataset: str) -> list[str]:
    return sorted(n for n, g in plan.study.gans.items() if g.dataset == dataset)


def if_scored_gans(plan: Plan) -> list[Values]:
    return ONCE if plan.generative.scored_gans() else []


def gan_titles(plan: Plan, runs: list[Values]) -> tuple[Titled, ...]:
    """Each GAN run's figure title: its loss and unroll k."""
    gans = plan.study.gans
    return tuple(Titled(f"{r.gan}: {gans[r.gan].loss} loss, unroll_k={gans[r.gan].unroll_k}") for r in runs)


def ae_titles(plan: Plan, runs: list[Values]) -> tuple[Titled, ...]:
    """Each autoencoder run's figure title: its loss (latent moment forcing or plain MSE)."""
    aes, forcing = plan.study.autoencoders, "latent moment forcing"
    return tuple(Titled(f"{r.ae}: {forcing if aes[r.ae].latent_forcing else 'plain MSE'}") for r in runs)


def gan_info(plan: Plan, names: list[str]) -> dict[str, GanInfo]:
    return {n: GanInfo(plan.study.gans[n].loss, plan.study.gans[n].unroll_k) for n in names}


def gan_losses_spec(plan: Plan, runs: list[Values]) -> LossCurvesSpec:
    return LossCurvesSpec(gan_titles(plan, runs), plan.study.plots.smoothing, plan.study.plots.dpi)


def ae_losses_spec(plan: Plan, runs: list[Values]) -> LossCurvesSpec:
    return LossCurvesSpec(ae_titles(plan, runs), plan.study.plots.smoothing, plan.study.plots.dpi)


def grad_norms_spec(plan: Plan, runs: list[Values]) -> GradNormsSpec:
    gan = plan.study.gans
    figures = tuple(
        GradNormRun(title.experiment, gan[r.gan].vanishing_threshold, gan[r.gan].vanishing_patience)
        for title, r in zip(gan_titles(plan, runs), runs, strict=True)
    )
    return GradNormsSpec(figures, plan.study.plots.smoothing, plan.study.plots.dpi)


def gan_samples_spec(plan: Plan, runs: list[Values]) -> EpochGridsSpec:
    plots = plan.study.plots
    return EpochGridsSpec(gan_titles(plan, runs), plots.sample_panels, plots.sample_scale, plots.dpi)


def comparison_losses(plan: Plan, values: Values) -> list[str]:
    return [paths.GAN_LOSSES.format(gan=n) for n in gans_of(plan, values.dataset)]


def comparison_spec(plan: Plan, datasets: list[Values]) -> LossComparisonSpec:
    def compared(dataset: str) -> Comparison:
        names = gans_of(plan, dataset)
        return Comparison(f"GANs on {dataset}", tuple(names), gan_info(plan, names))

    figures = tuple(compared(d.dataset) for d in datasets)
    return LossComparisonSpec(figures, plan.study.plots.smoothing, plan.study.plots.dpi)


def mode_coverage_spec(plan: Plan, values: Values) -> ModeCoverageSpec:
    info = gan_info(plan, plan.generative.scored_gans())
    return ModeCoverageSpec("GANs scored by the classifier", info, plan.study.plots.dpi)


def latent_cdf_spec(plan: Plan, runs: list[Values]) -> LatentCdfSpec:
    return LatentCdfSpec(ae_titles(plan, runs), plan.study.plots.cdf_panels, plan.study.plots.dpi)


def ae_grids_spec(plan: Plan, runs: list[Values]) -> ImageGridsSpec:
    return ImageGridsSpec(ae_titles(plan, runs), plan.study.plots.sample_scale, plan.study.plots.dpi)


def overview_runs(plan: Plan) -> list[Panel]:
    """The overview's panels: the first run of each ``plots.overview_roles`` role the config
    defines (kind: ``gans`` or ``autoencoders``)."""
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
        out.append(Panel(role, run, kind))
    return out


def if_overview(plan: Plan) -> list[Values]:
    return ONCE if overview_runs(plan) else []


def overview_real(plan: Plan) -> list[str]:
    """The real test digits beside the overview's samples: the sample_quality job's grid of the
    first run's dataset (none when real data is not scored)."""
    runs = overview_runs(plan)
    if not runs:
        return []
    study, first = plan.study, runs[0]
    dataset = study.gans[first.run].dataset if first.kind == "gans" else study.autoencoders[first.run].dataset
    grid = paths.SAMPLE_QUALITY_REAL_GRID.format(dataset=dataset)
    return [grid] if grid in plan.generative.real_grids() else []


def overview_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The summary table, the real test digits and each run's final grid."""
    grids = [
        paths.GAN_SAMPLES.format(gan=p.run) if p.kind == "gans" else paths.AE_NOVEL.format(ae=p.run)
        for p in overview_runs(plan)
    ]
    return {"summary": [paths.SAMPLE_QUALITY_SUMMARY], "real": overview_real(plan), "grids": grids}


def overview_spec(plan: Plan, values: Values) -> OverviewSpec:
    return OverviewSpec(tuple(overview_runs(plan)), plan.study.plots.sample_scale, plan.study.plots.dpi)


def summary_input(plan: Plan, values: Values) -> dict[str, list[str]]:
    return {"summary": [paths.SAMPLE_QUALITY_SUMMARY]}


def overview_png(plan: Plan, values: Values) -> dict[str, list[str]]:
    return {"overview": [OVERVIEW_PNG]}


#: the report's subcategories of the stage's figures
TRAINING, COMPARISON = "Generative/GAN training", "Generative/GAN comparison"
AUTOENCODERS, OVERVIEW = "Generative/Autoencoders", "Generative/Overview"
OVERVIEW_PNG = png("generators_overview")

FIGURE_KINDS = (
    figures("gan_losses", png("gans/{gan}/losses"), TRAINING, "G vs D losses", gans, template(paths.GAN_LOSSES),
            gan_losses_spec, LossCurvesSpec, families.gan_losses),
    figures("gan_grad_norms", png("gans/{gan}/grad_norms"), TRAINING, "gradient norms", gans,
            template(paths.GAN_LOSSES), grad_norms_spec, GradNormsSpec, families.gan_grad_norms),
    figures("gan_samples", png("gans/{gan}/samples"), "Generative/GAN samples", "samples per epoch", gans,
            template(paths.GAN_SAMPLES), gan_samples_spec, EpochGridsSpec, families.gan_samples, raster=True),
    figures("gan_loss_comparison", png("gans/loss_comparison_{dataset}"), COMPARISON, "loss comparison",
            gan_datasets, comparison_losses, comparison_spec, LossComparisonSpec, families.gan_loss_comparison),
    figure("gan_mode_coverage", png("gans/mode_coverage"), COMPARISON, "mode coverage vs unroll k",
           if_scored_gans, summary_input, mode_coverage_spec, ModeCoverageSpec, families.gan_mode_coverage),
    figures("ae_losses", png("autoencoders/{ae}/losses"), AUTOENCODERS, "loss terms", aes, template(paths.AE_LOSSES),
            ae_losses_spec, LossCurvesSpec, families.ae_losses),
    figures("ae_latent_cdf", png("autoencoders/{ae}/latent_cdf"), AUTOENCODERS, "latent CDF", aes,
            template(paths.AE_LATENT_CDF), latent_cdf_spec, LatentCdfSpec, families.ae_latent_cdf),
    figures("ae_samples", png("autoencoders/{ae}/samples"), AUTOENCODERS, "novel samples", aes,
            template(paths.AE_NOVEL), ae_grids_spec, ImageGridsSpec, families.ae_samples, raster=True),
    figures("ae_reconstructions", png("autoencoders/{ae}/reconstructions"), AUTOENCODERS, "reconstructions", aes,
            template(paths.AE_RECONSTRUCTIONS), ae_grids_spec, ImageGridsSpec, families.ae_reconstructions,
            raster=True),
    # the pictures a reader sees first (README, the report's landing page): samples beside real digits
    figure("generators_overview", OVERVIEW_PNG, OVERVIEW, "samples and quality gate", if_overview,
           overview_inputs, overview_spec, OverviewSpec, families.generators_overview, raster=True),
    figure("generators_landing", paths.GENERATORS_RST, OVERVIEW, "landing page", if_overview, overview_png,
           no_settings, NoSettings, families.generators_landing, in_report=False),
    # the Markdown summary table (results/tables/sample_quality.md)
    figure("table_sample_quality", paths.TABLE_MD.format(table="sample_quality"), "Tables", "sample quality",
           if_scored, summary_input, no_settings, NoSettings, families.table_sample_quality,
           rule="table_sample_quality", what="table"),
)  # fmt: skip
