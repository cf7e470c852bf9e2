"""Tiny real-format data and specs for the generative-stage tests (seeded, fast)."""

from __future__ import annotations

from pathlib import Path

import pytest

from advgen.ae.spec import AeSpec
from advgen.gan.spec import GanSpec, complete_spec
from advgen.specs import typed_spec


@pytest.fixture
def tiny_split(tmp_path: Path) -> Path:
    """96 train / 48 test digits at 28 px, written as prepared splits in ``tmp_path``."""
    from advgen.config import dataset_spec
    from advgen.data import load_source, save_prepared

    spec = {
        "source": "digits",
        "image_size": 28,
        "max_train": 96,
        "max_test": 48,
        "split_seed": 0,
        "test_fraction": 0.2,
    }
    train, test = load_source(dataset_spec(spec))
    for split, name in ((train, "train"), (test, "test")):
        save_prepared(split, tmp_path / f"{name}.pt", dataset="digits", name=name, num_classes=10, spec=spec)
    return tmp_path


def gan_spec(**overrides: object) -> GanSpec:
    """A complete tiny GAN spec (mlp_small pair, z = 8, batch 16, 3 epochs)."""
    spec = {
        "dataset": "digits",
        "generator": "mlp_small",
        "discriminator": "mlp_small",
        "z_dim": 8,
        "batch_size": 16,
        "epochs": 3,
        "grid_size": 16,
        "seed": 0,
        **overrides,
    }
    return typed_spec(GanSpec, complete_spec(spec, "gan"))


def ae_spec(**overrides: object) -> AeSpec:
    """A complete tiny autoencoder spec (z = 6, width 4, batch 16, 3 epochs)."""
    base = {
        "dataset": "digits",
        "z_dim": 6,
        "width": 4,
        "batch_size": 16,
        "epochs": 3,
        "cdf_levels": 9,
        "n_novel": 8,
        "seed": 0,
    }
    return typed_spec(AeSpec, complete_spec({**base, **overrides}, "autoencoder"))
