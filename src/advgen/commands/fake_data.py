"""``advgen fake-data``: small fake MNIST / Fashion-MNIST / CIFAR-10 / CelebA in torchvision's layout.

A ``--root`` that is a file (or lies under one), a folder that cannot be written, a negative
or too large ``--seed`` or too few images are one line (exit status 2) before anything is written.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from advgen.commands._files import add_output

HELP = "write small fake data sets in torchvision's on-disk formats (for the paper-scale smoke test)"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    from advgen.data.fake_sources import SOURCES

    add_output(p, "--root", default="resources", help="folder holding one root per source (<root>/<source>)")
    p.add_argument("--sources", nargs="+", default=list(SOURCES), choices=SOURCES, help="which data sets")
    p.add_argument("--train", type=int, default=1000, help="training images per data set")
    p.add_argument("--test", type=int, default=200, help="test images per data set (CelebA: also validation)")
    p.add_argument("--seed", type=int, default=0, help=f"0..{MAX_SEED} (each data set adds 0-3 to it)")


#: numpy's generators take any non-negative seed; the config's seeds stop at 2**32 - 1
MAX_SEED = 2**32 - 1 - 3


def check_root(root: Path) -> None:
    """``root`` is a folder, or can be created as one, and can be written (else one-line error)."""
    import os

    from advgen.errors import AdvgenError

    for folder in (root, *root.parents):
        if folder.exists():
            if not folder.is_dir():
                where = "" if folder == root else f" ({folder})"
                raise AdvgenError(f"--root {root}: is a file, not a folder{where}")
            if not os.access(folder, os.W_OK | os.X_OK):
                raise AdvgenError(
                    f"--root {root}: cannot write under {folder} (permission denied or read-only)"
                )
            return


def main(args: argparse.Namespace) -> None:
    from advgen.data.fake_sources import write_fake_source
    from advgen.errors import AdvgenError

    if args.train < 10 or args.test < 10:
        raise AdvgenError("--train and --test need at least 10 images (one per class)")
    if not 0 <= args.seed <= MAX_SEED:
        raise AdvgenError(f"--seed {args.seed}: expected an integer in 0..{MAX_SEED}")
    check_root(Path(args.root))
    for source in args.sources:
        check_root(Path(args.root) / source)
        files = write_fake_source(
            source, Path(args.root) / source, n_train=args.train, n_test=args.test, seed=args.seed
        )
        log.info("%s: wrote %d files under %s", source, len(files), Path(args.root) / source)
