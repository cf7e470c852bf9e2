"""``advgen attack-table``: concatenate attack curves; write the minimal-perturbation table.

The workflow passes one curve table per (classifier, attack) (``advgen attack``), classifiers
sorted and each classifier's attacks in config order; ``--classifier-table`` also writes each
classifier's rows, in input order, to its own table. Same convention as every
table-concatenating command: ``--out`` (and named extra outputs) first, the input tables last
as positional arguments. Every input is read and checked before any output is written.
"""

from __future__ import annotations

import argparse
from typing import Any

from advgen.commands._args import add_input, add_output

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
    add_output(p, "--out", required=True, help="output: all curves (.parquet)")
    add_output(p, "--minimal", required=True, help="output: minimal-perturbation table (.parquet)")
    add_output(
        p,
        "--classifier-table",
        named=True,
        action="append",
        default=[],
        metavar="NAME=PATH",
        help=(
            "output (repeat per classifier): that classifier's rows, in input order (.parquet); "
            "with it, every input row's classifier needs one"
        ),
    )
    add_input(p, "tables", nargs="*", help="inputs: per-job curve tables (.parquet)")
    add_input(p, "--curves", nargs="+", default=[], help=argparse.SUPPRESS)  # former spelling of the inputs


def _named_paths(pairs: list[str]) -> dict[str, str]:
    from advgen.errors import AdvgenError

    named: dict[str, str] = {}
    for pair in pairs:
        name, sep, path = pair.partition("=")
        if not sep or not name or not path:
            raise AdvgenError(f"attack-table: --classifier-table: expected NAME=PATH, got {pair!r}")
        if name in named:
            raise AdvgenError(f"attack-table: --classifier-table: classifier {name!r} given twice")
        named[name] = path
    return named


def by_classifier(tables: list[tuple[str, Any]], names: list[str]) -> dict[str, Any]:
    """Each classifier's rows of ``tables`` ((path, frame) pairs), concatenated in input order.

    A row whose classifier is not in ``names`` raises :class:`~advgen.errors.AdvgenError`
    naming its table.
    """
    import pandas as pd

    from advgen.errors import AdvgenError

    parts: dict[str, list[Any]] = {name: [] for name in names}
    for path, frame in tables:
        for name in pd.unique(frame["classifier"]):
            if name not in parts:
                raise AdvgenError(
                    f"{path}: classifier {name!r} has no --classifier-table output "
                    f"(given: {', '.join(names) or 'none'})"
                )
            parts[name].append(frame[frame["classifier"] == name])
    missing = [name for name, frames in parts.items() if not frames]
    if missing:
        raise AdvgenError(f"attack-table: no input rows for classifier(s) {', '.join(missing)}")
    return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}


def main(args: argparse.Namespace) -> None:
    import pandas as pd

    from advgen.errors import AdvgenError
    from advgen.io import read_table, write_parquet
    from advgen.robustness.tables import minimal_table

    inputs = [*args.tables, *args.curves]
    if not inputs:
        raise AdvgenError("attack-table: no input tables given")
    outputs = _named_paths(args.classifier_table)
    tables = [(p, read_table(p, CURVE_COLUMNS)) for p in inputs]
    if outputs:
        per_classifier = by_classifier(tables, sorted(outputs))
        parts = list(per_classifier.values())
    else:
        per_classifier, parts = {}, [frame for _, frame in tables]
    curves = pd.concat(parts, ignore_index=True)
    curves = curves.sort_values(["classifier", "attack", "eps"]).reset_index(drop=True)
    minimal = minimal_table(curves)
    for name, frame in per_classifier.items():
        write_parquet(frame, outputs[name])
    write_parquet(curves, args.out)
    write_parquet(minimal, args.minimal)
