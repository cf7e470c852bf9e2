"""``advgen aggregate-sweep``: concatenate a sweep's per-point tables into one Parquet."""

from __future__ import annotations

import argparse
import logging

from advgen.commands._args import add_input, add_output

HELP = "check and concatenate the per-point tables of a sweep (one Parquet per sweep)"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    from advgen.sweeps.registry import SWEEPS

    p.add_argument("--sweep", required=True, choices=list(SWEEPS), help="which sweep")
    add_output(p, "--out", required=True, help="output: the sweep's table (.parquet)")
    add_input(p, "tables", nargs="+", help="per-point tables (.parquet)")


def main(args: argparse.Namespace) -> None:
    from advgen.io import write_parquet
    from advgen.sweeps.summary import summarize
    from advgen.sweeps.tables import aggregate

    table = aggregate(args.sweep, args.tables)
    log.info("%s: %d rows from %d grid points", args.sweep, len(table), len(args.tables))
    for line in summarize(args.sweep, table):
        log.info("%s", line)
    write_parquet(table, args.out)
