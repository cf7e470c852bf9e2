"""scikit-learn's bundled handwritten digits (1,797 images, 8x8, 17 grey levels).

The offline default: no download. Images are scaled to [0, 1] and resized to
``image_size`` (bilinear, antialiased); the train/test split is stratified and seeded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from advgen.data.spec import DatasetSpec
from advgen.data.split import Split


def load(spec: DatasetSpec, root: Path, download: bool) -> tuple[Split, Split]:
    """Load, resize and split the digits (``root`` and ``download`` are unused)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    images = torch.from_numpy(bunch.images.astype(np.float32) / 16.0).unsqueeze(1)
    size = spec.image_size
    if size != 8:
        images = F.interpolate(
            images, size=(size, size), mode="bilinear", antialias=True, align_corners=False
        )
        images = images.clamp(0.0, 1.0)
    labels = torch.from_numpy(bunch.target.astype(np.int64))
    index = np.arange(len(labels))
    train_idx, test_idx = train_test_split(
        index,
        test_size=spec.test_fraction,
        random_state=spec.split_seed,
        stratify=bunch.target,
    )
    train_idx, test_idx = np.sort(train_idx), np.sort(test_idx)
    tr, te = torch.from_numpy(train_idx), torch.from_numpy(test_idx)
    return Split(images[tr], labels[tr], tr), Split(images[te], labels[te], te)
