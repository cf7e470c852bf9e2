"""``advgen summary-table``: a Markdown summary table for results/tables/."""

from __future__ import annotations

import argparse

from advgen.commands._files import add_input, add_output

HELP = "write a Markdown summary table (sample_quality or robustness) from Parquet tables"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--table", required=True, choices=["sample_quality", "robustness"], help="which table")
    add_input(
        p, "--input", required=True, help="sample-quality summary.parquet or robustness attacks.parquet"
    )
    add_input(p, "--minimal", default=None, help="robustness only: minimal_perturbation.parquet")
    add_output(p, "--out", required=True, help="output Markdown file (.md)")


def main(args: argparse.Namespace) -> None:
    from advgen.errors import AdvgenError
    from advgen.io import read_parquet, write_text
    from advgen.plots import tables

    files = ", ".join(p for p in (args.input, args.minimal) if p)
    try:
        if args.table == "sample_quality":
            text = tables.sample_quality(read_parquet(args.input))
        else:
            minimal = read_parquet(args.minimal) if args.minimal else None
            text = tables.robustness(read_parquet(args.input), minimal)
    except AdvgenError as exc:
        message = str(exc)
        raise AdvgenError(
            message if any(message.startswith(p) for p in files.split(", ")) else f"{files}: {message}"
        ) from exc
    write_text(args.out, text)
