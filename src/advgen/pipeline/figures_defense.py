"""The defense stage's rows of the figure table (:data:`ROWS`): accuracy against eps and against
the purifiers' cost (L x R), the probes' accuracy per feature source, and the real-to-fake flip
eps; with their small plan functions."""

from __future__ import annotations

from advgen import paths
from advgen.pipeline.defense import PROBE_TABLE, PURIFY_TABLE
from advgen.pipeline.figure import ONCE, Figure, Options, Values, figure_png, template
from advgen.pipeline.plan import Plan
from advgen.plots import defense as defense_plots
from advgen.plots.families import one_table


def if_purify(plan: Plan) -> list[Values]:
    return ONCE if plan.defense.purify else []


def if_probes(plan: Plan) -> list[Values]:
    return ONCE if plan.defense.probes else []


def purify(plan: Plan, values: Values) -> Options:
    purify = plan.study.defense.purify
    datasets = plan.defense.datasets()
    return {
        "experiment": f"defenses on {', '.join(datasets) or 'no dataset'}",
        "classifier": purify.classifier if purify else None,
    }


def probe(plan: Plan, values: Values) -> Options:
    probe = plan.study.defense.probe
    assert probe is not None
    return {"experiment": f"probes on {plan.study.gans[probe.gans[0]].dataset}"}


ROWS: tuple[Figure, ...] = (
    Figure(
        family="defense_purify_eps",
        path=figure_png("defense/purify_eps"),
        category="Defense",
        subcategory="Purification",
        labels={"figure": "accuracy vs epsilon"},
        each=if_purify,
        inputs=template(PURIFY_TABLE),
        options=purify,
        draw=one_table(defense_plots.purify_curves),
    ),
    Figure(
        family="defense_purify_cost",
        path=figure_png("defense/purify_cost"),
        category="Defense",
        subcategory="Purification",
        labels={"figure": "accuracy and cost vs L x R"},
        each=if_purify,
        inputs=template(PURIFY_TABLE),
        options=purify,
        draw=one_table(defense_plots.purify_cost),
    ),
    Figure(
        family="defense_probe",
        path=figure_png("defense/probe"),
        category="Defense",
        subcategory="Discriminator probes",
        labels={"figure": "probe accuracy per feature source"},
        each=if_probes,
        inputs=template(PROBE_TABLE),
        options=probe,
        draw=one_table(defense_plots.probe_bars),
    ),
    Figure(
        family="defense_flip",
        path=figure_png("defense/flip"),
        category="Defense",
        subcategory="Discriminator probes",
        labels={"figure": "real-to-fake flip epsilon"},
        each=if_probes,
        inputs=template(paths.FLIP_EXAMPLES),
        options=probe,
        draw=one_table(defense_plots.flip_eps),
    ),
)
