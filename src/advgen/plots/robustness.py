"""Robustness figures: accuracy vs epsilon per classifier and attack (Madry et al. 2017,
Fig. 4 style), the transfer matrix (Szegedy et al. 2013, Table 4; Papernot et al. 2016),
minimal perturbations (Szegedy Table 1 / DeepFool rho_adv, Moosavi-Dezfooli et al. 2016),
and the capacity (Madry et al.) and data-size (Schmidt et al. 2018) sweeps.

Inputs are the robustness stage's Parquet tables: ``attacks.parquet`` (one row per
classifier, attack and eps: ``classifier, attack, eps, norm, clean_acc, robust_acc, ...``),
``minimal_perturbation.parquet`` (``classifier, attack, rho_adv, ...``),
``transfer.parquet`` (long form: ``source, attack, kind, target, eps, error``) and
``sweeps/<sweep>.parquet`` (``classifier, mode, width | train_fraction, eps, clean_acc,
robust_acc``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from advgen.attacks.registry import BASELINE_ATTACKS, REFERENCE_ATTACKS
from advgen.errors import AdvgenError
from advgen.plots import style
from advgen.robustness.gap import GAP_FLAG_POINTS, pgd_vs_autoattack


def _model_column(df: pd.DataFrame) -> pd.DataFrame:
    """The classifier's name as column ``classifier`` (tables may call it ``model``)."""
    if "classifier" not in df.columns and "model" in df.columns:
        df = df.rename(columns={"model": "classifier"})
    return df


def _overlay_autoattack(ax, df: pd.DataFrame, pgd: pd.DataFrame, norm: str, models: list[str]) -> str:
    """Draw AutoAttack's curves (dashed) over a PGD panel; the title suffix names the largest gap."""
    aa = df[
        df["attack_type"].isin(REFERENCE_ATTACKS)
        & (df["norm"] == norm)
        & df["classifier"].isin(pgd["classifier"])
    ]
    if aa.empty:
        return ""
    for model, curve in aa.groupby("classifier"):
        curve = curve.groupby("eps", as_index=False)["robust_acc"].min().sort_values("eps")
        ax.plot(
            curve["eps"],
            curve["robust_acc"],
            linestyle="--",
            marker="x",
            markersize=3,
            color=style.color(models.index(model)),
            label=f"{model} (AutoAttack, dashed)",
        )
    gap = pgd_vs_autoattack(pd.concat([pgd, aa]))
    if gap.empty:
        return " vs AutoAttack"
    worst = float(gap["gap_points"].max())
    flag = f" ⚠ > {GAP_FLAG_POINTS:g}" if bool(gap["flagged"].any()) else ""
    return f" vs AutoAttack (dashed)\nlargest gap {worst:.1f} pts{flag}"


def accuracy_curves(
    attacks: pd.DataFrame,
    paths: Sequence[str | Path],
    *,
    experiment: str = "robustness",
    columns: int = 3,
    dpi: int = 150,
) -> None:
    """Robust accuracy against epsilon, one panel per attack, one line per classifier;
    eps = 0 is the clean accuracy. Unbounded (eps = inf) rows of minimal attacks are skipped."""
    df = _model_column(attacks)
    style.check_columns(
        df, ("classifier", "attack", "eps", "norm", "clean_acc", "robust_acc"), "attack table"
    )
    df = df[np.isfinite(df["eps"].astype(float))]
    if df.empty:
        raise AdvgenError("attack table: no finite-epsilon rows to plot")
    panels = sorted(df.groupby(["attack", "norm"]).groups)
    models = sorted(df["classifier"].unique())
    columns = min(columns, len(panels))
    rows = -(-len(panels) // columns)
    with style.figure(rows, columns, size=(4.3 * columns, 3.4 * rows + 0.8), sharey=True) as (fig, axes):
        for ax in axes.flat[len(panels) :]:
            ax.axis("off")
        for i, (ax, (attack, norm)) in enumerate(zip(axes.flat, panels)):
            part = df[(df["attack"] == attack) & (df["norm"] == norm)]
            for model, curve in part.groupby("classifier"):
                curve = curve.sort_values("eps")
                x, y = curve["eps"].to_numpy(float), curve["robust_acc"].to_numpy(float)
                if x[0] > 0:  # start every curve at its clean accuracy
                    x, y = np.r_[0.0, x], np.r_[curve["clean_acc"].iloc[0], y]
                ax.plot(x, y, marker="o", markersize=3, color=style.color(models.index(model)), label=model)
            title = f"{attack}"
            if "attack_type" in part.columns and part["attack_type"].isin(BASELINE_ATTACKS).all():
                title += _overlay_autoattack(ax, df, part, norm, models)
            ax.set_title(title)
            ax.set_xlabel(
                f"epsilon ({norm} norm, pixels in [0, 1])" if norm and norm != "none" else "attack strength"
            )
            if i % columns == 0:
                ax.set_ylabel("accuracy on attacked test inputs")
            ax.set_ylim(-0.02, 1.02)
        handles = [ax.get_legend_handles_labels() for ax in axes.flat]
        by_label = {lab: h for hs, labs in handles for h, lab in zip(hs, labs)}
        fig.legend(
            by_label.values(), by_label.keys(), loc="outside lower center", ncols=min(len(by_label), 6)
        )
        style.title(fig, experiment, "Robust accuracy vs epsilon")
        style.save(fig, paths, dpi=dpi)


def transfer_heatmaps(
    transfer: pd.DataFrame, paths: Sequence[str | Path], *, experiment: str = "transfer", dpi: int = 150
) -> None:
    """Error rate of examples crafted on the source model (rows) when fed to the target
    model (columns), one heatmap per attack, values annotated; Gaussian noise of the same
    L2 norm appears as extra ``noise: <source>`` rows (the baseline)."""
    style.check_columns(transfer, ("source", "attack", "target", "error"), "transfer table")
    df = transfer.copy()
    if "kind" not in df.columns:
        df["kind"] = "adversarial"
    df["row"] = np.where(df["kind"] == "adversarial", df["source"], "noise: " + df["source"].astype(str))
    attacks = sorted(df["attack"].unique())
    targets = sorted(df["target"].unique())
    sources = sorted(df["source"].unique())
    order = sources + [f"noise: {s}" for s in sources if f"noise: {s}" in set(df["row"])]
    eps = ", ".join(f"{e:g}" for e in sorted(df["eps"].unique())) if "eps" in df.columns else "?"
    with style.figure(
        1, len(attacks), size=(1.0 * len(targets) * len(attacks) + 3.5 * len(attacks), 0.5 * len(order) + 2.2)
    ) as (fig, axes):
        for ax, attack in zip(axes[0], attacks):
            m = (
                df[df["attack"] == attack]
                .pivot_table(index="row", columns="target", values="error")
                .reindex(
                    index=[r for r in order if r in set(df[df["attack"] == attack]["row"])], columns=targets
                )
            )
            # one quad per cell (a raster here was resampled to the whole figure: seconds per copy)
            rows, cols = m.shape
            im = ax.pcolormesh(
                np.arange(cols + 1) - 0.5,
                np.arange(rows + 1) - 0.5,
                m.to_numpy(),
                cmap="Reds",
                vmin=0,
                vmax=1,
            )
            ax.set_xlim(-0.5, cols - 0.5)
            ax.set_ylim(rows - 0.5, -0.5)  # first source on top, as a matrix reads
            for (r, c), v in np.ndenumerate(m.to_numpy()):
                if np.isfinite(v):
                    ax.text(
                        c,
                        r,
                        f"{v:.2f}",
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="white" if v > 0.6 else "black",
                        in_layout=False,  # inside the axes: the layout need not measure a thousand labels
                    )
            ax.set_xticks(range(len(targets)), targets, rotation=35, ha="right")
            ax.set_yticks(range(len(m.index)), m.index)
            ax.set_xlabel("evaluated on (target model)")
            ax.set_ylabel("crafted on (source model)")
            ax.set_title(attack)
            ax.grid(False)
        fig.colorbar(im, ax=list(axes[0]), label="error rate on crafted inputs")
        style.title(fig, experiment, f"Transfer of adversarial examples (epsilon {eps})")
        style.save(fig, paths, dpi=dpi)


def minimal_perturbation(
    minimal: pd.DataFrame,
    paths: Sequence[str | Path],
    *,
    experiment: str = "minimal perturbations",
    dpi: int = 150,
) -> None:
    """Mean relative size ||r||_2 / ||x||_2 of the smallest adversarial perturbation found,
    per classifier and method (L-BFGS, DeepFool)."""
    df = _model_column(minimal)
    style.check_columns(df, ("classifier", "attack", "rho_adv"), "minimal-perturbation table")
    models = sorted(df["classifier"].unique())
    methods = sorted(df["attack"].unique())
    width = 0.8 / len(methods)
    with style.figure(1, 1, size=(max(6.0, 1.1 * len(models) + 2.5), 4.2)) as (fig, axes):
        ax = axes[0, 0]
        for j, method in enumerate(methods):
            part = df[df["attack"] == method].set_index("classifier").reindex(models)
            x = np.arange(len(models)) + (j - (len(methods) - 1) / 2) * width
            bars = ax.bar(x, part["rho_adv"], width, color=style.color(j), label=method)
            ax.bar_label(bars, fmt="%.3f", fontsize=7, padding=1)
        ax.set_xticks(range(len(models)), models, rotation=20, ha="right")
        ax.set_xlabel("classifier")
        ax.set_ylabel("mean ||r||2 / ||x||2 of successful attacks")
        ax.legend(loc="best")
        style.title(fig, experiment, "Minimal adversarial perturbation (relative L2 size)")
        style.save(fig, paths, dpi=dpi)


SWEEP_AXES = {
    "capacity": ("width", "capacity: width multiplier of the CNN", "linear"),
    "data_size": ("train_fraction", "fraction of the training set used", "log"),
}


def sweep_curves(
    table: pd.DataFrame, paths: Sequence[str | Path], *, sweep: str, experiment: str = "", dpi: int = 150
) -> None:
    """Clean and robust test accuracy (and train accuracy where recorded) against the
    sweep's variable, one colour per training mode."""
    if sweep not in SWEEP_AXES:
        raise AdvgenError(f"unknown robustness sweep {sweep!r} (known: {', '.join(SWEEP_AXES)})")
    column, xlabel, scale = SWEEP_AXES[sweep]
    style.check_columns(table, (column, "clean_acc", "robust_acc"), f"{sweep} sweep table")
    df = table.copy()
    if "mode" not in df.columns:
        df["mode"] = "all"
    eps = ", ".join(f"{e:g}" for e in sorted(df["eps"].unique())) if "eps" in df.columns else "?"
    with style.figure(1, 1, size=(7, 4.2)) as (fig, axes):
        ax = axes[0, 0]
        for i, (mode, part) in enumerate(sorted(df.groupby("mode"), key=lambda t: t[0])):
            part = part.groupby(column, as_index=False).mean(numeric_only=True).sort_values(column)
            c = style.color(i)
            ax.plot(part[column], part["clean_acc"], marker="o", color=c, label=f"{mode}: clean test")
            ax.plot(
                part[column],
                part["robust_acc"],
                marker="s",
                linestyle="--",
                color=c,
                label=f"{mode}: robust test",
            )
            if "train_robust_acc" in part.columns and part["train_robust_acc"].notna().any():
                ax.plot(
                    part[column],
                    part["train_robust_acc"],
                    marker="^",
                    linestyle=":",
                    color=c,
                    label=f"{mode}: robust train",
                )
        ax.set_xscale(scale)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"accuracy (robust: PGD at epsilon {eps})")
        ax.set_ylim(-0.02, 1.02)
        ax.legend(loc="best")
        what = (
            "Capacity sweep: robustness needs capacity"
            if sweep == "capacity"
            else "Data-size sweep: robust generalisation needs data"
        )
        style.title(fig, experiment or sweep.replace("_", "-") + " sweep", what)
        style.save(fig, paths, dpi=dpi)
