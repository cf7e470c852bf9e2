"""``advgen attack-table``: concatenate attack curves; write the minimal-perturbation table.

Same convention as every table-concatenating command: ``--out`` (and named extra outputs)
first, the input tables last as positional arguments.
"""

from __future__ import annotations

import argparse

HELP = "aggregate attack curves into one table and the L-BFGS/DeepFool minimal-perturbation table"


# What the sort and the minimal-perturbation table read (advgen.robustness.evaluate).
CURVE_COLUMNS = (
    "classifier",
    "attack",
    "attack_type",
    "eps",
    "n",
    "clean_acc",
    "success_rate",
    "rho_adv",
    "mean_l2",
    "median_l2",
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, help="output: all curves (.parquet)")
    p.add_argument("--minimal", required=True, help="output: minimal-perturbation table (.parquet)")
    p.add_argument("tables", nargs="*", help="inputs: per-job curve tables (.parquet)")
    p.add_argument("--curves", nargs="+", default=[], help=argparse.SUPPRESS)  # former spelling of the inputs


def main(args: argparse.Namespace) -> None:
    import pandas as pd

    from advgen.errors import AdvgenError
    from advgen.io import read_table, write_parquet
    from advgen.robustness.tables import minimal_table

    tables = [*args.tables, *args.curves]
    if not tables:
        raise AdvgenError("attack-table: no input tables given")
    curves = pd.concat([read_table(p, CURVE_COLUMNS) for p in tables], ignore_index=True)
    curves = curves.sort_values(["classifier", "attack", "eps"]).reset_index(drop=True)
    write_parquet(curves, args.out)
    write_parquet(minimal_table(curves), args.minimal)
