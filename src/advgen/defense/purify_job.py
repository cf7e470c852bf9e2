"""A purify job: one purifier at one of its (L, R) points under clean, grey-box and adaptive attacks
(Samangouei et al. 2018; Athalye et al. 2018). The job's spec is the point's
(:func:`advgen.defense.plan.purify_jobs`); the job seeds itself and loads its classifier and purifier.

By default the operating point also runs every adaptive attack that applies to the purifier
(``adaptive="all"``: :func:`advgen.defense.adaptive.applicable`) at the papers' budget
(:class:`~advgen.defense.adaptive.AdaptiveBudget`, or the spec's ``budget`` mapping when it has
one); ``adaptive="spec"`` with budget ``"spec"`` is the original behaviour (the spec's attacks
only, ``adaptive_steps`` steps, one restart, ``eot_samples`` draws).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

from advgen.defense.spec import PurifySpec

log = logging.getLogger(__name__)


def job_attacks(spec: PurifySpec, purifier: Any, adaptive: str) -> list[str]:
    """The spec's attacks, plus (``adaptive == "all"``, operating point) the applicable adaptive ones."""
    from advgen.defense.adaptive import applicable

    attacks = list(spec.attacks)
    if adaptive == "all" and spec.operating:
        attacks += [a for a in applicable(purifier) if a not in attacks]
    return attacks


def job_budget(spec: PurifySpec, option: str | None):
    """The :class:`AdaptiveBudget` of a job: ``option`` ``"spec"`` (the original budget), a JSON
    mapping of overrides (``'{"steps": 20}'``), or None (the spec's ``budget`` key, else the papers')."""
    from advgen.config import parse_spec
    from advgen.defense.adaptive import AdaptiveBudget

    if option == "spec":
        return AdaptiveBudget.legacy(spec)
    if option is not None:
        return AdaptiveBudget.from_mapping(parse_spec(option, what="--budget"), source="--budget")
    return AdaptiveBudget.from_mapping(spec.budget, source="--spec: budget")


def run_point(
    spec: PurifySpec,
    classifier_path: str,
    generator_path: str | None,
    split: Any,
    idx: Any,
    device: str,
    budget: Any,
    adaptive: str = "all",
):
    """The rows of one point (``spec``: a :func:`advgen.defense.plan.purify_points` spec)."""
    from advgen.classifiers.checkpoint import load_classifier
    from advgen.defense.evaluate import HEADLINE, evaluate_point
    from advgen.defense.loading import load_purifier
    from advgen.seeding import seed_everything

    seed_everything(int(spec.seed))
    classifier = load_classifier(classifier_path, device, data=[split])
    purifier = load_purifier(spec, generator_path, device)
    spec = dataclasses.replace(spec, attacks=tuple(job_attacks(spec, purifier, adaptive)))
    log.info(
        "%s/%s: attacks %s; adaptive budget %s",
        spec.purifier,
        spec.point,
        ", ".join(spec.attacks),
        json.dumps(budget.as_dict()),
    )
    x, y = split.images[idx].to(device), split.labels[idx].to(device)
    table = evaluate_point(classifier, purifier, x, y, spec, budget)
    best = (
        table[~table["attack"].isin(["none", HEADLINE, "strongest_greybox"])]
        .groupby("attack")["robust_acc"]
        .min()
    )
    log.info(
        "clean accuracy %.3f; lowest robust accuracy per attack: %s",
        table["clean_acc"].iloc[0],
        ", ".join(f"{a} {v:.3f}" for a, v in best.items()),
    )
    for row in table[table["attack"].isin([HEADLINE, "strongest_greybox"])].itertuples():
        log.info(
            "%s eps %g: %s %.3f (%s)", spec.purifier, row.eps, row.attack, row.robust_acc, row.best_attack
        )
    return table


def purify_job(
    job: PurifySpec,
    *,
    classifier: str,
    images: str,
    generator: str | None = None,
    adaptive: str = "all",
    budget: str | None = None,
):
    """The rows of one purifier's point (:func:`run_point`).

    Args:
        job: the job's spec (:func:`advgen.defense.plan.purify_jobs`); its ``device`` is leased
            (:func:`advgen.jobs.start_job`), its ``seed`` seeds the point.
        classifier, generator: checkpoint paths (``generator`` None for purifier ``none``).
        images: the prepared test split.
        adaptive: ``all`` or ``spec`` (see the module docstring); budget: :func:`job_budget`'s option.
    """
    from advgen.classifiers.subsets import eval_subset
    from advgen.data.prepared import load_prepared
    from advgen.jobs import start_job

    sizes = job_budget(job, budget)
    split = load_prepared(images)
    idx = eval_subset(split.labels, job.num_images, int(job.seed))
    with start_job(job, seed=False) as device:
        return run_point(job, classifier, generator, split, idx, device, sizes, adaptive)
