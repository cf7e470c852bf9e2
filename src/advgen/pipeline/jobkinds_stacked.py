"""The job kinds of seeds trained stacked (:mod:`advgen.pipeline.stacking`), rows of
:data:`advgen.pipeline.jobkinds.JOB_KINDS`.

Where the study stacks, each stacked entry of ``gans``, ``autoencoders`` and ``classifiers`` is
one ``train_*_seeds`` job (a GPU job writing every run's outputs into the entry's bundle,
``results/stacked/<section>/<entry>/``, its resume state beside it), and each of its runs one
local ``collect_*_seed`` job copying the run's outputs out of the bundle to the paths the
per-seed ``train_*`` job writes (:mod:`advgen.stacked_bundle`). The per-seed kinds leave those
runs out (their ``each`` and their wildcard's constraint: :meth:`JobsPlan.wildcard_constraints`).
Where the study does not stack (a CPU, ``stack_seeds: false``) these kinds have no jobs.
"""

from __future__ import annotations

from advgen import paths
from advgen.ae.jobs import train_ae_seeds_job
from advgen.ae.spec import AeSeedsJobSpec
from advgen.classifiers.jobs import train_classifier_seeds_job
from advgen.classifiers.spec import ClassifierSeedsJobSpec
from advgen.gan.jobs import train_gan_seeds_job
from advgen.gan.spec import GanSeedsJobSpec
from advgen.pipeline.base import NAME, prepared, splits
from advgen.pipeline.jobkind import JobKind, Output, Values
from advgen.pipeline.jobkinds_generative import AE_OUTPUTS, GAN_OUTPUTS
from advgen.pipeline.jobkinds_robustness import CLASSIFIER_OUTPUTS
from advgen.pipeline.plan import Plan
from advgen.stacked_bundle import CollectSeedSpec, collect_seed_job


def _entries(plan: Plan, section: str) -> list[Values]:
    return [Values(entry=entry) for entry in sorted(plan.stacking.entries(section))]


def _runs(plan: Plan, section: str) -> list[Values]:
    return [Values(run=run) for run in sorted(plan.stacking.runs(section))]


def _bundle_of(plan: Plan, section: str, template: str, run: str) -> dict[str, list[str]]:
    """A collect job's input: the bundle of the run's entry."""
    return {"bundle": [template.format(entry=plan.stacking.runs(section)[run])]}


def _seeds(plan: Plan, section: str, entry: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """The seeds and names of a stacked entry's runs, in seed order."""
    runs = plan.stacking.entries(section)[entry]
    specs = getattr(plan.study, section)
    return tuple(int(specs[run].seed) for run in runs), runs


# --- GANs
def stacked_gans(plan: Plan) -> list[Values]:
    return _entries(plan, "gans")


def stacked_gan_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    first = plan.stacking.entries("gans")[values.entry][0]
    return {"train": [prepared(plan.generative.gan(first).dataset, "train")]}


def stacked_gan_spec(plan: Plan, values: Values) -> GanSeedsJobSpec:
    seeds, runs = _seeds(plan, "gans", values.entry)
    return GanSeedsJobSpec(gan=plan.generative.gan(runs[0]), seeds=seeds, runs=runs, device=plan.study.device)


def collected_gans(plan: Plan) -> list[Values]:
    return [Values(gan=v.run) for v in _runs(plan, "gans")]


def gan_bundle(plan: Plan, values: Values) -> dict[str, list[str]]:
    return _bundle_of(plan, "gans", paths.STACKED_GANS, values.gan)


def collect_gan_spec(plan: Plan, values: Values) -> CollectSeedSpec:
    return CollectSeedSpec(run=values.gan)


# --- autoencoders
def stacked_aes(plan: Plan) -> list[Values]:
    return _entries(plan, "autoencoders")


def stacked_ae_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    first = plan.stacking.entries("autoencoders")[values.entry][0]
    return {name: [path] for name, path in splits(plan.generative.ae(first).dataset).items()}


def stacked_ae_spec(plan: Plan, values: Values) -> AeSeedsJobSpec:
    seeds, runs = _seeds(plan, "autoencoders", values.entry)
    return AeSeedsJobSpec(
        autoencoder=plan.generative.ae(runs[0]), seeds=seeds, runs=runs, device=plan.study.device
    )


def collected_aes(plan: Plan) -> list[Values]:
    return [Values(ae=v.run) for v in _runs(plan, "autoencoders")]


def ae_bundle(plan: Plan, values: Values) -> dict[str, list[str]]:
    return _bundle_of(plan, "autoencoders", paths.STACKED_AES, values.ae)


def collect_ae_spec(plan: Plan, values: Values) -> CollectSeedSpec:
    return CollectSeedSpec(run=values.ae)


# --- classifiers
def stacked_classifiers(plan: Plan) -> list[Values]:
    return _entries(plan, "classifiers")


def stacked_classifier_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    first = plan.stacking.entries("classifiers")[values.entry][0]
    return {name: [path] for name, path in splits(plan.robustness.classifier_dataset(first)).items()}


def stacked_classifier_spec(plan: Plan, values: Values) -> ClassifierSeedsJobSpec:
    seeds, runs = _seeds(plan, "classifiers", values.entry)
    return ClassifierSeedsJobSpec(
        classifier=plan.robustness.classifier_spec(runs[0]), seeds=seeds, names=runs
    )


def collected_classifiers(plan: Plan) -> list[Values]:
    return [Values(classifier=v.run) for v in _runs(plan, "classifiers")]


def classifier_bundle(plan: Plan, values: Values) -> dict[str, list[str]]:
    return _bundle_of(plan, "classifiers", paths.STACKED_CLASSIFIERS, values.classifier)


def collect_classifier_spec(plan: Plan, values: Values) -> CollectSeedSpec:
    return CollectSeedSpec(run=values.classifier)


_COLLECT_HELP = "copy one run's outputs out of its entry's stacked bundle to where {kind} writes them"

KINDS = (
    JobKind(
        "train_gan_seeds",
        "train every seed of a GAN entry as one stacked model; writes each run's outputs into the entry's bundle",
        outputs={"bundle": Output(paths.STACKED_GANS, directory=True)},
        state={"resume": paths.STACKED_GANS_RESUME},
        each=stacked_gans,
        inputs=stacked_gan_inputs,
        spec=stacked_gan_spec,
        spec_type=GanSeedsJobSpec,
        run=train_gan_seeds_job,
        resources={"gpu": 1},
        wildcard_constraints={"entry": NAME},
        target=False,  # the collect jobs' outputs are the targets
    ),
    JobKind(
        "collect_gan_seed",
        _COLLECT_HELP.format(kind="train_gan"),
        outputs=GAN_OUTPUTS,
        each=collected_gans,
        inputs=gan_bundle,
        spec=collect_gan_spec,
        spec_type=CollectSeedSpec,
        run=collect_seed_job,
        local=True,
        wildcard_constraints={"gan": NAME},
        target=("status",),
    ),
    JobKind(
        "train_ae_seeds",
        "train every seed of an autoencoder entry as one stacked model; writes each run's outputs into "
        "the entry's bundle",
        outputs={"bundle": Output(paths.STACKED_AES, directory=True)},
        state={"resume": paths.STACKED_AES_RESUME},
        each=stacked_aes,
        inputs=stacked_ae_inputs,
        spec=stacked_ae_spec,
        spec_type=AeSeedsJobSpec,
        run=train_ae_seeds_job,
        resources={"gpu": 1},
        wildcard_constraints={"entry": NAME},
        target=False,
    ),
    JobKind(
        "collect_ae_seed",
        _COLLECT_HELP.format(kind="train_ae"),
        outputs=AE_OUTPUTS,
        each=collected_aes,
        inputs=ae_bundle,
        spec=collect_ae_spec,
        spec_type=CollectSeedSpec,
        run=collect_seed_job,
        local=True,
        wildcard_constraints={"ae": NAME},
        target=("metrics",),
    ),
    JobKind(
        "train_classifier_seeds",
        "train every seed of a classifier entry as one stacked model; writes each run's model and history "
        "into the entry's bundle",
        outputs={"bundle": Output(paths.STACKED_CLASSIFIERS, directory=True)},
        state={"resume": paths.STACKED_CLASSIFIERS_RESUME},
        each=stacked_classifiers,
        inputs=stacked_classifier_inputs,
        spec=stacked_classifier_spec,
        spec_type=ClassifierSeedsJobSpec,
        run=train_classifier_seeds_job,
        resources={"gpu": 1},
        wildcard_constraints={"entry": NAME},
        target=False,
    ),
    JobKind(
        "collect_classifier_seed",
        _COLLECT_HELP.format(kind="train_classifier"),
        outputs=CLASSIFIER_OUTPUTS,
        each=collected_classifiers,
        inputs=classifier_bundle,
        spec=collect_classifier_spec,
        spec_type=CollectSeedSpec,
        run=collect_seed_job,
        local=True,
        wildcard_constraints={"classifier": NAME},
        target=("history",),
    ),
)
