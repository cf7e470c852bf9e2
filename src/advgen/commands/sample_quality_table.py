"""``advgen sample-quality-table``: concatenate sample-quality tables (the workflow's
``sample-quality`` job writes its summary itself; this joins tables scored separately).

Same convention as every table-concatenating command: ``--out`` first, the input tables
last as positional arguments.
"""

from __future__ import annotations

import argparse

from advgen.commands._files import add_input, add_output

HELP = "concatenate per-model sample-quality rows into one Parquet table (sorted by dataset, family, model)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_output(p, "--out", required=True, help="output: the combined Parquet table")
    add_input(p, "tables", nargs="*", help="inputs: Parquet tables from sample-quality")
    add_input(p, "--inputs", nargs="+", default=[], help=argparse.SUPPRESS)  # former spelling of the inputs


def main(args: argparse.Namespace) -> None:
    import pandas as pd

    from advgen.errors import AdvgenError
    from advgen.io import read_table, write_parquet
    from advgen.metrics.jobs import sort_summary

    tables = [*args.tables, *args.inputs]
    if not tables:
        raise AdvgenError("sample-quality-table: no input tables given")
    table = pd.concat([read_table(p, ("dataset", "family", "model")) for p in tables], ignore_index=True)
    write_parquet(sort_summary(table), args.out)
