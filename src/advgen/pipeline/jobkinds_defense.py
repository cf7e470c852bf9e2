"""The defense stage's job kinds (rows of :data:`advgen.pipeline.jobkinds.JOB_KINDS`; its plan is
:class:`advgen.pipeline.defense.DefensePlan`, over the config's expansion): inversion as
a defense (Defense-GAN, Samangouei et al. 2018) under grey-box and adaptive (BPDA / EOT, Athalye
et al. 2018) attacks, one ``purify`` job per (purifier, point) and their table; how robust a
GAN's discriminator is: linear probes on its frozen features vs classifiers' features and an
untrained D (one ``probe_discriminator`` job), and PGD on its real/fake score (one
``flip_discriminator`` job). The cheap entries of the discriminator studies share one job (each
job pays seconds of ``import torch``): the job seeds and loads each entry as if it were a job of
its own, so sharing changes no number. Tables in ``results/defense/``; the figures
(:data:`FIGURE_KINDS`): accuracy against eps and against the purifiers' cost (L x R), the probes'
accuracy per feature source, and the real-to-fake flip eps.
"""

from __future__ import annotations

import dataclasses

from advgen import paths
from advgen.defense import jobs
from advgen.defense.spec import FlipJobSpec, ProbeJobSpec, PurifySpec
from advgen.pipeline.base import NAME, classifier_model, prepared, splits
from advgen.pipeline.figure_kinds import figure, png, table_input
from advgen.pipeline.jobkind import ONCE, JobKind, Values, no_settings
from advgen.pipeline.plan import Plan
from advgen.plots.defense import flip_eps, probe_bars, purify_cost, purify_curves
from advgen.plots.families import one_table
from advgen.plots.figure_specs import OneTableSpec
from advgen.probe import jobs as probe_jobs
from advgen.specs import NoSettings

PURIFY_TABLE = paths.fill(paths.DEFENSE_TABLE, table="purify")
PROBE_TABLE = paths.fill(paths.DEFENSE_TABLE, table="probe")


# --- one purifier at one point (advgen.defense.jobs.purify)
def every_point(plan: Plan) -> list[Values]:
    return [
        Values(purifier=name, point=point) for name, points in plan.defense.purify.items() for point in points
    ]


def purify_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The classifier, the test split and (but for the bare classifier) the generator."""
    spec = plan.defense.purify_point(values.purifier, values.point)
    inputs = {"classifier": [classifier_model(spec.classifier)], "images": [prepared(spec.dataset, "test")]}
    if spec.generator:
        inputs["generator"] = [plan.defense.generator_checkpoint(spec.generator)]
    return inputs


def purify_spec(plan: Plan, values: Values) -> PurifySpec:
    """The point's spec with the config's device."""
    spec = plan.defense.purify_point(values.purifier, values.point)
    return dataclasses.replace(spec, device=plan.study.device)


# --- the purify table (advgen.defense.jobs.purify_table)
def if_purify(plan: Plan) -> list[Values]:
    return ONCE if plan.defense.purify else []


def purify_tables(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The points' tables, purifier by purifier, each in point order."""
    return {"tables": [paths.fill(paths.PURIFY, **point) for point in every_point(plan)]}


# --- the discriminator studies (advgen.probe.jobs)
def if_probes(plan: Plan) -> list[Values]:
    return ONCE if plan.defense.probes else []


def probe_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The GANs (probed and controls, each once, in source order), the classifiers, and the
    splits of the one data set they share (checked)."""
    gans, classifiers = plan.defense.probed()
    spec = plan.defense.expansion.probe_job()
    return {
        "gans": [plan.defense.generator_checkpoint(g) for g in gans],
        "classifiers": [classifier_model(c) for c in classifiers],
        **{name: [path] for name, path in splits(spec.sources[0].dataset).items()},
    }


def probe_spec(plan: Plan, values: Values) -> ProbeJobSpec:
    return dataclasses.replace(plan.defense.expansion.probe_job(), device=plan.study.device)


def flip_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """Every GAN of the spec (its order) and the test split of their one data set (checked)."""
    gans = plan.defense.expansion.flip_job().gans
    return {
        "gans": [plan.defense.generator_checkpoint(g.gan) for g in gans],
        "images": [prepared(gans[0].dataset, "test")],
    }


def flip_spec(plan: Plan, values: Values) -> FlipJobSpec:
    return dataclasses.replace(plan.defense.expansion.flip_job(), device=plan.study.device)


KINDS = (
    JobKind(
        "purify",
        "evaluate a Defense-GAN / autoencoder purifier (or none) at one point under grey-box and adaptive attacks",
        outputs={"table": paths.PURIFY},
        each=every_point,
        inputs=purify_inputs,
        spec=purify_spec,
        spec_type=PurifySpec,
        run=jobs.purify,
        resources={"gpu": 1},
        wildcard_constraints={"purifier": NAME, "point": NAME},
        target=False,  # purify_table concatenates them
    ),
    JobKind(
        "purify_table",
        "check and concatenate the purify jobs' tables",
        outputs={"table": PURIFY_TABLE},
        each=if_purify,
        inputs=purify_tables,
        spec=no_settings,
        spec_type=NoSettings,
        run=jobs.purify_table,
        job="purify",
    ),
    JobKind(
        "probe_discriminator",
        "fit linear digit probes on frozen D / classifier features and attack probe(features(x)) with PGD",
        outputs={"table": PROBE_TABLE},
        each=if_probes,
        inputs=probe_inputs,
        spec=probe_spec,
        spec_type=ProbeJobSpec,
        run=probe_jobs.probe_discriminator,
        resources={"gpu": 1},
        job="probe",
    ),
    JobKind(
        "flip_discriminator",
        "PGD on GAN discriminators' real/fake score: smallest eps flipping each real image to fake",
        outputs={"examples": paths.FLIP_EXAMPLES, "summary": paths.FLIP_SUMMARY},
        each=if_probes,
        inputs=flip_inputs,
        spec=flip_spec,
        spec_type=FlipJobSpec,
        run=probe_jobs.flip_discriminator,
        resources={"gpu": 1},
        job="flip",
        target=("summary",),
    ),
)


# --- the figures (advgen.plots.defense)
def purify_title(plan: Plan, values: Values) -> OneTableSpec:
    return OneTableSpec(
        f"defenses on {', '.join(plan.defense.datasets()) or 'no dataset'}", plan.study.plots.dpi
    )


def probe_title(plan: Plan, values: Values) -> OneTableSpec:
    probe = plan.study.defense.probe
    assert probe is not None
    return OneTableSpec(f"probes on {plan.study.gans[probe.gans[0]].dataset}", plan.study.plots.dpi)


PURIFICATION, PROBES = "Defense/Purification", "Defense/Discriminator probes"

FIGURE_KINDS = (
    figure("defense_purify_eps", png("defense/purify_eps"), PURIFICATION, "accuracy vs epsilon", if_purify,
           table_input(PURIFY_TABLE), purify_title, OneTableSpec, one_table(purify_curves)),
    figure("defense_purify_cost", png("defense/purify_cost"), PURIFICATION, "accuracy and cost vs L x R",
           if_purify, table_input(PURIFY_TABLE), purify_title, OneTableSpec, one_table(purify_cost)),
    figure("defense_probe", png("defense/probe"), PROBES, "probe accuracy per feature source", if_probes,
           table_input(PROBE_TABLE), probe_title, OneTableSpec, one_table(probe_bars)),
    figure("defense_flip", png("defense/flip"), PROBES, "real-to-fake flip epsilon", if_probes,
           table_input(paths.FLIP_EXAMPLES), probe_title, OneTableSpec, one_table(flip_eps)),
)  # fmt: skip
