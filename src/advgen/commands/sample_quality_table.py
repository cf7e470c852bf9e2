"""``advgen sample-quality-table``: concatenate the one-row sample-quality tables.

Same convention as every table-concatenating command: ``--out`` first, the input tables
last as positional arguments.
"""

from __future__ import annotations

import argparse

HELP = "concatenate per-model sample-quality rows into one Parquet table (sorted by dataset, family, model)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, help="output: the combined Parquet table")
    p.add_argument("tables", nargs="*", help="inputs: one-row Parquet tables from sample-quality")
    p.add_argument("--inputs", nargs="+", default=[], help=argparse.SUPPRESS)  # former spelling of the inputs


def main(args: argparse.Namespace) -> None:
    import pandas as pd

    from advgen.io import read_table, write_parquet

    from advgen.errors import AdvgenError

    tables = [*args.tables, *args.inputs]
    if not tables:
        raise AdvgenError("sample-quality-table: no input tables given")
    table = pd.concat([read_table(p, ("dataset", "family", "model")) for p in tables], ignore_index=True)
    order = {"real": 0, "gan": 1, "autoencoder": 2}
    table = table.sort_values(["dataset", "family", "model"], key=lambda c: c.map(order) if c.name == "family" else c)
    write_parquet(table.reset_index(drop=True), args.out)
