"""``advgen prepare-data``: write a dataset's train/test splits and its Parquet manifest.

The manifest has one row per prepared image (``index``, ``source_index``, ``label``,
``split``) and the source's ``description`` (e.g. "MNIST, 5,000-digit sample"), the name
under which results on the data are shown.
"""

from __future__ import annotations

import argparse
import logging

from advgen.commands._args import add_output

HELP = "prepare a dataset: results/data/<name>/{train,test}.pt + manifest.parquet"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name", required=True, help="dataset name (key of config 'datasets')")
    p.add_argument("--spec", required=True, help="the dataset's config entry as JSON")
    add_output(p, "--train", required=True, help="output: train split (.pt)")
    add_output(p, "--test", required=True, help="output: test split (.pt)")
    add_output(p, "--manifest", required=True, help="output: manifest (.parquet)")


def main(args: argparse.Namespace) -> None:
    import pandas as pd

    from advgen.config import parse_spec
    from advgen.data import SOURCES, load_source, save_prepared
    from advgen.io import write_parquet

    spec = parse_spec(args.spec)
    # the download rule has fetched the files already; never download here
    train, test = load_source(spec, download=False)
    info = SOURCES[spec["source"]]
    num_classes = info.num_classes
    for split, path, name in ((train, args.train, "train"), (test, args.test, "test")):
        save_prepared(split, path, dataset=args.name, name=name, num_classes=num_classes, spec=spec)
        log.info(
            "%s/%s: %d images of shape %s", args.name, name, len(split.labels), tuple(split.images.shape[1:])
        )
    manifest = pd.concat(
        [
            pd.DataFrame(
                {
                    "index": range(len(s.labels)),
                    "source_index": s.source_index.numpy(),
                    "label": s.labels.numpy(),
                    "split": name,
                    "description": info.description,
                }
            )
            for s, name in ((train, "train"), (test, "test"))
        ],
        ignore_index=True,
    )
    write_parquet(manifest, args.manifest)
