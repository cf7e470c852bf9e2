"""The data stage's jobs (declared in :mod:`advgen.pipeline.jobkinds_data`).

- :func:`download_data`: fetch a torchvision dataset into its folder and write a JSON receipt
  (the files and their sizes);
- :func:`data_manifest`: a dataset's manifest (:func:`advgen.data.prepared.manifest`) from
  its two prepared splits, read from the files ``prepare_data`` wrote (no second load of the
  source).

Each takes its named inputs (name -> paths), its named outputs (name -> path) and its
:class:`~advgen.data.spec.DatasetSpec`, and writes its outputs atomically (:mod:`advgen.io`).
torch is imported inside the functions: the job-kind table imports this module while the
workflow is parsed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

from advgen.data.spec import DatasetSpec

log = logging.getLogger(__name__)


def download_data(inputs: Mapping[str, Sequence[str]], outputs: Mapping[str, str], spec: DatasetSpec) -> None:
    """Download ``spec.source`` into ``spec.folder``; the receipt (``outputs["receipt"]``) lists
    the files and their sizes."""
    from advgen.data.torchvision_sources import download
    from advgen.io import write_json

    root = Path(spec.folder)
    files = download(spec.source, root)
    log.info("downloaded %d files into %s", len(files), root)
    write_json(
        outputs["receipt"],
        {"source": spec.source, "root": str(root), "files": {str(f): f.stat().st_size for f in files}},
    )


def data_manifest(inputs: Mapping[str, Sequence[str]], outputs: Mapping[str, str], spec: DatasetSpec) -> None:
    """The manifest (``outputs["manifest"]``) of the prepared ``train`` and ``test`` splits:
    one row per image, and the description of ``spec.source``."""
    from advgen.data.prepared import load_prepared, manifest
    from advgen.data.registry import SOURCES
    from advgen.errors import CheckpointError
    from advgen.io import write_parquet

    files = {name: inputs[name][0] for name in ("train", "test")}
    splits = {name: load_prepared(path) for name, path in files.items()}
    for name, path in files.items():
        if splits[name].source_index is None:
            raise CheckpointError(f"{path}: checkpoint lacks key(s) source_index")
    write_parquet(manifest(splits, SOURCES[spec.source].description), outputs["manifest"])
