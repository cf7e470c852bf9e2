"""``advgen aggregate-defense``: concatenate per-job tables (the purifiers', the masking checks')."""

from __future__ import annotations

import argparse
import logging

from advgen.commands._args import add_input, add_output

HELP = "check and concatenate the per-job tables of the purifiers or of the masking checks"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--table", required=True, choices=("purify", "masking"), help="which table")
    add_output(p, "--out", required=True, help="output: the concatenated table (.parquet)")
    add_output(
        p,
        "--markdown",
        default=None,
        help="purify / masking: output of the report table (.md): headline vs grey-box per purifier "
        "and eps, or one line per masking check",
    )
    add_input(p, "tables", nargs="+", help="per-job tables (.parquet)")


def main(args: argparse.Namespace) -> None:
    from advgen.defense.tables import concat, purify_markdown
    from advgen.io import write_parquet, write_text

    table = concat(args.table, args.tables)
    log.info("%s: %d rows from %d jobs", args.table, len(table), len(args.tables))
    if args.markdown is not None:
        if args.table == "purify":
            text = purify_markdown(table)
        else:
            from advgen.robustness.tables import masking_markdown

            text = masking_markdown(table)
        write_text(args.markdown, text)
    write_parquet(table, args.out)
