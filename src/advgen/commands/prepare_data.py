"""``advgen prepare-data``: write a dataset's train and/or test split and its Parquet manifest.

The manifest has one row per prepared image (``index``, ``source_index``, ``label``,
``split``) and the source's ``description`` (e.g. "MNIST, 5,000-digit sample"), the name
under which results on the data are shown. The workflow writes each split in its own job
(``--train`` or ``--test``, with the spec of that split: ``max_test`` is not part of the
training split's, so editing it leaves the training split and the GANs alone) and the manifest
from the two files (``advgen data-manifest``); by hand, one call can write all three.
"""

from __future__ import annotations

import argparse
import logging

from advgen.commands._args import add_output, add_spec

HELP = "prepare a dataset: results/data/<name>/{train,test}.pt and/or manifest.parquet"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name", required=True, help="dataset name (key of config 'datasets')")
    add_spec(
        p, "dataset", schema="data.schema.yaml", required=True, help="the dataset's config entry as JSON"
    )
    add_output(p, "--train", help="output: train split (.pt)")
    add_output(p, "--test", help="output: test split (.pt)")
    add_output(p, "--manifest", help="output: manifest (.parquet)")


def main(args: argparse.Namespace) -> None:
    from advgen.config import dataset_spec, parse_spec
    from advgen.data import SOURCES, load_source, save_prepared
    from advgen.data.prepared import manifest
    from advgen.errors import ConfigError
    from advgen.io import write_parquet

    entry = parse_spec(args.spec)
    if not (args.train or args.test or args.manifest):
        raise ConfigError("give at least one of --train, --test and --manifest")
    spec = dataset_spec(entry)
    # the download rule has fetched the files already; never download here
    train, test = load_source(spec, download=False)
    info = SOURCES[spec.source]
    for split, path, name in ((train, args.train, "train"), (test, args.test, "test")):
        if not path:
            continue
        save_prepared(split, path, dataset=args.name, name=name, num_classes=info.num_classes, spec=entry)
        log.info(
            "%s/%s: %d images of shape %s", args.name, name, len(split.labels), tuple(split.images.shape[1:])
        )
    if args.manifest:
        write_parquet(manifest({"train": train, "test": test}, info.description), args.manifest)
