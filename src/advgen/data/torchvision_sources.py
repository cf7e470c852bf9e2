"""MNIST, Fashion-MNIST, CIFAR-10 and CelebA through torchvision's dataset classes.

The files live under ``root`` in torchvision's own layout (``root/MNIST/raw/*-idx?-ubyte``,
``root/cifar-10-batches-py/``, ``root/celeba/``). With ``download=True`` torchvision
fetches them (the ``download_data`` rule); with ``download: false`` the user points
``root`` at an existing copy. Missing files raise a :class:`~advgen.errors.AdvgenError`
that names the folder.

Loading checks that torchvision's files are there, not their MD5 sums: torchvision checks
the archive's MD5 when it downloads, and a copy in the same layout from elsewhere (a
mirror, or ``advgen fake-data`` for the paper-scale smoke test) loads as well. For the same
reason :func:`download` downloads nothing when the files are already in ``root``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from advgen.data.spec import DatasetSpec
from advgen.data.split import Split
from advgen.errors import AdvgenError


def _resize(images: torch.Tensor, size: int) -> torch.Tensor:
    if images.shape[-1] == size and images.shape[-2] == size:
        return images
    return F.interpolate(
        images, size=(size, size), mode="bilinear", antialias=True, align_corners=False
    ).clamp(0, 1)


def _missing(name: str, root: Path, exc: Exception) -> AdvgenError:
    return AdvgenError(
        f"{name}: data not found under '{root}' ({exc}); set download: true, or point "
        f"datasets.<name>.root at a folder in torchvision's layout"
    )


def _present_only(cls_name: str) -> type:
    """torchvision's dataset class ``cls_name`` with its MD5 table emptied (existence checks only)."""
    import torchvision.datasets as tvd

    base = getattr(tvd, cls_name)
    attrs: dict[str, Any] = {}
    if cls_name == "CIFAR10":
        attrs["train_list"] = [[name, None] for name, _ in base.train_list]
        attrs["test_list"] = [[name, None] for name, _ in base.test_list]
        attrs["meta"] = {**base.meta, "md5": None}
    elif cls_name == "CelebA":
        attrs["file_list"] = [(fid, None, name) for fid, _, name in base.file_list]
    # MNIST and FashionMNIST check only that the raw files exist; keep the class name, since
    # it names their folder (root/<ClassName>/raw)
    return type(cls_name, (base,), attrs) if attrs else base


def _mnist_like(cls_name: str, spec: DatasetSpec, root: Path, download: bool) -> tuple[Split, Split]:
    cls = _present_only(cls_name)
    if download:
        _fetch({"MNIST": "mnist", "FashionMNIST": "fashion_mnist"}[cls_name], root)
    out = []
    for train in (True, False):
        try:
            ds = cls(str(root), train=train, download=False)
        except RuntimeError as exc:
            raise _missing(cls_name, root, exc) from exc
        images = ds.data.unsqueeze(1).float().div(255.0)
        labels = ds.targets.long()
        out.append(Split(_resize(images, spec.image_size), labels, torch.arange(len(labels))))
    return out[0], out[1]


def load_mnist(spec: DatasetSpec, root: Path, download: bool) -> tuple[Split, Split]:
    """MNIST (LeCun et al. 1998): 60k/10k 28x28 grey digits, read from raw IDX files."""
    return _mnist_like("MNIST", spec, root, download)


def load_fashion_mnist(spec: DatasetSpec, root: Path, download: bool) -> tuple[Split, Split]:
    """Fashion-MNIST (Xiao et al. 2017): 60k/10k 28x28 grey clothing images, IDX files."""
    return _mnist_like("FashionMNIST", spec, root, download)


def load_cifar10(spec: DatasetSpec, root: Path, download: bool) -> tuple[Split, Split]:
    """CIFAR-10 (Krizhevsky 2009): 50k/10k 32x32 colour images, 10 classes."""
    cifar10 = _present_only("CIFAR10")
    if download:
        _fetch("cifar10", root)
    out = []
    for train in (True, False):
        try:
            ds = cifar10(str(root), train=train, download=False)
        except RuntimeError as exc:
            raise _missing("CIFAR10", root, exc) from exc
        images = torch.from_numpy(ds.data).permute(0, 3, 1, 2).float().div(255.0)
        labels = torch.tensor(ds.targets, dtype=torch.long)
        out.append(Split(_resize(images, spec.image_size), labels, torch.arange(len(labels))))
    return out[0], out[1]


def center_crop_resize(images: torch.Tensor, crop: int, size: int) -> torch.Tensor:
    """Center-crop (N, C, H, W) images to ``crop`` x ``crop`` and resize to ``size``.

    The DCGAN CelebA recipe (Radford et al. 2015): crop the 178x218 aligned faces to a
    centred 108 (or 140) square, then downscale to 64x64 (or 32x32).
    """
    h, w = images.shape[-2:]
    top, left = (h - crop) // 2, (w - crop) // 2
    return _resize(images[..., top : top + crop, left : left + crop], size)


def load_celeba(spec: DatasetSpec, root: Path, download: bool) -> tuple[Split, Split]:
    """CelebA (Liu et al. 2015), aligned faces, center-cropped; label = one binary attribute.

    ``spec.celeba_attribute`` is the label; the official partition
    gives train (0) and test (2). Images are decoded in chunks to bound memory.
    """
    import numpy as np
    from PIL import Image

    celeba = _present_only("CelebA")
    if download:
        _fetch("celeba", root)
    size, crop, attribute = spec.image_size, spec.center_crop, spec.celeba_attribute
    out = []
    for split in ("train", "test"):
        try:
            ds = celeba(str(root), split=split, target_type="attr", download=False)
        except RuntimeError as exc:
            raise _missing("CelebA", root, exc) from exc
        if attribute not in ds.attr_names:
            raise AdvgenError(f"celeba_attribute: unknown attribute '{attribute}'")
        col = ds.attr_names.index(attribute)
        folder = Path(ds.root) / ds.base_folder / "img_align_celeba"
        chunks = []
        for start in range(0, len(ds.filename), 4096):
            batch = [
                np.asarray(Image.open(folder / f).convert("RGB")) for f in ds.filename[start : start + 4096]
            ]
            t = torch.from_numpy(np.stack(batch)).permute(0, 3, 1, 2).float().div(255.0)
            chunks.append(center_crop_resize(t, crop, size))
        images = torch.cat(chunks)
        labels = ds.attr[:, col].long()
        out.append(Split(images, labels, torch.arange(len(labels))))
    return out[0], out[1]


CLASSES = {"mnist": "MNIST", "fashion_mnist": "FashionMNIST", "cifar10": "CIFAR10", "celeba": "CelebA"}


def _opened(cls: type, source: str, root: Path, download: bool) -> None:
    if source == "celeba":
        cls(str(root), split="all", target_type=[], download=download)
    else:
        for train in (True, False):
            cls(str(root), train=train, download=download)


def present(source: str, root: Path) -> bool:
    """Whether torchvision's files for ``source`` are all in ``root`` (existence, not MD5)."""
    try:
        _opened(_present_only(CLASSES[source]), source, root, download=False)
    except (RuntimeError, OSError):
        return False
    return True


def _fetch(source: str, root: Path) -> bool:
    """Download ``source`` with torchvision's own class (MD5-checked) unless present; True if it did."""
    import torchvision.datasets as tvd

    if source not in CLASSES:
        raise AdvgenError(f"source '{source}' has no downloader")
    root.mkdir(parents=True, exist_ok=True)
    if present(source, root):
        return False
    try:
        _opened(getattr(tvd, CLASSES[source]), source, root, download=True)
    except (RuntimeError, OSError) as exc:
        raise AdvgenError(f"{source}: download into '{root}' failed ({exc})") from exc
    return True


def download(source: str, root: Path) -> list[Path]:
    """Download ``source`` into ``root`` with torchvision, unless its files are there already.

    Returns the files present after.
    """
    _fetch(source, root)
    return sorted(p for p in root.rglob("*") if p.is_file())
