"""The dataset registry: source name -> loader with a common signature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from advgen.data import digits, mnist_sample
from advgen.data import torchvision_sources as tv
from advgen.data.sizes import NUM_CLASSES
from advgen.data.sources import DATA_SOURCES
from advgen.data.spec import DatasetSpec
from advgen.data.split import Split
from advgen.errors import ConfigError


@dataclass(frozen=True)
class SourceInfo:
    """What a source is: channels, default image size, classes, and its loader.

    ``load(spec, root, download)`` returns ``(train, test)`` :class:`Split` objects at
    ``spec.image_size``. ``description`` names the data wherever results are shown (the
    data manifest carries it): the source's label in :data:`advgen.data.sources.DATA_SOURCES`.
    """

    name: str
    channels: int
    default_size: int
    num_classes: int
    downloadable: bool
    load: Callable[[DatasetSpec, Path, bool], tuple[Split, Split]]
    description: str


def _sources() -> dict[str, SourceInfo]:
    #: name -> (default size, loader); the rest is the source's entry in DATA_SOURCES
    loaders = {
        "digits": (28, digits.load),
        "mnist_sample": (28, mnist_sample.load),
        "mnist": (28, tv.load_mnist),
        "fashion_mnist": (28, tv.load_fashion_mnist),
        "cifar10": (32, tv.load_cifar10),
        "celeba": (64, tv.load_celeba),
    }
    return {
        name: SourceInfo(
            name,
            DATA_SOURCES[name].channels,
            size,
            NUM_CLASSES[name],
            not DATA_SOURCES[name].bundled,
            load,
            DATA_SOURCES[name].label,
        )
        for name, (size, load) in loaders.items()
    }


SOURCES: dict[str, SourceInfo] = _sources()


def load_source(spec: DatasetSpec, *, download: bool | None = None) -> tuple[Split, Split]:
    """Load ``(train, test)`` for a dataset spec (one entry of ``config["datasets"]``,
    :func:`advgen.data.spec.dataset_spec`); ``download`` overrides the spec's.

    The spec's ``max_train`` / ``max_test`` (if set) keep a seeded, class-stratified
    subset, so a tiny config trains on a balanced sample.
    """
    if spec.source not in SOURCES:
        raise ConfigError(f"datasets: unknown source '{spec.source}' (known: {', '.join(SOURCES)})")
    info = SOURCES[spec.source]
    want_download = spec.download if download is None else download
    train, test = info.load(spec, Path(spec.folder), want_download and info.downloadable)
    train = subsample(train, spec.max_train, spec.split_seed)
    test = subsample(test, spec.max_test, spec.split_seed + 1)
    return train, test


def subsample(split: Split, n: int | None, seed: int) -> Split:
    """A seeded subset of ``n`` examples, balanced over classes (round-robin), in source order."""
    if n is None or n >= len(split.labels):
        return split
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(len(split.labels), generator=g)
    labels = split.labels[perm]
    # rank of each example within its class, in permuted order: take low ranks first
    rank = torch.empty_like(labels)
    for c in labels.unique():
        idx = (labels == c).nonzero().squeeze(1)
        rank[idx] = torch.arange(len(idx))
    order = torch.argsort(rank * len(labels) + torch.arange(len(labels)), stable=True)
    keep = perm[order[:n]].sort().values
    return Split(split.images[keep], split.labels[keep], split.source_index[keep])
