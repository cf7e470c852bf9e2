"""Datasets: one registry, one interface.

Every source returns images as float tensors in [0, 1], NCHW, with int64 labels and a
fixed train/test split (:class:`Split`). The ``prepare_data`` step writes each split once
to ``results/data/<dataset>/<split>.pt`` (:mod:`advgen.data.prepared`); every later stage
reads those files through :func:`load_prepared`.

Sources (``datasets.<name>.source`` in the config):

* ``digits``: scikit-learn's bundled 1,797 8x8 handwritten digits, resized (offline default).
* ``mnist``, ``fashion_mnist``, ``cifar10``, ``celeba``: torchvision downloaders.
"""

from advgen.data.prepared import PreparedSplit, load_prepared, save_prepared
from advgen.data.registry import SOURCES, Split, SourceInfo, load_source

__all__ = [
    "SOURCES",
    "PreparedSplit",
    "SourceInfo",
    "Split",
    "load_prepared",
    "load_source",
    "save_prepared",
]
