"""Sample-grid figures: the training stages' PNG grids, upscaled by pixel repetition
(nearest neighbour, never interpolated) and laid out as small multiples with titles.

These are the only figures whose inputs are images rather than Parquet tables: the GAN
stage writes one fixed-noise grid per epoch (``samples/epoch_NNN.png``) and the
autoencoder stage a grid of decoded ``z ~ N(0, I)`` (``novel.png``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from advgen.errors import AdvgenError
from advgen.plots import style

_EPOCH = re.compile(r"epoch_(\d+)\.png$")


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Repeat every pixel ``factor`` times along both axes (nearest neighbour: no blur)."""
    if factor < 1:
        raise ValueError("the upscale factor must be >= 1")
    return image.repeat(factor, axis=0).repeat(factor, axis=1)


def read_png(path: str | Path) -> np.ndarray:
    """A PNG as an array in [0, 1], (H, W) for grey images and (H, W, 3|4) for colour."""
    from PIL import Image

    try:
        with Image.open(path) as img:
            img.load()
            mode = "L" if img.mode in ("L", "1", "I", "I;16") else "RGB"
            arr = np.asarray(img.convert(mode), dtype=np.float32) / 255.0
    except FileNotFoundError as exc:
        raise AdvgenError(f"{path}: image not found") from exc
    except OSError as exc:
        raise AdvgenError(f"{path}: not a readable PNG ({exc})") from exc
    if arr.ndim == 3 and np.allclose(arr[..., 0], arr[..., 1]) and np.allclose(arr[..., 1], arr[..., 2]):
        arr = arr[..., 0]  # torchvision saves grey grids as RGB
    return arr


def epoch_grids(folder: str | Path) -> list[tuple[int, Path]]:
    """``(epoch, path)`` of the ``epoch_NNN.png`` files in ``folder``, sorted by epoch."""
    found = sorted(
        (int(m.group(1)), p) for p in Path(folder).glob("epoch_*.png") if (m := _EPOCH.search(p.name))
    )
    if not found:
        raise AdvgenError(f"{folder}: no epoch_NNN.png sample grids found")
    return found


def pick_evenly(items: Sequence, count: int) -> list:
    """``count`` items spread evenly over ``items``, always including the first and last."""
    if count >= len(items):
        return list(items)
    if count <= 1:
        return [items[-1]]
    idx = np.unique(np.round(np.linspace(0, len(items) - 1, count)).astype(int))
    return [items[i] for i in idx]


def _show(ax, image: np.ndarray, scale: int) -> None:
    big = upscale(image, scale)
    ax.imshow(
        big, cmap="gray" if big.ndim == 2 else None, vmin=0, vmax=1, interpolation="nearest", resample=False
    )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)


def sample_grids(
    grids: Sequence[tuple[str, str | Path]],
    paths: Sequence[str | Path],
    *,
    experiment: str,
    what: str,
    scale: int = 2,
    columns: int = 3,
    dpi: int = 150,
) -> None:
    """Small multiples of sample-grid PNGs, each titled (e.g. ``"epoch 10"``).

    Args:
        grids: ``(panel title, png path)`` pairs, in display order.
        scale: pixel repetition factor (nearest neighbour).
        columns: panels per row.
    """
    if not grids:
        raise AdvgenError(f"{experiment}: no sample grids to show")
    images = [(t, read_png(p)) for t, p in grids]
    columns = min(columns, len(images))
    rows = -(-len(images) // columns)
    h, w = images[0][1].shape[:2]
    panel = 3.6 * min(1.0, max(w, h) / 250) + 1.4
    with style.figure(rows, columns, size=(max(panel * columns, 6.0), panel * h / w * rows + 0.8)) as (
        fig,
        axes,
    ):
        for ax in axes.flat:
            ax.axis("off")
        for ax, (label, img) in zip(axes.flat, images):
            ax.axis("on")
            _show(ax, img, scale)
            ax.set_title(label)
        style.title(fig, experiment, what)
        # pixel-exact rendering needs enough dots per inch for the upscaled grid
        style.save(fig, paths, dpi=max(dpi, int(np.ceil(w * scale / (0.8 * panel)))))


def gan_epoch_grids(
    folder: str | Path,
    paths: Sequence[str | Path],
    *,
    experiment: str,
    panels: int = 6,
    scale: int = 2,
    dpi: int = 150,
) -> None:
    """Fixed-noise GAN samples at ``panels`` epochs spread over training (first and last included)."""
    chosen = pick_evenly(epoch_grids(folder), panels)
    sample_grids(
        [(f"epoch {e}", p) for e, p in chosen],
        paths,
        experiment=experiment,
        what="GAN samples from fixed noise, per epoch",
        scale=scale,
        dpi=dpi,
    )
