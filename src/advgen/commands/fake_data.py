"""``advgen fake-data``: small fake MNIST / Fashion-MNIST / CIFAR-10 / CelebA in torchvision's layout."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

HELP = "write small fake data sets in torchvision's on-disk formats (for the paper-scale smoke test)"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    from advgen.data.fake_sources import SOURCES

    p.add_argument("--root", default="resources", help="folder holding one root per source (<root>/<source>)")
    p.add_argument("--sources", nargs="+", default=list(SOURCES), choices=SOURCES, help="which data sets")
    p.add_argument("--train", type=int, default=1000, help="training images per data set")
    p.add_argument("--test", type=int, default=200, help="test images per data set (CelebA: also validation)")
    p.add_argument("--seed", type=int, default=0)


def main(args: argparse.Namespace) -> None:
    from advgen.data.fake_sources import write_fake_source
    from advgen.errors import AdvgenError

    if args.train < 10 or args.test < 10:
        raise AdvgenError("--train and --test need at least 10 images (one per class)")
    for source in args.sources:
        files = write_fake_source(
            source, Path(args.root) / source, n_train=args.train, n_test=args.test, seed=args.seed
        )
        log.info("%s: wrote %d files under %s", source, len(files), Path(args.root) / source)
