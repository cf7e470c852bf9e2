"""Data stage: digits, torchvision's MNIST IDX layout on fake files, prepared splits."""

from __future__ import annotations

import gzip
import json
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from advgen.cli import main as cli_main
from advgen.config import dataset_spec, spec_json
from advgen.data.prepared import load_prepared
from advgen.data.registry import SOURCES, load_source, subsample
from advgen.data.spec import DatasetSpec
from advgen.data.split import Split
from advgen.data.torchvision_sources import center_crop_resize
from advgen.errors import AdvgenError, CheckpointError
from advgen.specs import spec_dict
from tests.jobs import job_argv, prepare_argv, prepare_splits


def digits_spec(**kw) -> DatasetSpec:
    spec = {"source": "digits", "image_size": 28, "test_fraction": 0.2, "split_seed": 0}
    spec.update(kw)
    return dataset_spec(spec)


def test_digits_shapes_ranges_and_split() -> None:
    train, test = load_source(digits_spec())
    assert train.images.shape == (1437, 1, 28, 28) and test.images.shape == (360, 1, 28, 28)
    assert train.images.dtype == torch.float32
    assert 0.0 <= float(train.images.min()) and float(train.images.max()) <= 1.0
    assert float(train.images.max()) > 0.9  # strokes reach full intensity
    assert set(train.labels.tolist()) == set(range(10))
    # disjoint, covering all 1,797 source images; stratified: every class ~20% in test
    all_idx = torch.cat([train.source_index, test.source_index])
    assert sorted(all_idx.tolist()) == list(range(1797))
    counts = torch.bincount(test.labels, minlength=10)
    assert counts.min() >= 34 and counts.max() <= 38


def test_digits_deterministic_and_seeded() -> None:
    a, _ = load_source(digits_spec())
    b, _ = load_source(digits_spec())
    c, _ = load_source(digits_spec(split_seed=1))
    assert torch.equal(a.images, b.images) and torch.equal(a.labels, b.labels)
    assert not torch.equal(a.source_index, c.source_index)


def test_digits_size_from_config() -> None:
    train, _ = load_source(digits_spec(image_size=32))
    assert train.images.shape[1:] == (1, 32, 32)
    native, _ = load_source(digits_spec(image_size=8))
    assert native.images.shape[1:] == (1, 8, 8)
    assert float(native.images.max()) == 1.0  # 16/16


def test_subsample_is_class_balanced_and_seeded() -> None:
    train, _ = load_source(digits_spec())
    sub = subsample(train, 50, seed=3)
    assert torch.bincount(sub.labels).tolist() == [5] * 10
    again = subsample(train, 50, seed=3)
    assert torch.equal(sub.source_index, again.source_index)
    assert subsample(train, None, 0) is train


# --- torchvision's raw MNIST IDX layout, written by hand ---------------------------------


def write_idx_images(path: Path, images: np.ndarray) -> None:
    n, h, w = images.shape
    path.write_bytes(struct.pack(">IIII", 0x00000803, n, h, w) + images.astype(np.uint8).tobytes())


def write_idx_labels(path: Path, labels: np.ndarray) -> None:
    path.write_bytes(struct.pack(">II", 0x00000801, len(labels)) + labels.astype(np.uint8).tobytes())


def make_fake_mnist(
    root: Path, folder: str = "MNIST", n_train: int = 30, n_test: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    raw = root / folder / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    out = []
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        write_idx_images(raw / f"{prefix}-images-idx3-ubyte", images)
        write_idx_labels(raw / f"{prefix}-labels-idx1-ubyte", labels)
        # torchvision also keeps the downloaded archives next to the raw files
        (raw / f"{prefix}-images-idx3-ubyte.gz").write_bytes(gzip.compress(b""))
        out.append((images, labels))
    return out[0], out[1]


@pytest.mark.parametrize(("source", "folder"), [("mnist", "MNIST"), ("fashion_mnist", "FashionMNIST")])
def test_idx_loader_on_fake_files(tmp_path: Path, source: str, folder: str) -> None:
    (train_images, train_labels), (test_images, test_labels) = make_fake_mnist(tmp_path, folder)
    spec = {"source": source, "image_size": 28, "root": str(tmp_path), "download": False}
    train, test = load_source(dataset_spec(spec))
    assert train.images.shape == (30, 1, 28, 28) and test.images.shape == (10, 1, 28, 28)
    np.testing.assert_allclose(train.images[:, 0].numpy(), train_images / 255.0, atol=1e-6)
    assert train.labels.tolist() == train_labels.tolist()
    assert test.labels.tolist() == test_labels.tolist()


def test_idx_loader_resizes(tmp_path: Path) -> None:
    make_fake_mnist(tmp_path)
    train, _ = load_source(dataset_spec({"source": "mnist", "image_size": 32, "root": str(tmp_path)}))
    assert train.images.shape == (30, 1, 32, 32)
    assert 0.0 <= float(train.images.min()) and float(train.images.max()) <= 1.0


def test_missing_mnist_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(AdvgenError, match=f"MNIST: data not found under '{tmp_path}'"):
        load_source(dataset_spec({"source": "mnist", "image_size": 28, "root": str(tmp_path)}))


def test_celeba_center_crop() -> None:
    faces = torch.rand(2, 3, 218, 178)
    faces[:, :, 109 - 70 : 109 + 70, 89 - 70 : 89 + 70] = 0.5  # the centred 140 square
    out = center_crop_resize(faces, 140, 64)
    assert out.shape == (2, 3, 64, 64)
    assert torch.allclose(out, torch.full_like(out, 0.5), atol=1e-5)


def test_registry_interface() -> None:
    assert set(SOURCES) == {"digits", "mnist_sample", "mnist", "fashion_mnist", "cifar10", "celeba"}
    assert SOURCES["cifar10"].channels == 3 and SOURCES["celeba"].default_size == 64
    with pytest.raises(ValueError):
        Split(torch.zeros(2, 28, 28), torch.zeros(2), torch.zeros(2))


def test_prepare_data_command_round_trip(tmp_path: Path) -> None:
    make_fake_mnist(tmp_path / "root")
    spec = {"source": "mnist", "image_size": 28, "root": str(tmp_path / "root"), "max_train": 20}
    out = tmp_path / "out"
    prepare_splits("fake", spec, out)
    manifest_spec = spec_json(spec_dict(dataset_spec(spec)))
    inputs = {"train": out / "train.pt", "test": out / "test.pt"}
    assert (
        cli_main(job_argv("data-manifest", manifest_spec, inputs, {"manifest": out / "manifest.parquet"}))
        == 0
    )
    train = load_prepared(out / "train.pt")
    assert len(train) == 20 and train.num_classes == 10 and train.image_shape == (1, 28, 28)
    assert train.images.dtype == torch.float32 and float(train.images.max()) <= 1.0
    manifest = pd.read_parquet(out / "manifest.parquet")
    assert list(manifest.columns) == ["index", "source_index", "label", "split", "description"]
    assert set(manifest["description"]) == {"MNIST"}
    assert manifest["split"].value_counts().to_dict() == {"train": 20, "test": 10}
    assert manifest.loc[manifest.split == "train", "label"].tolist() == train.labels.tolist()
    assert not list(out.glob(".*.tmp"))  # atomic writes leave no temporaries


def test_prepare_data_bad_root_fails_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = {"source": "mnist", "image_size": 28, "root": str(tmp_path / "nowhere")}
    out = tmp_path / "out"
    status = cli_main(prepare_argv("x", spec, "train", out / "train.pt"))
    assert status == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "MNIST: data not found" in err[0]
    assert not out.exists() or not any(out.iterdir())


def test_data_manifest_command_reads_the_two_splits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``advgen data-manifest``: the manifest of the two prepared splits equals the one made
    from the source itself; bad input is one line, exit status 2, no output."""
    from advgen.data.prepared import manifest
    from advgen.data.registry import SOURCES, load_source

    make_fake_mnist(tmp_path / "root")
    entry = {"source": "mnist", "image_size": 28, "root": str(tmp_path / "root"), "max_train": 20}
    out = tmp_path / "out"
    prepare_splits("fake", entry, out)
    train_split, test_split = load_source(dataset_spec(entry), download=False)
    expected = manifest({"train": train_split, "test": test_split}, SOURCES["mnist"].description)
    spec = spec_json(spec_dict(dataset_spec(entry)))
    result = out / "manifest.parquet"
    argv = [
        "data-manifest",
        "--spec",
        spec,
        "--input",
        f"train={out / 'train.pt'}",
        f"test={out / 'test.pt'}",
        "--output",
        f"manifest={result}",
    ]
    assert cli_main(argv) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(result), expected)
    result.unlink()
    legacy = tmp_path / "legacy.pt"  # a split written before source_index was kept
    torch.save({k: v for k, v in torch.load(out / "test.pt").items() if k != "source_index"}, legacy)
    for args, message in (
        ([*argv[:2], spec.replace('"max_test":null,', ""), *argv[3:]], "--spec: missing field 'max_test'"),
        ([*argv[:5], f"test={legacy}", *argv[6:]], f"{legacy}: checkpoint lacks key(s) source_index"),
    ):
        assert cli_main(args) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and message in err, err
        assert not result.exists()


def test_download_data_command_writes_a_receipt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``advgen download-data`` with the files in place: no download, a receipt of the files."""
    import torchvision.datasets as tvd

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("tried to download")

    monkeypatch.setattr(tvd.MNIST, "download", no_network)
    root = tmp_path / "root"
    make_fake_mnist(root)
    spec = spec_json(
        spec_dict(dataset_spec({"source": "mnist", "image_size": 28, "root": str(root), "download": True}))
    )
    receipt = tmp_path / "receipt.json"
    assert cli_main(["download-data", "--spec", spec, "--output", f"receipt={receipt}"]) == 0
    files = sorted(p for p in root.rglob("*") if p.is_file())
    assert json.loads(receipt.read_text()) == {
        "source": "mnist",
        "root": str(root),
        "files": {str(f): f.stat().st_size for f in files},
    }
    assert len(files) == 6


def test_corrupt_prepared_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "train.pt"
    bad.write_bytes(b"not a torch file")
    with pytest.raises(CheckpointError, match=f"{bad}: corrupt or not a torch file"):
        load_prepared(bad)
    with pytest.raises(CheckpointError, match="file not found"):
        load_prepared(tmp_path / "missing.pt")
    torch.save({"kind": "gan"}, bad)
    with pytest.raises(CheckpointError, match="expected a 'prepared_data' checkpoint"):
        load_prepared(bad)


def test_atomic_outputs_respect_umask(tmp_path: Path) -> None:
    import os

    from advgen.io import write_text

    old = os.umask(0o022)
    try:
        write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644
