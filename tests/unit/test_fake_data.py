"""Fake data sets in torchvision's on-disk formats (advgen.data.fake_sources, `advgen fake-data`)."""

from __future__ import annotations

import gzip
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision.datasets as tvd

from advgen.cli import main as cli_main
from advgen.config import dataset_spec
from advgen.data import torchvision_sources as tvs
from advgen.data.fake_sources import CELEBA_ATTRIBUTES, write_fake_source
from advgen.data.registry import load_source


@pytest.fixture(scope="module")
def fake_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("resources")
    for source in ("mnist", "fashion_mnist", "cifar10"):
        write_fake_source(source, root / source, n_train=60, n_test=20, seed=0)
    write_fake_source("celeba", root / "celeba", n_train=16, n_test=6, seed=0)
    return root


@pytest.mark.parametrize("cls,source", [(tvd.MNIST, "mnist"), (tvd.FashionMNIST, "fashion_mnist")])
def test_idx_files_load_with_torchvision(fake_root: Path, cls: type, source: str) -> None:
    train, test = cls(str(fake_root / source), train=True), cls(str(fake_root / source), train=False)
    assert tuple(train.data.shape) == (60, 28, 28) and tuple(test.data.shape) == (20, 28, 28)
    assert train.data.dtype == torch.uint8
    assert torch.bincount(train.targets, minlength=10).tolist() == [6] * 10
    raw = fake_root / source / cls.__name__ / "raw"
    # the .gz archives are what torchvision downloads; the plain files what it extracts
    for name in ("train-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        assert gzip.decompress((raw / f"{name}.gz").read_bytes()) == (raw / name).read_bytes()


def test_cifar_pickles_have_torchvision_keys(fake_root: Path) -> None:
    folder = fake_root / "cifar10" / "cifar-10-batches-py"
    names = {p.name for p in folder.iterdir()}
    assert {f"data_batch_{i}" for i in range(1, 6)} | {"test_batch", "batches.meta"} <= names
    with open(folder / "data_batch_1", "rb") as f:
        entry = pickle.load(f, encoding="latin1")
    assert entry["data"].dtype == np.uint8 and entry["data"].shape == (12, 3072)
    ds = tvs._present_only("CIFAR10")(str(fake_root / "cifar10"), train=True)
    assert ds.data.shape == (60, 32, 32, 3) and len(ds.targets) == 60 and ds.classes[0] == "airplane"
    # torchvision's own class refuses them only on its MD5 sums, which fake files cannot match
    with pytest.raises(RuntimeError, match="corrupted"):
        tvd.CIFAR10(str(fake_root / "cifar10"), train=True)


def test_celeba_files_load_with_torchvision(fake_root: Path) -> None:
    ds = tvs._present_only("CelebA")(
        str(fake_root / "celeba"), split="train", target_type=["attr", "identity"]
    )
    assert len(ds) == 16 and ds.attr_names == CELEBA_ATTRIBUTES
    image, (attr, _identity) = ds[0]
    assert image.size == (178, 218) and image.mode == "RGB"
    assert set(ds.attr.unique().tolist()) <= {0, 1}
    assert len(tvs._present_only("CelebA")(str(fake_root / "celeba"), split="valid")) == 6


@pytest.mark.parametrize(
    "source,size,channels",
    [("mnist", 28, 1), ("fashion_mnist", 28, 1), ("cifar10", 32, 3), ("celeba", 64, 3)],
)
def test_data_stage_reads_fake_files(fake_root: Path, source: str, size: int, channels: int) -> None:
    spec = {"source": source, "root": str(fake_root / source), "image_size": size, "download": False}
    train, test = load_source(dataset_spec(spec))
    assert train.images.shape[1:] == (channels, size, size) and len(test.labels) > 0
    assert 0.0 <= float(train.images.min()) and float(train.images.max()) <= 1.0


@pytest.mark.parametrize("source", ["mnist", "cifar10", "celeba"])
def test_classes_are_learnable(fake_root: Path, source: str) -> None:
    """A nearest-class-mean classifier separates the fake classes (structure, not noise)."""
    spec = {"source": source, "root": str(fake_root / source), "image_size": 28 if source == "mnist" else 32}
    train, test = load_source(dataset_spec(spec), download=False)
    x, y = train.images.flatten(1), train.labels
    means = torch.stack([x[y == c].mean(0) for c in y.unique()])
    pred = y.unique()[torch.cdist(test.images.flatten(1), means).argmin(1)]
    assert (pred == test.labels).float().mean() >= 0.8


def test_download_skips_present_files(fake_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("tried to download")

    for cls in (tvd.MNIST, tvd.CIFAR10, tvd.CelebA):
        monkeypatch.setattr(cls, "download", no_network)
    for source in ("mnist", "cifar10", "celeba"):
        files = tvs.download(source, fake_root / source)
        assert files and all(f.is_file() for f in files)


def test_present_is_false_without_files(tmp_path: Path) -> None:
    assert not tvs.present("cifar10", tmp_path) and not tvs.present("celeba", tmp_path)


def test_fake_data_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["fake-data", "--root", str(tmp_path), "--sources", "mnist", "--train", "10", "--test", "10"]
    assert cli_main(argv) == 0
    assert len(tvd.MNIST(str(tmp_path / "mnist"), train=False)) == 10
    assert cli_main([*argv[:-1], "3"]) == 2
    assert "at least 10" in capsys.readouterr().err


def test_fake_data_is_seeded(tmp_path: Path) -> None:
    a = write_fake_source("mnist", tmp_path / "a", n_train=10, n_test=10, seed=3)
    b = write_fake_source("mnist", tmp_path / "b", n_train=10, n_test=10, seed=3)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
