"""The dataset registry: source name -> loader with a common signature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from advgen.data import digits, mnist_sample
from advgen.data import torchvision_sources as tv
from advgen.data.sizes import NUM_CLASSES
from advgen.data.split import Split
from advgen.errors import ConfigError


@dataclass(frozen=True)
class SourceInfo:
    """What a source is: channels, default image size, classes, and its loader.

    ``load(spec, root, download)`` returns ``(train, test)`` :class:`Split` objects at
    ``spec["image_size"]``. ``description`` names the data wherever results are shown (the
    data manifest carries it).
    """

    name: str
    channels: int
    default_size: int
    num_classes: int
    downloadable: bool
    load: Callable[[dict[str, Any], Path, bool], tuple[Split, Split]]
    description: str


def _sources() -> dict[str, SourceInfo]:
    n = NUM_CLASSES
    return {
        "digits": SourceInfo(
            "digits",
            1,
            28,
            n["digits"],
            False,
            digits.load,
            "scikit-learn digits (1,797 8x8 images, resized)",
        ),
        "mnist_sample": SourceInfo(
            "mnist_sample", 1, 28, n["mnist_sample"], False, mnist_sample.load, "MNIST, 5,000-digit sample"
        ),
        "mnist": SourceInfo("mnist", 1, 28, n["mnist"], True, tv.load_mnist, "MNIST"),
        "fashion_mnist": SourceInfo(
            "fashion_mnist", 1, 28, n["fashion_mnist"], True, tv.load_fashion_mnist, "Fashion-MNIST"
        ),
        "cifar10": SourceInfo("cifar10", 3, 32, n["cifar10"], True, tv.load_cifar10, "CIFAR-10"),
        "celeba": SourceInfo("celeba", 3, 64, n["celeba"], True, tv.load_celeba, "CelebA"),
    }


SOURCES: dict[str, SourceInfo] = _sources()


def load_source(spec: dict[str, Any], *, download: bool | None = None) -> tuple[Split, Split]:
    """Load ``(train, test)`` for a dataset spec (one entry of ``config["datasets"]``).

    The spec's ``max_train`` / ``max_test`` (if set) keep a seeded, class-stratified
    subset, so a tiny config trains on a balanced sample.
    """
    source = spec["source"]
    if source not in SOURCES:
        raise ConfigError(f"datasets: unknown source '{source}' (known: {', '.join(SOURCES)})")
    info = SOURCES[source]
    root = Path(spec.get("root") or f"resources/{source}")
    want_download = bool(spec.get("download", False)) if download is None else download
    train, test = info.load(spec, root, want_download and info.downloadable)
    seed = int(spec.get("split_seed", 0))
    train = subsample(train, spec.get("max_train"), seed)
    test = subsample(test, spec.get("max_test"), seed + 1)
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
