"""``advgen report-facts``: the GAN report's parameter counts and convolution-gradient identities, recomputed."""

from __future__ import annotations

import argparse

from advgen.commands._args import add_output

HELP = "recompute the report's parameter counts and convolution-gradient identities (a table)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_output(p, "--out", required=True, help="output: the table (.parquet)")


def main(args: argparse.Namespace) -> None:
    from advgen.io import write_parquet
    from advgen.report_facts import report_facts

    write_parquet(report_facts(), args.out)
