"""The sweeps' figures: the report's loss-per-restart plots, inpainting table and
interpolation strips. Image tables are drawn as one mosaic per figure (one ``imshow``
instead of one axes per image: a 16 x 9 strip table renders in a fraction of a second).
Written atomically as PNG."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

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


def inversion_losses(
    losses: torch.Tensor, best: torch.Tensor, targets: torch.Tensor, recons: torch.Tensor, path: str | Path, num: int = 4
) -> None:
    """Per image (one row): the loss of each restart over the steps (one colour per restart;
    kept restart solid, others dashed), then target | G(z). ``losses`` is ``(T + 1, N, R)``;
    the tensors may live on any device (targets stay on the CPU, a CUDA run's G(z) does not)."""
    losses, best, targets, recons = (t.detach().cpu() for t in (losses, best, targets, recons))
    plt = _pyplot()
    num = min(num, losses.shape[1])
    fig, axes = plt.subplots(num, 2, figsize=(8, 2.2 * num), squeeze=False, width_ratios=[3, 1], layout="constrained")
    for i in range(num):
        ax = axes[i, 0]
        for r in range(losses.shape[2]):
            style = "-" if r == int(best[i]) else "--"
            ax.plot(losses[:, i, r].numpy(), style, label=f"restart {r}")
        ax.set_yscale("log")
        ax.yaxis.set_minor_locator(plt.NullLocator())
        ax.set_ylabel("MSE")
        _imshow(axes[i, 1], torch.stack([targets[i], recons[i]]).unsqueeze(0))
    axes[0, 0].legend(fontsize="small")
    axes[0, 1].set_title("target | G(z)", fontsize=9)
    axes[-1, 0].set_xlabel("step")
    _save(fig, path)


def inpainting_examples(
    images: torch.Tensor, masked: torch.Tensor, completed: torch.Tensor, path: str | Path, num: int = 8
) -> None:
    """Rows: original, masked target (hidden pixels black), restored image."""
    plt = _pyplot()
    num = min(num, len(images))
    fig, ax = plt.subplots(figsize=(1.0 * num + 1, 3.4), layout="constrained")
    tiles = torch.stack([images[:num], masked[:num], completed[:num]])
    pitch, _ = _imshow(ax, tiles)
    for i, name in enumerate(("original", "masked", "restored")):
        ax.text(-2, i * pitch + pitch / 2, name, ha="right", va="center", fontsize=9)
    _save(fig, path)


def interpolation_strips(
    frames: torch.Tensor,
    labels: torch.Tensor,
    weights: Sequence[float],
    path: str | Path,
    num: int = 8,
    *,
    ends: torch.Tensor | None = None,
    end_labels: torch.Tensor | None = None,
) -> None:
    """One row per pair, one column per alpha; the classifier's label above each frame.

    With ``ends`` (``(P, 2, C, H, W)``, the real start and end images) each row is framed
    by them, as in the report's figure: real start | ``G(z(alpha))`` ... | real end; their
    true labels (``end_labels``, ``(P, 2)``) are drawn in blue, the frames' predictions in red.
    """
    plt = _pyplot()
    num = min(num, frames.shape[0])
    tiles = frames[:num]
    if ends is not None:
        tiles = torch.cat([ends[:num, :1], tiles, ends[:num, 1:]], dim=1)
    k = tiles.shape[1]
    fig, ax = plt.subplots(figsize=(0.9 * k + 0.5, 1.0 * num + 0.6), layout="constrained")
    ph, pw = _imshow(ax, tiles)
    first = 1 if ends is not None else 0
    for i in range(num):
        for j in range(frames.shape[1]):
            ax.text((j + first) * pw + 1, i * ph + 1, str(int(labels[i, j])), color="red", fontsize=7, va="top")
        if ends is not None and end_labels is not None:
            for j, col in ((0, 0), (1, k - 1)):
                ax.text(col * pw + 1, i * ph + 1, str(int(end_labels[i, j])), color="dodgerblue", fontsize=7, va="top")
    title = "alpha = " + ", ".join(f"{w:.3g}" for w in weights)
    ax.set_title(f"real start | {title} | real end" if ends is not None else title, fontsize=8)
    _save(fig, path)
