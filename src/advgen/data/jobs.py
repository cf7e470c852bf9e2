"""The data stage's jobs (declared in :mod:`advgen.pipeline.jobkinds_data`).

- :func:`download_data`: fetch a torchvision dataset into its folder and write a JSON receipt
  (the files and their sizes);
- :func:`prepare_split`: one prepared split (``results/data/<name>/<split>.pt``) from the
  source, read from its folder (never downloaded here: ``download_data`` did);
- :func:`data_manifest`: a dataset's manifest (:func:`advgen.data.prepared.manifest`) from
  its two prepared splits, read from the files ``prepare_data`` wrote (no second load of the
  source).

Each takes its named inputs and outputs (:class:`advgen.jobfiles.Files`) and its spec (a
:class:`~advgen.data.spec.DatasetSpec`, or the split's :class:`~advgen.data.spec.PreparedSplitSpec`),
and writes its outputs atomically (:mod:`advgen.io`).
torch is imported inside the functions: the job-kind table imports this module while the
workflow is parsed.
"""

from __future__ import annotations

import logging
from pathlib import Path

from advgen.data.spec import DatasetSpec, PreparedSplitSpec
from advgen.jobfiles import Files

log = logging.getLogger(__name__)


def download_data(inputs: Files, outputs: Files, spec: DatasetSpec) -> None:
    """Download ``spec.source`` into ``spec.folder``; the receipt (output ``receipt``) lists
    the files and their sizes."""
    from advgen.data.torchvision_sources import download
    from advgen.io import write_json

    root = Path(spec.folder)
    files = download(spec.source, root)
    log.info("downloaded %d files into %s", len(files), root)
    write_json(
        outputs.one("receipt"),
        {"source": spec.source, "root": str(root), "files": {str(f): f.stat().st_size for f in files}},
    )


def prepare_split(inputs: Files, outputs: Files, spec: PreparedSplitSpec) -> None:
    """Write split ``spec.split`` of the dataset (output ``split``): its images quantised to
    uint8, labels and source indices, and the entry it was made from (:meth:`PreparedSplitSpec.entry`)."""
    from advgen.data.prepared import save_prepared
    from advgen.data.registry import SOURCES, load_source
    from advgen.data.sizes import split_problem
    from advgen.errors import ConfigError

    problem = split_problem(spec.dataset)  # as the config check: every split holds every class
    if problem is not None:
        raise ConfigError(f"--spec: dataset.{problem[0]}: {problem[1]}")
    train, test = load_source(spec.dataset, download=False)
    split = train if spec.split == "train" else test
    info = SOURCES[spec.dataset.source]
    save_prepared(
        split,
        outputs.one("split"),
        dataset=spec.name,
        name=spec.split,
        num_classes=info.num_classes,
        spec=spec.entry(),
    )
    log.info(
        "%s/%s: %d images of shape %s",
        spec.name,
        spec.split,
        len(split.labels),
        tuple(split.images.shape[1:]),
    )


def data_manifest(inputs: Files, outputs: Files, spec: DatasetSpec) -> None:
    """The manifest (output ``manifest``) of the prepared ``train`` and ``test`` splits:
    one row per image, and the description of ``spec.source``."""
    from advgen.data.prepared import load_prepared, manifest
    from advgen.data.registry import SOURCES
    from advgen.errors import CheckpointError
    from advgen.io import write_parquet

    files = {name: inputs.one(name) for name in ("train", "test")}
    splits = {name: load_prepared(path) for name, path in files.items()}
    for name, path in files.items():
        if splits[name].source_index is None:
            raise CheckpointError(f"{path}: checkpoint lacks key(s) source_index")
        _check_split_of(splits[name], name, spec, path)
    if splits["train"].dataset != splits["test"].dataset:
        raise CheckpointError(
            f"{files['test']}: a split of dataset '{splits['test'].dataset}', but {files['train']} is one of "
            f"'{splits['train'].dataset}': a manifest describes the two splits of one dataset"
        )
    write_parquet(manifest(splits, SOURCES[spec.source].description), outputs.one("manifest"))


def _check_split_of(split: object, name: str, spec: DatasetSpec, path: str) -> None:
    """``split`` (a loaded prepared split) is split ``name`` of the dataset ``spec`` describes:
    made from the same entry (:meth:`PreparedSplitSpec.entry`), else one line naming the file
    and the first key that differs."""
    from advgen.data.spec import OTHER_CAP
    from advgen.errors import CheckpointError
    from advgen.specs import spec_dict

    if getattr(split, "split", name) != name:
        raise CheckpointError(f"{path}: holds the {getattr(split, 'split', '?')} split, given as {name}")
    made = dict(getattr(split, "spec", {}) or {})
    wanted = {k: v for k, v in spec_dict(spec).items() if k != OTHER_CAP[name]}
    if not made:
        return  # a split written before its entry was recorded: nothing to compare
    for key in sorted(set(made) & set(wanted)):  # keys a split left out (older files, tests): not compared
        if made[key] != wanted[key]:
            raise CheckpointError(
                f"{path}: the {name} split was prepared with {key}={made[key]!r}, this manifest's spec "
                f"has {key}={wanted[key]!r}: its splits come from another dataset or other settings"
            )
