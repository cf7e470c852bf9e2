"""The sweeps' figures: the report's loss-per-restart plots, inpainting table and
interpolation strips. Written atomically as PNG."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from advgen.io import atomic_path


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _show(ax, image: torch.Tensor) -> None:
    image = image.detach().cpu().clamp(0, 1)
    if image.shape[0] == 1:
        ax.imshow(image[0].numpy(), cmap="gray", vmin=0, vmax=1)
    else:
        ax.imshow(image.permute(1, 2, 0).numpy())
    ax.set_xticks([])
    ax.set_yticks([])


def _save(fig, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100, bbox_inches="tight")
    _pyplot().close(fig)


def inversion_losses(
    losses: torch.Tensor, best: torch.Tensor, targets: torch.Tensor, recons: torch.Tensor, path: str | Path, num: int = 4
) -> None:
    """Per image: the loss of each restart over the steps (one colour per restart; best
    restart solid, others dashed), then the target and G(z). ``losses`` is ``(T + 1, N, R)``."""
    plt = _pyplot()
    num = min(num, losses.shape[1])
    fig, axes = plt.subplots(num, 3, figsize=(9, 2.4 * num), squeeze=False, width_ratios=[4, 1, 1])
    for i in range(num):
        ax = axes[i, 0]
        for r in range(losses.shape[2]):
            style = "-" if r == int(best[i]) else "--"
            ax.plot(losses[:, i, r].cpu().numpy(), style, label=f"restart {r}")
        ax.set_yscale("log")
        ax.set_ylabel("MSE")
        if i == num - 1:
            ax.set_xlabel("step")
        if i == 0:
            ax.legend(fontsize="small")
        _show(axes[i, 1], targets[i])
        _show(axes[i, 2], recons[i])
        axes[0, 1].set_title("target")
        axes[0, 2].set_title("G(z)")
    _save(fig, path)


def inpainting_examples(
    images: torch.Tensor, masked: torch.Tensor, completed: torch.Tensor, path: str | Path, num: int = 6
) -> None:
    """Rows: original, masked target, restored image (the report's table, transposed)."""
    plt = _pyplot()
    num = min(num, len(images))
    fig, axes = plt.subplots(3, num, figsize=(1.3 * num, 4.2), squeeze=False)
    for j in range(num):
        for i, row in enumerate((images, masked, completed)):
            _show(axes[i, j], row[j])
    for i, name in enumerate(("original", "masked", "restored")):
        axes[i, 0].set_ylabel(name)
    _save(fig, path)


def interpolation_strips(
    frames: torch.Tensor, labels: torch.Tensor, weights: Sequence[float], path: str | Path, num: int = 8
) -> None:
    """One row per pair, one column per alpha, each frame titled with its classifier label."""
    plt = _pyplot()
    num = min(num, frames.shape[0])
    k = frames.shape[1]
    fig, axes = plt.subplots(num, k, figsize=(1.1 * k, 1.25 * num), squeeze=False)
    for i in range(num):
        for j in range(k):
            _show(axes[i, j], frames[i, j])
            axes[i, j].set_title(str(int(labels[i, j])), fontsize=8)
    for j in range(k):
        axes[-1, j].set_xlabel(f"{weights[j]:.3g}", fontsize=8)
    _save(fig, path)
