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

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from advgen import paths
from advgen.ae.jobs import train_ae_seeds_job
from advgen.ae.spec import AeSeedsJobSpec
from advgen.classifiers.jobs import train_classifier_seeds_job
from advgen.classifiers.spec import ClassifierSeedsJobSpec
from advgen.gan.jobs import train_gan_seeds_job
from advgen.gan.spec import GanSeedsJobSpec
from advgen.jobfiles import Files
from advgen.pipeline.base import NAME, prepared, splits
from advgen.pipeline.jobkind import JobKind, Output, Values
from advgen.pipeline.jobkinds_generative import AE_OUTPUTS, GAN_OUTPUTS
from advgen.pipeline.jobkinds_robustness import CLASSIFIER_OUTPUTS
from advgen.pipeline.plan import Plan
from advgen.pipeline.stacking import BY_SECTION
from advgen.stacked_bundle import CollectSeedSpec, collect_seed_job


def _entries(section: str) -> Callable[[Plan], list[Values]]:
    """``each`` of a stacked kind: one job per stacked entry of ``section``."""

    def each(plan: Plan) -> list[Values]:
        return [Values(entry=entry) for entry in sorted(plan.stacking.entries(section))]

    return each


def _seeds(plan: Plan, section: str, entry: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """The seeds and names of a stacked entry's runs, in seed order (a classifier sweep's points
    included: their specs are the robustness plan's)."""
    runs = plan.stacking.entries(section)[entry]
    spec_of: Callable[[str], Any] = {
        "gans": plan.generative.gan,
        "autoencoders": plan.generative.ae,
        "classifiers": plan.robustness.classifier_spec,
    }[section]
    return tuple(int(spec_of(run).seed) for run in runs), runs


def _first(plan: Plan, section: str, values: Values) -> str:
    """The first run of the stacked entry ``values.entry``."""
    return plan.stacking.entries(section)[values.entry][0]


# --- the stacked jobs' inputs and specs
def stacked_gan_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    return {"train": [prepared(plan.generative.gan(_first(plan, "gans", values)).dataset, "train")]}


def stacked_gan_spec(plan: Plan, values: Values) -> GanSeedsJobSpec:
    seeds, runs = _seeds(plan, "gans", values.entry)
    return GanSeedsJobSpec(gan=plan.generative.gan(runs[0]), seeds=seeds, runs=runs, device=plan.study.device)


def stacked_ae_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    dataset = plan.generative.ae(_first(plan, "autoencoders", values)).dataset
    return {name: [path] for name, path in splits(dataset).items()}


def stacked_ae_spec(plan: Plan, values: Values) -> AeSeedsJobSpec:
    seeds, runs = _seeds(plan, "autoencoders", values.entry)
    return AeSeedsJobSpec(
        autoencoder=plan.generative.ae(runs[0]), seeds=seeds, runs=runs, device=plan.study.device
    )


def stacked_classifier_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    dataset = plan.robustness.classifier_dataset(_first(plan, "classifiers", values))
    return {name: [path] for name, path in splits(dataset).items()}


def stacked_classifier_spec(plan: Plan, values: Values) -> ClassifierSeedsJobSpec:
    seeds, runs = _seeds(plan, "classifiers", values.entry)
    return ClassifierSeedsJobSpec(
        classifier=plan.robustness.classifier_spec(runs[0]), seeds=seeds, names=runs
    )


def collect_kind(
    section: str, bundle: str, outputs: Mapping[str, str | Output], target: str
) -> JobKind[CollectSeedSpec]:
    """The ``collect_*_seed`` kind of ``section``: one local job per run a stacked job trains,
    copying its outputs (the per-seed kind's ``outputs``) out of its entry's ``bundle``."""
    family = BY_SECTION[section]

    def each(plan: Plan) -> list[Values]:
        return [Values({family.wildcard: run}) for run in sorted(plan.stacking.runs(section))]

    def inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
        run = values[family.wildcard]
        return {"bundle": [bundle.format(entry=plan.stacking.runs(section)[run])]}

    def spec(plan: Plan, values: Values) -> CollectSeedSpec:
        return CollectSeedSpec(run=values[family.wildcard])

    return JobKind(
        family.collect,
        f"copy one run's outputs out of its entry's stacked bundle to where {family.per_seed} writes them",
        outputs=outputs,
        each=each,
        inputs=inputs,
        spec=spec,
        spec_type=CollectSeedSpec,
        run=collect_seed_job,
        local=True,
        wildcard_constraints={family.wildcard: NAME},
        target=(target,),
    )


#: how a kind's help names an entry of each section
NOUNS = {"gans": "a GAN", "autoencoders": "an autoencoder", "classifiers": "a classifier"}

S = TypeVar("S")


def stacked_kind(
    section: str,
    what: str,
    bundle: str,
    resume: str,
    inputs: Callable[[Plan, Values], dict[str, list[str]]],
    spec: Callable[[Plan, Values], S],
    spec_type: type[S],
    run: Callable[[Files, Files, S], None],
) -> JobKind[S]:
    """The ``train_*_seeds`` kind of ``section``: one GPU job per stacked entry, training its seeds
    as one model and writing ``what`` of each run into the entry's ``bundle``, the resume state in
    ``resume`` (kept when the job dies); the collect jobs' outputs are the targets."""
    family = BY_SECTION[section]
    return JobKind(
        family.stacked,
        f"train every seed of {NOUNS[section]} entry as one stacked model; writes each run's {what} "
        "into the entry's bundle",
        outputs={"bundle": Output(bundle, directory=True)},
        state={"resume": resume},
        each=_entries(section),
        inputs=inputs,
        spec=spec,
        spec_type=spec_type,
        run=run,
        resources={"gpu": 1},
        wildcard_constraints={"entry": NAME},
        target=False,
    )


KINDS = (
    stacked_kind(
        "gans",
        "outputs",
        paths.STACKED_GANS,
        paths.STACKED_GANS_RESUME,
        stacked_gan_inputs,
        stacked_gan_spec,
        GanSeedsJobSpec,
        train_gan_seeds_job,
    ),
    collect_kind("gans", paths.STACKED_GANS, GAN_OUTPUTS, "status"),
    stacked_kind(
        "autoencoders",
        "outputs",
        paths.STACKED_AES,
        paths.STACKED_AES_RESUME,
        stacked_ae_inputs,
        stacked_ae_spec,
        AeSeedsJobSpec,
        train_ae_seeds_job,
    ),
    collect_kind("autoencoders", paths.STACKED_AES, AE_OUTPUTS, "metrics"),
    stacked_kind(
        "classifiers",
        "model and history",
        paths.STACKED_CLASSIFIERS,
        paths.STACKED_CLASSIFIERS_RESUME,
        stacked_classifier_inputs,
        stacked_classifier_spec,
        ClassifierSeedsJobSpec,
        train_classifier_seeds_job,
    ),
    collect_kind("classifiers", paths.STACKED_CLASSIFIERS, CLASSIFIER_OUTPUTS, "history"),
)
