"""``advgen purify``: one purifier at each of its (L, R) points under clean, grey-box and adaptive attacks.

The points run one after the other in one process (the job's spec: the keys they share and
``points``, :func:`advgen.defense.plan.purify_jobs`), each seeded, and its classifier and
purifier loaded, as if it were a job of its own; the table holds their rows in that order.

By default the operating point also runs every adaptive attack of
:mod:`advgen.defense.adaptive` that applies to the purifier (``--adaptive all``) at the papers'
budget (:class:`~advgen.defense.adaptive.AdaptiveBudget`, or the spec's ``budget`` mapping
when it has one); ``--adaptive spec --budget spec`` is the original behaviour (the spec's
attacks only, ``adaptive_steps`` steps, one restart, ``eot_samples`` draws).
"""

from __future__ import annotations

import argparse
import json
import logging

HELP = "evaluate a Defense-GAN / autoencoder purifier (or none) under grey-box and adaptive attacks"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", required=True, help="the job's spec as JSON (advgen.defense.plan.purify_jobs)")
    p.add_argument("--classifier", required=True, help="classifier model (.pt)")
    p.add_argument("--images", required=True, help="prepared test split (.pt)")
    p.add_argument(
        "--generator", default=None, help="GAN or autoencoder checkpoint (.pt); not for purifier none"
    )
    p.add_argument("--out", required=True, help="output: one row per point, attack and eps (.parquet)")
    p.add_argument(
        "--adaptive",
        choices=("all", "spec"),
        default="all",
        help="all: add every applicable adaptive attack at the operating point (default); "
        "spec: only the spec's attacks",
    )
    p.add_argument(
        "--budget",
        default=None,
        help='adaptive attack sizes: JSON overrides of AdaptiveBudget (e.g. \'{"steps": 20, '
        "\"restarts\": 2}'), or 'spec' for the original budget; default: the spec's 'budget' "
        "key, else the papers' values (100 steps, 5 restarts)",
    )


def job_attacks(spec: dict, purifier, adaptive: str) -> list[str]:
    """The spec's attacks, plus (``adaptive == "all"``, operating point) the applicable adaptive ones."""
    from advgen.defense.adaptive import applicable

    attacks = list(spec["attacks"])
    if adaptive == "all" and spec.get("operating", True):
        attacks += [a for a in applicable(purifier) if a not in attacks]
    return attacks


def job_budget(spec: dict, option: str | None):
    """The :class:`AdaptiveBudget` of ``--budget`` (see its help)."""
    from advgen.config import parse_spec
    from advgen.defense.adaptive import AdaptiveBudget

    if option == "spec":
        return AdaptiveBudget.legacy(spec)
    if option is not None:
        return AdaptiveBudget.from_mapping(parse_spec(option, what="--budget"), source="--budget")
    return AdaptiveBudget.from_mapping(spec.get("budget"), source="--spec: budget")


def run_point(spec: dict, args: argparse.Namespace, split, idx, device: str, budget):
    """The rows of one point (``spec``: a :func:`advgen.defense.plan.purify_points` spec)."""
    from advgen.classifiers import load_classifier
    from advgen.defense.evaluate import HEADLINE, evaluate_point
    from advgen.defense.loading import load_purifier
    from advgen.seeding import seed_everything

    seed_everything(int(spec["seed"]))
    classifier = load_classifier(args.classifier, device)
    purifier = load_purifier(spec, args.generator, device)
    spec = {**spec, "attacks": job_attacks(spec, purifier, args.adaptive)}
    log.info(
        "%s/%s: attacks %s; adaptive budget %s",
        spec["purifier"],
        spec["point"],
        ", ".join(spec["attacks"]),
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
            "%s eps %g: %s %.3f (%s)", spec["purifier"], row.eps, row.attack, row.robust_acc, row.best_attack
        )
    return table


def main(args: argparse.Namespace) -> None:
    import pandas as pd

    from advgen.config import parse_spec
    from advgen.data import load_prepared
    from advgen.defense.plan import job_entries
    from advgen.io import write_parquet
    from advgen.jobs import start_job
    from advgen.robustness.evaluate import eval_subset

    job = parse_spec(args.spec)
    budget = job_budget(job, args.budget)
    split = load_prepared(args.images)
    idx = eval_subset(split.labels, job["num_images"], int(job["seed"]))
    with start_job(job, seed=False) as device:
        tables = [run_point(spec, args, split, idx, device, budget) for spec in job_entries(job, "points")]
    write_parquet(pd.concat(tables, ignore_index=True), args.out)
