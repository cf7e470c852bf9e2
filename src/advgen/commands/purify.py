"""``advgen purify``: one purifier at each of its (L, R) points under clean, grey-box and adaptive attacks.

The science is :func:`advgen.defense.purify_job.purify_job` (points, attacks, budget); this
command parses, calls it and writes the table.
"""

from __future__ import annotations

import argparse

from advgen.commands._args import add_input, add_output, add_spec

HELP = "evaluate a Defense-GAN / autoencoder purifier (or none) under grey-box and adaptive attacks"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_spec(p, "PurifySpec", required=True, help="the job's spec as JSON (advgen.defense.plan.purify_jobs)")
    add_input(p, "--classifier", required=True, help="classifier model (.pt)")
    add_input(p, "--images", required=True, help="prepared test split (.pt)")
    add_input(
        p, "--generator", default=None, help="GAN or autoencoder checkpoint (.pt); not for purifier none"
    )
    add_output(p, "--out", required=True, help="output: one row per point, attack and eps (.parquet)")
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


def main(args: argparse.Namespace) -> None:
    from advgen.defense.purify_job import purify_job
    from advgen.defense.spec import PurifySpec
    from advgen.io import write_parquet
    from advgen.jobs import load_spec

    table = purify_job(
        load_spec(args.spec, spec_type=PurifySpec),
        classifier=args.classifier,
        images=args.images,
        generator=args.generator,
        adaptive=args.adaptive,
        budget=args.budget,
    )
    write_parquet(table, args.out)
