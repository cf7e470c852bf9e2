"""``advgen data-manifest``: a dataset's manifest from its two prepared splits.

One row per prepared image (``index``, ``source_index``, ``label``, ``split``) and the source's
``description``, read from the splits ``prepare-data`` wrote (no second load of the source).
"""

from __future__ import annotations

import argparse

from advgen.commands._args import add_input, add_output

HELP = "write a dataset's manifest (.parquet) from its prepared train and test splits"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", required=True, help="the dataset's config entry as JSON (its source)")
    add_input(p, "--train", required=True, help="input: prepared train split (.pt)")
    add_input(p, "--test", required=True, help="input: prepared test split (.pt)")
    add_output(p, "--out", required=True, help="output: manifest (.parquet)")


def main(args: argparse.Namespace) -> None:
    from advgen.config import dataset_spec, parse_spec
    from advgen.data import SOURCES, load_prepared
    from advgen.data.prepared import manifest
    from advgen.errors import CheckpointError
    from advgen.io import write_parquet

    spec = dataset_spec(parse_spec(args.spec))
    splits = {"train": load_prepared(args.train), "test": load_prepared(args.test)}
    for name, path in (("train", args.train), ("test", args.test)):
        if splits[name].source_index is None:
            raise CheckpointError(f"{path}: checkpoint lacks key(s) source_index")
    write_parquet(manifest(splits, SOURCES[spec.source].description), args.out)
