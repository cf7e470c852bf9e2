"""Small fake data sets in exactly the on-disk formats torchvision's downloaders leave.

No data set can be downloaded on the test machines, so the paper-scale workflow
(``config/paper.yaml``) is exercised on these instead (``make test-paper``). Each writer
produces the files torchvision's dataset class reads, under the same ``root`` that
:mod:`advgen.data.torchvision_sources` uses (``resources/<source>`` by default):

* MNIST / Fashion-MNIST (LeCun et al. 1998; Xiao et al. 2017): ``<root>/<Class>/raw/``
  with the four IDX files and their ``.gz`` archives, as ``MNIST.download`` leaves them.
* CIFAR-10 (Krizhevsky 2009): ``<root>/cifar-10-batches-py/`` with the python pickles
  ``data_batch_1..5``, ``test_batch`` and ``batches.meta``.
* CelebA (Liu et al. 2015): ``<root>/celeba/`` with ``img_align_celeba/*.jpg`` (178x218),
  ``list_attr_celeba.txt``, ``list_eval_partition.txt``, ``identity_CelebA.txt``,
  ``list_bbox_celeba.txt`` and ``list_landmarks_align_celeba.txt``.

The images are not noise: each class has a smooth random prototype (seeded), and an
example is its prototype shifted by a pixel or two plus noise, so classifiers and GANs
have something to learn. CelebA faces are drawn from their attributes (``Male`` gives a
beard band, ``Eyeglasses`` a dark band at eye level, ``Smiling`` a bright mouth,
``Blond_Hair`` a yellow fringe), so attribute classifiers can learn them too.

Each data set is written into a temporary folder beside it and moved into place once complete
(:func:`write_fake_source`), so a full disk never leaves a partial set. The files cannot match
torchvision's MD5 sums; the data stage loads torchvision layouts
checking only that the files exist (see :mod:`advgen.data.torchvision_sources`).
"""

from __future__ import annotations

import gzip
import os
import pickle
import shutil
import struct
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from advgen.data.sources import DATA_SOURCES
from advgen.errors import AdvgenError
from advgen.io import atomic_path, make_folder, remove_folders, remove_leftovers, write_bytes, write_text
from advgen.termination import deferred
from advgen.write_errors import write_error

CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
CELEBA_ATTRIBUTES = (
    "5_o_Clock_Shadow Arched_Eyebrows Attractive Bags_Under_Eyes Bald Bangs Big_Lips Big_Nose Black_Hair "
    "Blond_Hair Blurry Brown_Hair Bushy_Eyebrows Chubby Double_Chin Eyeglasses Goatee Gray_Hair Heavy_Makeup "
    "High_Cheekbones Male Mouth_Slightly_Open Mustache Narrow_Eyes No_Beard Oval_Face Pale_Skin Pointy_Nose "
    "Receding_Hairline Rosy_Cheeks Sideburns Smiling Straight_Hair Wavy_Hair Wearing_Earrings Wearing_Hat "
    "Wearing_Lipstick Wearing_Necklace Wearing_Necktie Young"
).split()
#: the downloaded sources (each has a fake writer here)
SOURCES = tuple(name for name, source in DATA_SOURCES.items() if not source.bundled)


def _prototypes(rng: np.random.Generator, n: int, channels: int, size: int, coarse: int = 7) -> np.ndarray:
    """``n`` smooth random images in [0, 1], (n, size, size, channels): coarse noise upsampled."""
    low = rng.random((n, coarse, coarse, channels))
    idx = np.linspace(0, coarse - 1, size)
    i0 = np.floor(idx).astype(int)
    i1 = np.minimum(i0 + 1, coarse - 1)
    w = (idx - i0)[None, :, None, None]
    rows = low[:, i0] * (1 - w) + low[:, i1] * w
    w = (idx - i0)[None, None, :, None]
    img = rows[:, :, i0] * (1 - w) + rows[:, :, i1] * w
    # sharpen into strokes / blobs so classes differ clearly
    return np.clip((img - 0.45) * 3.0, 0.0, 1.0)


def _class_images(
    rng: np.random.Generator, protos: np.ndarray, labels: np.ndarray, noise: float
) -> np.ndarray:
    """uint8 images: each label's prototype rolled by up to 2 pixels, plus Gaussian noise."""
    out = np.empty((len(labels), *protos.shape[1:]), dtype=np.uint8)
    for i, label in enumerate(labels):
        dy, dx = rng.integers(-2, 3, size=2)
        img = np.roll(protos[label], (int(dy), int(dx)), axis=(0, 1))
        img = img * rng.uniform(0.8, 1.0) + rng.normal(0.0, noise, img.shape)
        out[i] = np.clip(img * 255.0, 0, 255).round().astype(np.uint8)
    return out


def _balanced_labels(rng: np.random.Generator, n: int, classes: int = 10) -> np.ndarray:
    return rng.permutation(np.arange(n) % classes).astype(np.uint8)


def _idx(data: np.ndarray) -> bytes:
    """IDX encoding (LeCun's MNIST format): magic 0x0000 08 <ndim>, big-endian dims, uint8 data."""
    header = struct.pack(">HBB", 0, 0x08, data.ndim) + struct.pack(f">{data.ndim}I", *data.shape)
    return header + np.ascontiguousarray(data, dtype=np.uint8).tobytes()


def write_mnist_like(root: Path, folder: str, *, n_train: int, n_test: int, seed: int) -> list[Path]:
    """Write ``<root>/<folder>/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]``."""
    rng = np.random.default_rng(seed)
    protos = _prototypes(rng, 10, 1, 28)
    raw = Path(root) / folder / "raw"
    written = []
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = _balanced_labels(rng, n)
        images = _class_images(rng, protos, labels, noise=0.1)[..., 0]
        for name, data in ((f"{prefix}-images-idx3-ubyte", images), (f"{prefix}-labels-idx1-ubyte", labels)):
            blob = _idx(data)
            write_bytes(raw / name, blob)
            write_bytes(raw / f"{name}.gz", gzip.compress(blob, mtime=0))
            written += [raw / name, raw / f"{name}.gz"]
    return written


def write_cifar10(root: Path, *, n_train: int, n_test: int, seed: int) -> list[Path]:
    """Write ``<root>/cifar-10-batches-py/`` as the extracted ``cifar-10-python.tar.gz``."""
    rng = np.random.default_rng(seed)
    protos = _prototypes(rng, 10, 3, 32, coarse=8)
    folder = Path(root) / "cifar-10-batches-py"
    per_batch = -(-n_train // 5)
    batches = [(f"data_batch_{i + 1}", min(per_batch, n_train - i * per_batch)) for i in range(5)]
    written = []
    for name, n in [*batches, ("test_batch", n_test)]:
        labels = _balanced_labels(rng, n)
        images = _class_images(rng, protos, labels, noise=0.08)  # N, H, W, C
        entry = {
            "batch_label": name.replace("_", " "),
            "labels": [int(v) for v in labels],
            "data": images.transpose(0, 3, 1, 2).reshape(n, 3 * 32 * 32),  # row-major R, G, B planes
            "filenames": [f"fake_{name}_{i:05d}.png" for i in range(n)],
        }
        write_bytes(folder / name, pickle.dumps(entry, protocol=2))
        written.append(folder / name)
    meta = {"num_cases_per_batch": per_batch, "label_names": CIFAR10_CLASSES, "num_vis": 3072}
    write_bytes(folder / "batches.meta", pickle.dumps(meta, protocol=2))
    write_text(folder / "readme.html", "<p>advgen fake-data: not CIFAR-10, same format.</p>\n")
    return [*written, folder / "batches.meta"]


def _face(rng: np.random.Generator, attrs: dict[str, bool]) -> np.ndarray:
    """One 218x178 RGB uint8 face drawn from its attributes."""
    h, w = 218, 178
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    bg = rng.uniform(0.2, 0.9, 3)
    img = np.broadcast_to(bg, (h, w, 3)).copy()
    cy, cx = 121 + rng.normal(0, 2), 89 + rng.normal(0, 2)
    ry, rx = 52.0, 40.0 + (4.0 if attrs["Male"] else 0.0)
    face = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1.0
    skin = np.array([0.85, 0.68, 0.55]) * rng.uniform(0.8, 1.05)
    img[face] = skin
    hair = (((yy - (cy - 30)) / 35) ** 2 + ((xx - cx) / (rx + 6)) ** 2 <= 1.0) & (yy < cy - 25)
    img[hair] = [0.85, 0.75, 0.3] if attrs["Blond_Hair"] else [0.15, 0.1, 0.08]
    if attrs["Male"]:  # beard band on the lower face
        img[face & (yy > cy + 22)] = [0.3, 0.22, 0.18]
    eyes_y = cy - 8
    if attrs["Eyeglasses"]:
        img[face & (np.abs(yy - eyes_y) < 6)] = [0.05, 0.05, 0.05]
    else:
        for ex in (cx - 16, cx + 16):
            img[((yy - eyes_y) ** 2 + (xx - ex) ** 2) < 16] = [0.1, 0.1, 0.2]
    mouth_w = 18 if attrs["Smiling"] else 10
    mouth = (np.abs(yy - (cy + 16)) < (4 if attrs["Smiling"] else 2)) & (np.abs(xx - cx) < mouth_w)
    img[mouth] = [0.95, 0.9, 0.9] if attrs["Smiling"] else [0.6, 0.25, 0.25]
    img += rng.normal(0.0, 0.03, img.shape)
    return np.clip(img * 255.0, 0, 255).round().astype(np.uint8)


def write_celeba(root: Path, *, n_train: int, n_valid: int, n_test: int, seed: int) -> list[Path]:
    """Write ``<root>/celeba/`` as ``torchvision.datasets.CelebA`` expects it (aligned JPEGs + lists)."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    folder = Path(root) / "celeba"
    images = (
        folder / "img_align_celeba"
    )  # created by atomic_path (a full disk or a file in the way: one line)
    n = n_train + n_valid + n_test
    names = [f"{i + 1:06d}.jpg" for i in range(n)]
    attr = rng.random((n, len(CELEBA_ATTRIBUTES))) < 0.5
    col = {a: i for i, a in enumerate(CELEBA_ATTRIBUTES)}
    attr[:, col["Male"]] = np.arange(n) % 2 == 0  # balanced label
    attr[:, col["No_Beard"]] = ~attr[:, col["Male"]]
    attr[:, col["Wearing_Lipstick"]] &= ~attr[:, col["Male"]]
    partition = np.array([0] * n_train + [1] * n_valid + [2] * n_test)
    for name, row in zip(names, attr):
        face = _face(rng, {a: bool(row[col[a]]) for a in ("Male", "Blond_Hair", "Eyeglasses", "Smiling")})
        with atomic_path(images / name) as tmp:
            Image.fromarray(face).save(tmp, format="JPEG", quality=90)
    signs = np.where(attr, " 1", "-1")
    files = {
        "list_attr_celeba.txt": [str(n), " ".join(CELEBA_ATTRIBUTES)]
        + [f"{name} " + " ".join(s) for name, s in zip(names, signs)],
        "list_eval_partition.txt": [f"{name} {p}" for name, p in zip(names, partition)],
        "identity_CelebA.txt": [f"{name} {1 + i // 4}" for i, name in enumerate(names)],
        "list_bbox_celeba.txt": [str(n), "image_id x_1 y_1 width height"]
        + [f"{name} 95 71 226 313" for name in names],
        "list_landmarks_align_celeba.txt": [
            str(n),
            "lefteye_x lefteye_y righteye_x righteye_y nose_x nose_y leftmouth_x leftmouth_y rightmouth_x rightmouth_y",
        ]
        + [f"{name} 73 113 105 113 89 129 76 137 102 137" for name in names],
    }
    for fname, lines in files.items():
        write_text(folder / fname, "\n".join(lines) + "\n")
    return [images / name for name in names] + [folder / f for f in files]


def write_fake_source(
    source: str, root: Path, *, n_train: int = 1000, n_test: int = 200, seed: int = 0
) -> list[Path]:
    """Write one fake ``source`` (``mnist``, ``fashion_mnist``, ``cifar10``, ``celeba``) under ``root``.

    ``root`` is the data set's own root (``resources/<source>`` in the workflow's default
    layout). CelebA gets ``n_test`` validation images as well. Returns the files written.
    """
    root = Path(root)
    writers = {
        "mnist": lambda r: write_mnist_like(r, "MNIST", n_train=n_train, n_test=n_test, seed=seed),
        "fashion_mnist": lambda r: write_mnist_like(
            r, "FashionMNIST", n_train=n_train, n_test=n_test, seed=seed + 1
        ),
        "cifar10": lambda r: write_cifar10(r, n_train=n_train, n_test=n_test, seed=seed + 2),
        "celeba": lambda r: write_celeba(r, n_train=n_train, n_valid=n_test, n_test=n_test, seed=seed + 3),
    }
    if source not in writers:
        raise ValueError(f"no fake writer for source '{source}' (known: {', '.join(SOURCES)})")
    return _staged(root, writers[source])


#: the prefix of the temporary folder the data sets are written into
STAGING = ".fake-data."


def _staged(root: Path, write: Callable[[Path], list[Path]]) -> list[Path]:
    """Run ``write`` into a temporary folder inside ``root``, then move every file it wrote into
    place: a full disk or an error part-way leaves no partial data set (a previous one stays
    whole), and a SIGTERM removes the folder, or waits until its files are all moved."""
    staging: Path | None = None
    created: list[Path] = []
    done = False
    try:
        with deferred():  # the folder exists only once the clean-up below will remove it
            try:
                created = make_folder(root)
                staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=root))
            except OSError as exc:  # a full disk, a read-only folder: one line
                remove_folders(created)
                raise write_error(root, exc) or exc from None
        try:
            files = write(staging)
        except AdvgenError as exc:  # name the file as it would be in place
            raise AdvgenError(str(exc).replace(str(staging), str(root))) from None
        with deferred():
            for path in sorted(p for p in staging.rglob("*") if p.is_file()):
                dest = root / path.relative_to(staging)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, dest)
            done = True
        remove_leftovers(root, STAGING)  # the staging folder of a SIGKILLed run
        return [root / path.relative_to(staging) for path in files]
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if not done:  # nothing put in place: no empty folder either
            remove_folders(created)
