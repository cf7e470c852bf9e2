"""``advgen worst-case``: per (classifier, eps), the robust accuracy under every attack of a set,
example by example, and its gap to AutoAttack's standard budget (:mod:`advgen.robustness.worst_case`).

The inputs are the per-example tables of the ``attack`` jobs (``<attack>.examples.parquet``) of
the set's attacks and of the standard-budget attack; rows of other attacks are ignored.
"""

from __future__ import annotations

import argparse
import logging

HELP = "worst case per example over a set of attacks: results/robustness/worst_case.parquet"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--attacks", required=True, help="the attack set, comma-separated (robustness.worst_case.attacks)"
    )
    p.add_argument(
        "--standard",
        default="",
        help="the attack at AutoAttack's standard budget (robustness.worst_case.standard)",
    )
    p.add_argument("--out", required=True, help="output: the worst-case table (.parquet)")
    p.add_argument("tables", nargs="+", help="inputs: per-example attack tables (.parquet)")


def main(args: argparse.Namespace) -> None:
    import pandas as pd

    from advgen.columns import ATTACK_EXAMPLE_COLUMNS
    from advgen.io import read_table, write_parquet
    from advgen.robustness.worst_case import worst_case_table

    attacks = [a.strip() for a in args.attacks.split(",") if a.strip()]
    frames = [read_table(p, ATTACK_EXAMPLE_COLUMNS) for p in args.tables]
    table = worst_case_table(pd.concat(frames, ignore_index=True), attacks, args.standard or None)
    for row in table.itertuples():
        gap = (
            f", gap to {row.standard_attack} {row.gap:+.1f} pt on {row.standard_n}" if row.standard_n else ""
        )
        log.info("%s eps=%g: worst case %.3f on %d%s", row.classifier, row.eps, row.robust_acc, row.n, gap)
    write_parquet(table, args.out)
