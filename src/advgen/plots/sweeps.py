"""Figures of the generative sweeps (GAN exercise report, "Q2/Q3", "Non-Adversarial
Networks - Q1", LargeGAN truncation, Brock et al. 2019): inversion loss per restart,
inversion error vs restarts, inpainting error per mask, interpolation labels along
the path, FID and mode coverage vs truncation psi.

Inputs are the sweeps' Parquet tables (see :mod:`advgen.sweeps.tables`): per-point
``steps.parquet`` (``image, restart, step, loss, best``) and ``frames.parquet``
(``pair, alpha, pred, prob``), and the aggregates ``results/sweeps/<sweep>.parquet``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from advgen.plots import style
from advgen.replicates import entry_of


def mean_ci(values: pd.Series, z: float = 1.96) -> tuple[float, float]:
    """Mean and the half-width of its normal-approximation 95% confidence interval."""
    v = values.dropna().to_numpy(dtype=float)
    if len(v) == 0:
        return float("nan"), float("nan")
    half = z * v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0
    return float(v.mean()), float(half)


def inversion_restarts(
    steps: pd.DataFrame, paths: Sequence[str | Path], *, experiment: str, images: int = 4, dpi: int = 150
) -> None:
    """Inversion loss per step for a few images: one colour per restart, the best
    restart thick and solid, the others thin and dashed (the report's restart plot)."""
    style.check_columns(
        steps, ("image", "restart", "step", "loss", "best"), f"inversion steps of {experiment}"
    )
    from matplotlib.ticker import NullLocator

    chosen = sorted(steps["image"].unique())[:images]
    with style.panel_grid(len(chosen), 2, panel=(5.0, 3.3), extra=0.4, sharey=True) as (fig, axes, _):
        for ax, image in zip(axes.flat, chosen):
            part = steps[steps["image"] == image]
            for restart, curve in part.groupby("restart", sort=True):
                curve = curve.sort_values("step")
                best = bool(curve["best"].iloc[0])
                ax.plot(
                    curve["step"],
                    curve["loss"],
                    color=style.color(int(restart)),
                    linewidth=2.2 if best else 0.9,
                    linestyle="-" if best else "--",
                    label=f"restart {restart}" + (" (best)" if best else ""),
                    zorder=3 if best else 2,
                )
            ax.set_yscale("log")
            # no minor ticks: on a loss spanning less than a decade each shared axis labels every
            # integer multiple, which cost more than the rest of the figure
            ax.yaxis.set_minor_locator(NullLocator())
            ax.set_title(f"test image {image}")
            ax.set_xlabel("optimisation step")
            ax.set_ylabel("MSE(G(z), x) (log scale)")
            ax.legend(loc="upper right", fontsize=7)
        style.title(fig, experiment, "Generator inversion: loss per restart")
        style.save(fig, paths, dpi=dpi)


def inversion_summary(
    inversion: pd.DataFrame,
    paths: Sequence[str | Path],
    *,
    experiment: str = "inversion sweep",
    dpi: int = 150,
) -> None:
    """Final MSE of the best restart per image, by generator and number of restarts
    (box plots; do more restarts find better codes?)."""
    style.check_columns(inversion, ("generator", "restarts", "mse"), "inversion table")
    df = inversion.copy()
    extra = [c for c in ("init", "optimizer") if c in df.columns and df[c].nunique() > 1]
    df["setting"] = df["restarts"].astype(str) + " restarts"
    for column in extra:  # e.g. init=random vs init=encoder in one sweep
        df["setting"] = df["setting"] + ", " + df[column].astype(str)
    gens = sorted(df["generator"].unique())
    settings = sorted(df["setting"].unique(), key=lambda s: (int(s.split()[0]), s))
    with style.figure(1, 1, size=(max(6.0, 1.2 * len(gens) * len(settings) + 2), 4.2)) as (fig, axes):
        ax = axes[0, 0]
        width = 0.8 / len(settings)
        for j, setting in enumerate(settings):
            data, pos = [], []
            for i, g in enumerate(gens):
                v = df[(df["generator"] == g) & (df["setting"] == setting)]["mse"].dropna()
                if len(v):
                    data.append(v.to_numpy())
                    pos.append(i + (j - (len(settings) - 1) / 2) * width)
            if data:
                bp = ax.boxplot(data, positions=pos, widths=width * 0.9, patch_artist=True, showfliers=False)
                for box in bp["boxes"]:
                    box.set_facecolor(style.color(j))
                    box.set_alpha(0.7)
                ax.plot([], [], color=style.color(j), linewidth=8, alpha=0.7, label=setting)
        ax.set_xticks(range(len(gens)), gens)
        ax.set_yscale("log")
        ax.set_xlabel("generator")
        ax.set_ylabel("final MSE of the best restart (log scale)")
        ax.legend(loc="best")
        style.title(fig, experiment, "Inversion error vs number of restarts")
        style.save(fig, paths, dpi=dpi)


def inpainting_errors(
    inpainting: pd.DataFrame,
    paths: Sequence[str | Path],
    *,
    experiment: str = "inpainting sweep",
    dpi: int = 150,
) -> None:
    """Hidden-pixel MSE per mask type and generator (bars: mean, whiskers: 95% CI), and
    classifier accuracy on the completed vs the masked image."""
    style.check_columns(
        inpainting,
        ("generator", "mask", "mse_hidden", "correct_completed", "correct_masked"),
        "inpainting table",
    )
    gens = sorted(inpainting["generator"].unique())
    masks = list(inpainting.groupby("mask")["mse_hidden"].mean().sort_values().index)
    width = 0.8 / len(gens)
    with style.figure(1, 2, size=(max(10.0, 1.4 * len(masks) * 2 + 3), 4.2)) as (fig, axes):
        for i, g in enumerate(gens):
            part = inpainting[inpainting["generator"] == g]
            x = np.arange(len(masks)) + (i - (len(gens) - 1) / 2) * width
            stats = [mean_ci(part[part["mask"] == m]["mse_hidden"]) for m in masks]
            axes[0, 0].bar(
                x,
                [s[0] for s in stats],
                width,
                yerr=[s[1] for s in stats],
                capsize=3,
                color=style.color(i),
                label=g,
            )
            comp = [part[part["mask"] == m]["correct_completed"].mean() for m in masks]
            masked = [part[part["mask"] == m]["correct_masked"].mean() for m in masks]
            axes[0, 1].bar(x, comp, width, color=style.color(i), label=f"{g}: completed")
            axes[0, 1].scatter(
                x,
                masked,
                color="black",
                marker="_",
                s=200,
                zorder=3,
                label="masked input" if i == 0 else None,
            )
        for ax in axes[0]:
            ax.set_xticks(range(len(masks)), masks)
            ax.set_xlabel("mask type")
        axes[0, 0].set_ylabel("MSE on hidden pixels (mean, 95% CI)")
        axes[0, 1].set_ylabel("classifier accuracy")
        axes[0, 1].set_ylim(0, 1.05)
        axes[0, 0].legend(loc="upper left")
        axes[0, 1].legend(loc="lower right", fontsize=7)
        style.title(fig, experiment, "Inpainting: error by mask type")
        style.save(fig, paths, dpi=dpi)


def interpolation_labels(
    frames: pd.DataFrame, paths: Sequence[str | Path], *, experiment: str, pairs: int = 8, dpi: int = 150
) -> None:
    """Classifier label under each frame of the interpolation paths: one row per pair,
    one column per alpha; the number is the predicted class, the shade its probability."""
    style.check_columns(frames, ("pair", "alpha", "pred", "prob"), f"interpolation frames of {experiment}")
    chosen = sorted(frames["pair"].unique())[:pairs]
    part = frames[frames["pair"].isin(chosen)]
    alphas = sorted(part["alpha"].unique())
    prob = part.pivot_table(index="pair", columns="alpha", values="prob").reindex(
        index=chosen, columns=alphas
    )
    pred = part.pivot_table(index="pair", columns="alpha", values="pred").reindex(
        index=chosen, columns=alphas
    )
    with style.figure(1, 1, size=(0.75 * len(alphas) + 2.4, 0.5 * len(chosen) + 1.6)) as (fig, axes):
        ax = axes[0, 0]
        im = ax.imshow(prob.to_numpy(), cmap="Blues", vmin=0, vmax=1, aspect="auto")
        for (r, c), label in np.ndenumerate(pred.to_numpy()):
            if np.isfinite(label):
                p = prob.to_numpy()[r, c]
                ax.text(
                    c,
                    r,
                    str(int(label)),
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="white" if p > 0.6 else "black",
                )
        ax.set_xticks(range(len(alphas)), [f"{a:.3g}" for a in alphas])
        ax.set_yticks(range(len(chosen)), [f"pair {p}" for p in chosen])
        ax.set_xlabel("alpha (0 = start image, 1 = end image)")
        ax.grid(False)
        fig.colorbar(im, ax=ax, label="classifier probability of the label")
        style.title(fig, experiment, "Interpolation: classifier label per frame")
        style.save(fig, paths, dpi=dpi)


def truncation_curves(
    truncation: pd.DataFrame,
    paths: Sequence[str | Path],
    *,
    experiment: str = "truncation sweep",
    dpi: int = 150,
) -> None:
    """Classifier FID and mode coverage against the truncation threshold psi per
    generator: the mean over its seeds (``<entry>``, ``<entry>_seed<k>``) with their 95 %
    t-interval as a band; psi = inf (no truncation) is drawn at the right end, labelled "none"."""
    style.check_columns(truncation, ("generator", "psi_value", "fid", "modes"), "truncation table")
    df = truncation.copy()
    finite = df["psi_value"][np.isfinite(df["psi_value"])]
    top = float(finite.max()) if len(finite) else 1.0
    inf_at = top * 1.25 if len(finite) else 1.0
    df["x"] = np.where(np.isfinite(df["psi_value"]), df["psi_value"], inf_at)
    df["model"] = [entry_of(str(g)) for g in df["generator"]]
    with style.figure(1, 2, size=(10, 4.0)) as (fig, axes):
        for i, model in enumerate(sorted(df["model"].unique())):
            part = df[df["model"] == model]
            seeds = part["generator"].nunique()
            for ax, value in zip(axes[0], ("fid", "modes")):
                runs = part.groupby(["model", "generator", "x"], as_index=False)[value].mean()  # one per run
                curve = style.seed_curves(runs, "x", value)
                label = model + (f" ({seeds} seeds)" if seeds > 1 else "")
                style.mean_band(ax, curve, "x", color=style.color(i), label=label, marker="o")
        ticks = sorted(df["x"].unique())
        labels = ["none" if not np.isfinite(v) else f"{v:g}" for v in sorted(df["psi_value"].unique())]
        for ax in axes[0]:
            ax.set_xticks(ticks, labels)
            ax.set_xlabel("truncation threshold psi (|z| > psi resampled)")
        axes[0, 0].set_ylabel("classifier FID (lower is better)")
        axes[0, 1].set_ylabel("modes covered (classes)")
        axes[0, 0].legend(loc="best")
        style.title(fig, experiment, "Truncation trick: quality and diversity vs psi")
        style.save(fig, paths, dpi=dpi)
