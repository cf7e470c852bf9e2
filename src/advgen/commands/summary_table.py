"""``advgen summary-table``: a Markdown summary table for results/tables/."""

from __future__ import annotations

import argparse

HELP = "write a Markdown summary table (sample_quality or robustness) from Parquet tables"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--table", required=True, choices=["sample_quality", "robustness"], help="which table")
    p.add_argument("--input", required=True, help="sample-quality summary.parquet or robustness attacks.parquet")
    p.add_argument("--minimal", default=None, help="robustness only: minimal_perturbation.parquet")
    p.add_argument("--out", required=True, help="output Markdown file (.md)")


def main(args: argparse.Namespace) -> None:
    from advgen.io import read_parquet, write_text
    from advgen.plots import tables

    if args.table == "sample_quality":
        text = tables.sample_quality(read_parquet(args.input))
    else:
        minimal = read_parquet(args.minimal) if args.minimal else None
        text = tables.robustness(read_parquet(args.input), minimal)
    write_text(args.out, text)
