"""The defense stage's rows of the figure table (:data:`ROWS`): accuracy against eps and against
the purifiers' cost (L x R), the probes' accuracy per feature source, and the real-to-fake flip
eps; with their small plan functions."""

from __future__ import annotations

from advgen import paths
from advgen.pipeline.figure import ONCE, Figure, Options, Plot, Values, summary
from advgen.pipeline.jobkinds_defense import PROBE_TABLE, PURIFY_TABLE
from advgen.pipeline.plan import Plan
from advgen.plots.defense import flip_eps, probe_bars, purify_cost, purify_curves


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


def purification(name: str, label: str, plot: Plot) -> Figure:
    """A figure ``defense/<name>`` of the purify table."""
    where = "Defense/Purification"
    return summary(f"defense_{name}", f"defense/{name}", where, label, if_purify, PURIFY_TABLE, purify, plot)


def probes(name: str, label: str, table: str, plot: Plot) -> Figure:
    """A figure ``defense/<name>`` of the probes' ``table``."""
    where = "Defense/Discriminator probes"
    return summary(f"defense_{name}", f"defense/{name}", where, label, if_probes, table, probe, plot)


ROWS: tuple[Figure, ...] = (
    purification("purify_eps", "accuracy vs epsilon", purify_curves),
    purification("purify_cost", "accuracy and cost vs L x R", purify_cost),
    probes("probe", "probe accuracy per feature source", PROBE_TABLE, probe_bars),
    probes("flip", "real-to-fake flip epsilon", paths.FLIP_EXAMPLES, flip_eps),
)
