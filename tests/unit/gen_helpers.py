"""Tiny real-format data and specs for the generative-stage tests (seeded, fast)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from advgen.ae.spec import AeSpec
from advgen.gan.spec import GanSpec, complete_spec
from advgen.specs import typed_spec


def write_digits_split(folder: Path, *, max_train: int, max_test: int) -> Path:
    """scikit-learn's digits at 28 px (``max_train`` / ``max_test`` images), written as the
    prepared splits ``train.pt`` and ``test.pt`` in ``folder``."""
    from advgen.config import dataset_spec
    from advgen.data.prepared import save_prepared
    from advgen.data.registry import load_source

    spec = {
        "source": "digits",
        "image_size": 28,
        "max_train": max_train,
        "max_test": max_test,
        "split_seed": 0,
        "test_fraction": 0.2,
    }
    train, test = load_source(dataset_spec(spec))
    for split, name in ((train, "train"), (test, "test")):
        save_prepared(split, folder / f"{name}.pt", dataset="digits", name=name, num_classes=10, spec=spec)
    return folder


def write_fc10_classifier(path: Path) -> Path:
    """A classifier checkpoint at ``path``: an untrained fc10 on 28 px digits, seeded (torch seed 0)."""
    import torch

    from advgen.classifiers.checkpoint import checkpoint_dict, save_classifier
    from advgen.classifiers.zoo import build_classifier

    torch.manual_seed(0)
    model = build_classifier("fc10", [1, 28, 28], 10, 1.0)
    kwargs = {"in_shape": [1, 28, 28], "num_classes": 10, "width": 1.0}
    save_classifier(
        path,
        checkpoint_dict(
            model, name="c", arch="fc10", arch_kwargs=kwargs, config={"arch": "fc10"}, epoch=1, rng=None
        ),
    )
    return path


def write_conv_autoencoder(path: Path, shape: list[int], z_dim: int, **extra: object) -> Path:
    """An autoencoder checkpoint at ``path`` as train-ae writes it, of an untrained conv
    autoencoder (width 4; weights from torch's global generator), with the ``extra`` keys."""
    from advgen.checkpoints import save_torch
    from advgen.models.registry import build_autoencoder

    ae = build_autoencoder("conv", shape, z_dim, {"width": 4})
    model = {"arch": "conv", "kwargs": {"width": 4}, "z_dim": z_dim, "image_shape": shape}
    save_torch({"kind": "autoencoder", "model": model, "state": ae.state_dict(), **extra}, path)
    return path


@pytest.fixture
def tiny_split(tmp_path: Path) -> Path:
    """96 train / 48 test digits at 28 px, written as prepared splits in ``tmp_path``."""
    return write_digits_split(tmp_path, max_train=96, max_test=48)


#: a tiny GAN's spec as a config entry gives it (mlp_small pair, z = 8, batch 16, 3 epochs)
TINY_GAN = {
    "dataset": "digits",
    "generator": "mlp_small",
    "discriminator": "mlp_small",
    "z_dim": 8,
    "batch_size": 16,
    "epochs": 3,
    "grid_size": 16,
    "seed": 0,
}
#: a tiny autoencoder's spec as a config entry gives it (z = 6, width 4, batch 16, 3 epochs)
TINY_AE = {
    "dataset": "digits",
    "z_dim": 6,
    "width": 4,
    "batch_size": 16,
    "epochs": 3,
    "cdf_levels": 9,
    "n_novel": 8,
    "seed": 0,
}


def gan_spec(**overrides: object) -> GanSpec:
    """A complete tiny GAN spec (:data:`TINY_GAN` with ``overrides``)."""
    return typed_spec(GanSpec, complete_spec({**TINY_GAN, **overrides}, "gan"))


def ae_spec(**overrides: object) -> AeSpec:
    """A complete tiny autoencoder spec (:data:`TINY_AE` with ``overrides``)."""
    return typed_spec(AeSpec, complete_spec({**TINY_AE, **overrides}, "autoencoder"))


def losses(outputs) -> tuple[list[str], object]:
    """Each run's losses table (``outputs``: GanOutputs or AeOutputs) without its counters and
    clock: (columns, an array of runs x iterations x columns)."""
    import numpy as np
    import pandas as pd

    frames = [pd.read_parquet(o.losses) for o in outputs]
    skip = ("iteration", "epoch", "factor")
    cols = [c for c in frames[0].columns if c not in skip and not c.endswith("seconds")]
    return cols, np.stack([f[cols].to_numpy(dtype=float) for f in frames])


def assert_within_seed_spread(stacked, sequential, fraction: float = 0.1) -> None:
    """Each of two seeds' stacked runs stays, column by column, within ``fraction`` of the
    distance between the two seeds' sequential runs (their largest difference over the run)."""
    import numpy as np

    cols, a = losses(stacked)
    _, b = losses(sequential)
    apart = np.abs(b[0] - b[1]).max(axis=0)  # two seeds
    for col, drift, seeds_apart in zip(cols, np.abs(a - b).max(axis=(0, 1)), apart, strict=True):
        assert drift <= fraction * seeds_apart, (col, drift, seeds_apart)


#: the devices the stacked levers' tests run on: the CPU, and CUDA where there is one
#: (scripts/gpu/device_check.sh's tests step runs the ``cuda`` cases)
DEVICES = [
    "cpu",
    pytest.param(
        "cuda",
        marks=[
            pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
            pytest.mark.cuda,
        ],
    ),
]


def layout_querying_batch_norm(monkeypatch) -> None:
    """Batch norm that, as torch's CUDA batch norm does (cuDNN's path), asks whether an input whose
    strides look NHWC is channels_last-contiguous: under vmap the question raises "NYI: querying
    is_contiguous inside of vmap", outside it nothing changes."""
    import torch.nn.functional as F

    original = F.batch_norm

    def asking(input, *args, **kwargs):
        if input.dim() == 4 and input.size(1) > 1 and input.stride(1) == 1:  # NHWC strides
            input.is_contiguous(memory_format=torch.channels_last)
        return original(input, *args, **kwargs)

    monkeypatch.setattr(F, "batch_norm", asking)
