"""Autoencoder figures (GAN exercise report, "Non-Adversarial Networks - Q2"): image MSE
against the scaled latent-moment loss, and the latent CDF against N(0, 1) per epoch.

Loss tables (``advgen train-ae``) have one row per iteration: ``iteration, epoch,
image_mse, moment_mse, factor, scaled_moment, ...``; latent-CDF tables one row per
(epoch, level): ``epoch, level, latent_quantile, normal_quantile``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from advgen.plots import style
from advgen.plots.images import pick_evenly

AE_LOSS_COLUMNS = ("iteration", "epoch", "image_mse", "moment_mse", "scaled_moment")
CDF_COLUMNS = ("epoch", "level", "latent_quantile", "normal_quantile")


def loss_terms(
    losses: pd.DataFrame, paths: Sequence[str | Path], *, experiment: str, smoothing: int = 25, dpi: int = 150
) -> None:
    """Image MSE, raw moment MSE and the scaled moment term (factor x moment MSE) per
    iteration on a log axis, with dotted lines at epoch boundaries."""
    style.check_columns(losses, AE_LOSS_COLUMNS, f"losses of {experiment}")
    it = losses["iteration"].to_numpy()
    with style.figure(1, 1, size=(8, 4.2)) as (fig, axes):
        ax = axes[0, 0]
        terms = (
            ("image_mse", "image MSE", style.color(0), "-"),
            ("moment_mse", "moment MSE of z vs [0, 1, 3] (unscaled)", style.color(1), ":"),
            ("scaled_moment", "scaled moment loss (factor x moment MSE)", style.color(1), "-"),
        )
        for column, label, c, ls in terms:
            values = losses[column].to_numpy(dtype=float)
            if not np.any(values > 0):
                continue  # e.g. the scaled term of an autoencoder without latent forcing
            smooth = style.running_mean(values, smoothing)
            ax.plot(it, np.where(smooth > 0, smooth, np.nan), color=c, linestyle=ls, label=label)
        starts = it[np.flatnonzero(np.diff(losses["epoch"].to_numpy()) != 0) + 1]
        for x in starts:
            ax.axvline(x, color="#999999", linestyle=":", linewidth=0.7)
        ax.set_yscale("log")
        ax.set_xlabel("iteration (batches); dotted lines: epoch boundaries")
        ax.set_ylabel("loss (log scale)")
        ax.legend(loc="best")
        style.epoch_ticks(ax, it, losses["epoch"])
        note = f" (running mean over {smoothing} iterations)" if smoothing > 1 else ""
        style.title(fig, experiment, "Autoencoder loss terms" + note)
        style.save(fig, paths, dpi=dpi)


def latent_cdf(
    cdf: pd.DataFrame,
    paths: Sequence[str | Path],
    *,
    experiment: str,
    panels: int = 8,
    columns: int = 4,
    dpi: int = 150,
) -> None:
    """Small multiples: the empirical CDF of the latent codes at ``panels`` epochs spread
    over training, each against the N(0, 1) CDF."""
    style.check_columns(cdf, CDF_COLUMNS, f"latent CDF of {experiment}")
    epochs = pick_evenly(sorted(cdf["epoch"].unique()), panels)
    with style.panel_grid(
        len(epochs), columns, panel=(3.0, 2.6), extra=0.5, sharex=True, sharey=True
    ) as grid:
        fig, axes, columns = grid
        for i, (ax, epoch) in enumerate(zip(axes.flat, epochs)):
            part = cdf[cdf["epoch"] == epoch].sort_values("level")
            ax.plot(
                part["normal_quantile"],
                part["level"],
                color=style.ROLE_COLORS["reference"],
                linestyle="--",
                label="N(0, 1)",
            )
            ax.plot(part["latent_quantile"], part["level"], color=style.color(0), label="latent z")
            ax.set_title(f"epoch {epoch}")
            if i % columns == 0:
                ax.set_ylabel("CDF")
            if i >= len(epochs) - columns:
                ax.set_xlabel("z value")
            if i == 0:
                ax.legend(loc="upper left")
        ax0 = axes[0, 0]
        lo, hi = np.nanquantile(cdf["latent_quantile"], [0.001, 0.999])
        ax0.set_xlim(min(lo, -3.5), max(hi, 3.5))
        style.title(fig, experiment, "Latent CDF vs N(0, 1) per epoch")
        style.save(fig, paths, dpi=dpi)
