"""The sweeps' figures, one per sweep job with one panel per grid point it runs (the
workflow's jobs run one point each): inversion targets and reconstructions, the inpainting
table (original / masked / restored) and the interpolation strips. The loss-per-restart
curves and the labels along the paths are the plots stage's figures (``inversion_restarts``,
``interpolation_labels``), drawn from the jobs' tables. Image tables are drawn as one mosaic per panel (one ``imshow``
instead of one axes per image: a 16 x 9 strip table renders in a fraction of a second).
Written atomically as PNG."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from advgen.io import atomic_path

PAD = 2  # pixels between the tiles of a mosaic


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def mosaic(tiles: torch.Tensor, pad: int = PAD) -> torch.Tensor:
    """``(rows, cols, C, H, W)`` images in [0, 1] -> one ``(H', W', C)`` image, white gaps."""
    rows, cols, c, h, w = tiles.shape
    out = torch.ones(c, rows * (h + pad) - pad, cols * (w + pad) - pad)
    for i in range(rows):
        for j in range(cols):
            out[:, i * (h + pad) : i * (h + pad) + h, j * (w + pad) : j * (w + pad) + w] = tiles[i, j]
    return out.clamp(0, 1).permute(1, 2, 0)


def _imshow(ax, tiles: torch.Tensor) -> tuple[int, int]:
    """Draw a mosaic on ``ax``; returns the tile pitch (height, width) for annotations."""
    image = mosaic(tiles.detach().cpu().float())
    if image.shape[2] == 1:
        ax.imshow(image[..., 0].numpy(), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    else:
        ax.imshow(image.numpy(), interpolation="nearest")
    ax.set_axis_off()
    return tiles.shape[3] + PAD, tiles.shape[4] + PAD


def _save(fig, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=80)
    _pyplot().close(fig)


def image_rows(
    panels: Sequence[tuple[str, Mapping[str, torch.Tensor]]], path: str | Path, num: int = 8
) -> None:
    """One panel per grid point, titled by its name: one row of images per entry of its
    mapping (row name -> ``(N, C, H, W)``), the first ``num`` images of each."""
    plt = _pyplot()
    counts = [min(num, *(len(v) for v in rows.values())) for _, rows in panels]
    heights = [len(rows) for _, rows in panels]
    size = (1.0 * max(counts) + 1.4, sum(1.1 * h + 0.4 for h in heights))
    fig, axes = plt.subplots(
        len(panels), 1, figsize=size, squeeze=False, height_ratios=heights, layout="constrained"
    )
    for ax, (title, rows), k in zip(axes[:, 0], panels, counts, strict=True):
        tiles = torch.stack([v[:k].detach().cpu() for v in rows.values()])
        pitch, _ = _imshow(ax, tiles)
        for i, name in enumerate(rows):
            ax.text(-2, i * pitch + pitch / 2, name, ha="right", va="center", fontsize=9)
        ax.set_title(title, fontsize=9)
    _save(fig, path)


def _strips(ax, panel: Mapping[str, Any], num: int) -> None:
    frames, labels, weights = panel["frames"], panel["labels"], panel["weights"]
    ends, end_labels = panel.get("ends"), panel.get("end_labels")
    num = min(num, frames.shape[0])
    tiles = frames[:num]
    if ends is not None:
        tiles = torch.cat([ends[:num, :1], tiles, ends[:num, 1:]], dim=1)
    k = tiles.shape[1]
    ph, pw = _imshow(ax, tiles)
    first = 1 if ends is not None else 0
    for i in range(num):
        for j in range(frames.shape[1]):
            ax.text(
                (j + first) * pw + 1, i * ph + 1, str(int(labels[i, j])), color="red", fontsize=7, va="top"
            )
        if ends is not None and end_labels is not None:
            for j, col in ((0, 0), (1, k - 1)):
                ax.text(
                    col * pw + 1,
                    i * ph + 1,
                    str(int(end_labels[i, j])),
                    color="dodgerblue",
                    fontsize=7,
                    va="top",
                )
    title = "alpha = " + ", ".join(f"{w:.3g}" for w in weights)
    title = f"real start | {title} | real end" if ends is not None else title
    ax.set_title(f"{panel['title']}: {title}" if panel.get("title") else title, fontsize=8)


def interpolation_strips(panels: Sequence[Mapping[str, Any]], path: str | Path, num: int = 8) -> None:
    """One panel per grid point: one row per pair, one column per alpha; the classifier's
    label above each frame.

    A panel maps ``frames`` (``(P, K, C, H, W)``), ``labels`` (``(P, K)``), ``weights``
    (the K alphas) and optionally ``title``, ``ends`` (``(P, 2, C, H, W)``, the real start
    and end images) and ``end_labels`` (``(P, 2)``). With ``ends`` each row is framed by
    them, as in the report's figure: real start | ``G(z(alpha))`` ... | real end; their true
    labels are drawn in blue, the frames' predictions in red.
    """
    plt = _pyplot()
    cols = [p["frames"].shape[1] + (2 if p.get("ends") is not None else 0) for p in panels]
    rows = [min(num, p["frames"].shape[0]) for p in panels]
    size = (0.9 * max(cols) + 0.5, sum(1.0 * r + 0.6 for r in rows))
    fig, axes = plt.subplots(
        len(panels), 1, figsize=size, squeeze=False, height_ratios=rows, layout="constrained"
    )
    for ax, panel in zip(axes[:, 0], panels, strict=True):
        _strips(ax, panel, num)
    _save(fig, path)
