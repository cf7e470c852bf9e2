"""``advgen robust-features-table``: the per-seed robust-features tables as one table."""

from __future__ import annotations

import argparse
import logging

from advgen.commands._args import add_input, add_output

HELP = "concatenate the per-seed robust-features tables: results/robustness/robust_features.parquet"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_output(p, "--out", required=True, help="output: the table (.parquet), rows in input order")
    add_input(p, "tables", nargs="+", help="inputs: one robust-features table per seed (.parquet)")


def main(args: argparse.Namespace) -> None:
    from advgen.io import write_parquet
    from advgen.robustness.tables import robust_features_table

    table = robust_features_table(args.tables)
    log.info("robust features: %d rows from %d seeds", len(table), len(args.tables))
    write_parquet(table, args.out)
