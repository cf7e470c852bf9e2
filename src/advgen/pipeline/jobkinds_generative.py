"""The generative stage's job kinds (:data:`KINDS`, rows of :data:`advgen.pipeline.jobkinds.JOB_KINDS`):
one ``train_gan`` and one ``train_ae`` job per run, and the ``sample_quality`` job scoring every
run and real split in one process.

A training job keeps ``results/<family>/<name>/resume/`` (a state output: undeclared, so a killed
or preempted job resumes from its last completed epoch when rerun). Its spec is the run's
(:class:`~advgen.gan.spec.GanSpec`, :class:`~advgen.ae.spec.AeSpec`: the config entry, seed
filled) and the config's device.
"""

from __future__ import annotations

from advgen import paths
from advgen.ae.jobs import train_ae_job
from advgen.ae.spec import AeJobSpec
from advgen.gan.jobs import train_gan_job
from advgen.gan.spec import GanJobSpec
from advgen.metrics.jobs import sample_quality
from advgen.metrics.spec import SampleQualityJobSpec
from advgen.pipeline.base import NAME, prepared, splits
from advgen.pipeline.jobkind import ONCE, JobKind, Output, Values
from advgen.pipeline.plan import Plan

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
    JobKind(
        "train_gan",
        "train a GAN (resuming from its resume folder); writes checkpoint, losses, sample grids, status",
        outputs=GAN_OUTPUTS,
        state={"resume": paths.GAN_RESUME},
        each=every_gan,
        inputs=gan_inputs,
        spec=gan_spec,
        spec_type=GanJobSpec,
        run=train_gan_job,
        resources={"gpu": 1},
        wildcard_constraints={"gan": NAME},
        target=("status",),
    ),
    JobKind(
        "train_ae",
        "train an autoencoder (resuming from its resume folder); writes checkpoint, losses, latent CDFs, "
        "grids, metrics",
        outputs=AE_OUTPUTS,
        state={"resume": paths.AE_RESUME},
        each=every_ae,
        inputs=ae_inputs,
        spec=ae_spec,
        spec_type=AeJobSpec,
        run=train_ae_job,
        resources={"gpu": 1},
        wildcard_constraints={"ae": NAME},
        target=("metrics",),
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
