"""GAN figures from the per-iteration loss tables (GAN exercise report, "Generative
Adversarial Networks - Q1"): the G-vs-D "battle", the loss comparison across runs, the
gradient norms with vanishing-gradient spans, and mode coverage against ``unroll_k``
(Metz et al. 2016, "Unrolled Generative Adversarial Networks").

Loss tables have one row per iteration: ``iteration, epoch, g_loss, d_loss, d_real,
d_fake, g_grad_norm, d_grad_norm`` (written by ``advgen train-gan``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from advgen.plots import style
from advgen.replicates import entry_of

LOSS_COLUMNS = ("iteration", "epoch", "g_loss", "d_loss", "d_real", "d_fake", "g_grad_norm", "d_grad_norm")
G, D = style.ROLE_COLORS["generator"], style.ROLE_COLORS["discriminator"]


def _curve(ax: Any, x: Any, y: Any, color: str, label: str, window: int, **kwargs: Any) -> None:
    """Raw values faint, the running mean over ``window`` iterations on top."""
    if window > 1:
        ax.plot(x, y, color=color, alpha=0.2, linewidth=0.6)
    ax.plot(x, style.running_mean(y, window), color=color, label=label, linewidth=1.4, **kwargs)


def _smoothing_note(window: int) -> str:
    return f" (running mean over {window} iterations)" if window > 1 else ""


def loss_curves(
    losses: pd.DataFrame, paths: Sequence[str | Path], *, experiment: str, smoothing: int = 25, dpi: int = 150
) -> None:
    """The "battle": G and D loss per iteration (left) and D's mean output on real and fake
    batches (right), with epoch ticks on top."""
    style.check_columns(losses, LOSS_COLUMNS, f"losses of {experiment}")
    it = losses["iteration"].to_numpy()
    with style.figure(1, 2, size=(10, 3.8)) as (fig, axes):
        ax = axes[0, 0]
        _curve(ax, it, losses["g_loss"], G, "generator loss", smoothing)
        _curve(ax, it, losses["d_loss"], D, "discriminator loss", smoothing)
        ax.set_xlabel("iteration (batches)")
        ax.set_ylabel("loss" + ("" if smoothing <= 1 else " (faint: raw)"))
        ax.legend(loc="best")
        style.epoch_ticks(ax, it, losses["epoch"])
        ax = axes[0, 1]
        _curve(ax, it, losses["d_real"], D, "D(x), real batch", smoothing)
        _curve(ax, it, losses["d_fake"], G, "D(G(z)), fake batch", smoothing, linestyle="--")
        ax.set_xlabel("iteration (batches)")
        ax.set_ylabel("mean discriminator output")
        ax.legend(loc="best")
        style.epoch_ticks(ax, it, losses["epoch"])
        style.title(fig, experiment, "GAN training: generator vs discriminator" + _smoothing_note(smoothing))
        style.save(fig, paths, dpi=dpi)


def run_label(name: str, info: Mapping[str, Any]) -> str:
    """Legend entry of a GAN run: its name, loss and unroll steps when known."""
    parts = [str(info[k]) if k == "loss" else f"k={info[k]}" for k in ("loss", "unroll_k") if k in info]
    return f"{name} ({', '.join(parts)})" if parts else name


def loss_comparison(
    runs: Mapping[str, pd.DataFrame],
    paths: Sequence[str | Path],
    *,
    info: Mapping[str, Mapping[str, Any]] | None = None,
    experiment: str = "GAN runs",
    smoothing: int = 25,
    dpi: int = 150,
) -> None:
    """G loss, D loss and D's outputs of several runs (e.g. mse / cross_entropy /
    non_saturating) on shared axes, one colour per model: the runs of its seeds (``<entry>``,
    ``<entry>_seed<k>``) as the mean of their running means, with their 95 % t-interval as a band."""
    info = info or {}
    for name, df in runs.items():
        style.check_columns(df, LOSS_COLUMNS, f"losses of {name}")
    models: dict[str, list[str]] = {}
    for name in sorted(runs):
        models.setdefault(entry_of(name), []).append(name)
    panels = (
        ("g_loss", 0, "-", ""),
        ("d_loss", 1, "-", ""),
        ("d_real", 2, "-", ": real"),
        ("d_fake", 2, "--", ": fake"),
    )
    with style.figure(1, 3, size=(14, 4.0)) as (fig, axes):
        for i, (model, names) in enumerate(models.items()):
            c = style.color(i)
            label = run_label(model, info.get(names[0], {})) + (
                f", {len(names)} seeds" if len(names) > 1 else ""
            )
            for column, panel, ls, suffix in panels:
                smooth = pd.concat(
                    [
                        pd.DataFrame(
                            {
                                "model": model,
                                "iteration": runs[n]["iteration"].to_numpy(),
                                "value": style.running_mean(runs[n][column], smoothing),
                            }
                        )
                        for n in names
                    ]
                )
                curve = style.seed_curves(smooth, "iteration", "value")
                style.mean_band(
                    axes[0, panel],
                    curve,
                    "iteration",
                    color=c,
                    label=f"{model}{suffix}" if panel == 2 else label,
                    linestyle=ls,
                )
        for ax, ylabel in zip(
            axes[0], ("generator loss", "discriminator loss", "mean D output (solid real, dashed fake)")
        ):
            ax.set_xlabel("iteration (batches)")
            ax.set_ylabel(ylabel)
        axes[0, 0].legend(loc="best")
        note = _smoothing_note(smoothing) + (
            f"; {style.SEED_NOTE}" if any(len(n) > 1 for n in models.values()) else ""
        )
        style.title(fig, experiment, "GAN loss comparison across runs" + note)
        style.save(fig, paths, dpi=dpi)


def vanishing_spans(grad_norm: Any, threshold: float, patience: int) -> list[tuple[int, int]]:
    """``(start, stop)`` index ranges where ``grad_norm < threshold`` for at least
    ``patience`` consecutive iterations (the training stage's vanishing-gradient rule)."""
    below = np.asarray(grad_norm, dtype=float) < threshold
    edges = np.flatnonzero(np.diff(np.r_[False, below, False].astype(int)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2]) if b - a >= patience]


def grad_norms(
    losses: pd.DataFrame,
    paths: Sequence[str | Path],
    *,
    experiment: str,
    threshold: float = 1e-3,
    patience: int = 200,
    smoothing: int = 25,
    dpi: int = 150,
) -> None:
    """Gradient norms of G and D per iteration (log scale); spans where G's norm stayed
    below ``threshold`` for ``patience`` iterations are shaded."""
    style.check_columns(losses, LOSS_COLUMNS, f"losses of {experiment}")
    it = losses["iteration"].to_numpy()
    with style.figure(1, 1, size=(8, 4.0)) as (fig, axes):
        ax = axes[0, 0]
        for column, c, label in (("g_grad_norm", G, "generator"), ("d_grad_norm", D, "discriminator")):
            values = losses[column].to_numpy(dtype=float)
            ok = values > 0
            ax.plot(it[ok], values[ok], color=c, alpha=0.2, linewidth=0.6)
            ax.plot(
                it,
                style.running_mean(values, smoothing),
                color=c,
                label=f"{label} gradient norm",
                linewidth=1.4,
            )
        ax.axhline(
            threshold,
            color=style.ROLE_COLORS["reference"],
            linestyle=":",
            label=f"vanishing threshold {threshold:g}",
        )
        spans = vanishing_spans(losses["g_grad_norm"], threshold, patience)
        for k, (a, b) in enumerate(spans):
            ax.axvspan(
                it[a],
                it[b - 1],
                color=G,
                alpha=0.15,
                label=f"G vanishing (≥ {patience} iterations)" if k == 0 else None,
            )
        ax.set_yscale("log")
        ax.set_xlabel("iteration (batches)")
        ax.set_ylabel("L2 norm of the parameter gradient")
        ax.legend(loc="best")
        if not spans:
            ax.text(
                0.01, 0.02, "no vanishing-gradient span", transform=ax.transAxes, fontsize=8, color="#555555"
            )
        style.epoch_ticks(ax, it, losses["epoch"])
        style.title(fig, experiment, "GAN gradient norms")
        style.save(fig, paths, dpi=dpi)


def _class_histograms(ax: Any, rows: pd.DataFrame, names: Sequence[str], c: int) -> None:
    """Per model (``names``: its ``entry``), the class histogram of its samples over ``c``
    classes (mean over the seeds' ``class_fractions``, whiskers their 95 % t-interval) beside
    the others, with the 1/(2C) threshold of a covered mode."""
    width = 0.8 / max(len(names), 1)
    for i, name in enumerate(names):
        part = rows[rows["entry"] == name]
        fractions = pd.DataFrame(
            [
                {"entry": name, "cls": k, "fraction": float(f)}
                for fr in part["class_fractions"]
                for k, f in enumerate(np.asarray(fr, dtype=float))
            ]
        )
        hist = style.seed_curves(fractions, "cls", "fraction", model="entry")
        ax.bar(
            hist["cls"] + (i - (len(names) - 1) / 2) * width,
            hist["mean"],
            width,
            yerr=[hist["mean"] - hist["lo"].clip(lower=0), hist["hi"] - hist["mean"]],
            error_kw={"linewidth": 0.6},
            color=style.color(i),
            label=f"{name} (k={int(part['unroll_k'].iloc[0])})",
        )
    ax.axhline(1 / (2 * c), color=style.ROLE_COLORS["reference"], linestyle=":", label="1/(2C) threshold")
    ax.set_xticks(range(c))
    ax.set_xlabel("predicted class of generated samples")
    ax.set_ylabel("fraction of samples")
    ax.legend(loc="best", ncols=2)


def mode_coverage(
    quality: pd.DataFrame,
    paths: Sequence[str | Path],
    *,
    info: Mapping[str, Mapping[str, Any]],
    experiment: str = "GAN runs",
    dpi: int = 150,
) -> None:
    """Mode coverage against ``unroll_k``: modes found per model (left) and the class
    histogram of its samples with the 1/(2C) threshold (right); a model's bar is the mean over
    its seeds (``<entry>``, ``<entry>_seed<k>``), the whisker their 95 % t-interval, the dots
    the seeds.

    ``quality`` has one row per run (``model, modes, num_classes``, optionally
    ``class_fractions``); only runs in ``info`` (GAN runs with their ``unroll_k``) are shown.
    """
    style.check_columns(quality, ("model", "modes", "num_classes"), "sample-quality table")
    rows = quality[quality["model"].isin(list(info))].copy()
    style.check_columns(rows, ("model",), "sample-quality rows of the GAN runs")
    rows["unroll_k"] = [int(info[m].get("unroll_k", 0)) for m in rows["model"]]
    rows["entry"] = [entry_of(str(m)) for m in rows["model"]]
    models = (
        rows.groupby("entry", sort=False)["unroll_k"].first().reset_index().sort_values(["unroll_k", "entry"])
    )
    names = list(models["entry"])
    ks = sorted(set(models["unroll_k"]))
    has_hist = "class_fractions" in rows.columns
    c = int(rows["num_classes"].max())
    with style.figure(1, 2 if has_hist else 1, size=(12 if has_hist else 6, 4.2)) as (fig, axes):
        ax = axes[0, 0]
        x = np.arange(len(names))
        stats = (
            style.seed_curves(rows.assign(x=0), "x", "modes", model="entry").set_index("entry").reindex(names)
        )
        ax.bar(
            x,
            stats["mean"],
            yerr=[stats["mean"] - stats["lo"], stats["hi"] - stats["mean"]],
            capsize=3,
            color=[style.color(ks.index(k)) for k in models["unroll_k"]],
        )
        for i, name in enumerate(names):
            seeds = rows.loc[rows["entry"] == name, "modes"].to_numpy(float)
            if len(seeds) > 1:
                ax.plot(np.full(len(seeds), x[i]), seeds, "o", color="black", markersize=2.5, zorder=3)
        ax.axhline(c, color=style.ROLE_COLORS["reference"], linestyle=":", label="all classes")
        ax.set_xticks(
            x, [f"{m}\nk={k}" for m, k in zip(names, models["unroll_k"])], rotation=20, ha="right", fontsize=8
        )
        ax.set_ylabel("modes covered (classes with ≥ 1/(2C) of samples)")
        ax.set_xlabel("GAN (unroll steps k); bar: mean over seeds, dots: seeds")
        ax.set_ylim(0, c + 1)
        ax.legend(loc="lower right")
        if has_hist:
            _class_histograms(axes[0, 1], rows, names, c)
        style.title(fig, experiment, "Mode coverage vs unrolling steps k")
        style.save(fig, paths, dpi=dpi)
