"""``advgen download-data``: fetch a torchvision dataset into ``resources/`` and write a receipt."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from advgen.commands._args import add_output

HELP = "download a dataset with torchvision into its root and write a JSON receipt"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", required=True, help="the dataset's config entry as JSON")
    add_output(p, "--receipt", required=True, help="output: JSON list of downloaded files and sizes")


def main(args: argparse.Namespace) -> None:
    from advgen.config import dataset_spec, parse_spec
    from advgen.data.torchvision_sources import download
    from advgen.io import write_json

    spec = dataset_spec(parse_spec(args.spec))
    root = Path(spec.folder)
    files = download(spec.source, root)
    log.info("downloaded %d files into %s", len(files), root)
    write_json(
        args.receipt,
        {"source": spec.source, "root": str(root), "files": {str(f): f.stat().st_size for f in files}},
    )
