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

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from advgen.attacks.registry import BASELINE_ATTACKS, REFERENCE_ATTACKS
from advgen.errors import AdvgenError
from advgen.plots import style
from advgen.replicates import entry_of
from advgen.robustness.gap import GAP_FLAG_POINTS, pgd_vs_autoattack


def _model_column(df: pd.DataFrame) -> pd.DataFrame:
    """The classifier's name as column ``classifier`` (tables may call it ``model``)."""
    if "classifier" not in df.columns and "model" in df.columns:
        df = df.rename(columns={"model": "classifier"})
    return df


#: how the figures and tables name a distance measure (the attack table's ``norm``)
NORM_NAMES = {"linf": "L∞", "l2": "L2", "l0": "L0"}


def spatial_range(part: pd.DataFrame) -> tuple[float, float] | None:
    """(largest rotation in degrees, largest translation in pixels) of a Spatial attack's rows, read
    from their ``params`` (eps scales both: Engstrom et al. 2019); None when the table lacks them."""
    if "params" not in part.columns or part.empty:
        return None
    try:
        params = json.loads(str(part["params"].iloc[0]))
        return float(params["max_rotation"]), float(params["max_translation"])
    except (ValueError, KeyError, TypeError):
        return None


def strength_label(norm: str, part: pd.DataFrame) -> str:
    """What eps measures for an attack's rows: the norm and its units, or the spatial attack's
    rotation and translation."""
    if norm == "spatial":
        limits = spatial_range(part)
        if limits is None:
            return "transform size (share of the largest rotation and translation)"
        return f"largest rotation and translation (eps 1: ±{limits[0]:g}°, ±{limits[1]:g} px)"
    if norm == "l0":
        return "pixels changed (L0)"
    if norm in NORM_NAMES:
        return f"epsilon, {NORM_NAMES[norm]} norm (pixels in [0, 1])"
    return "attack strength"


def _spatial_ticks(ax: Any, part: pd.DataFrame) -> None:
    """Tick labels of a spatial panel in degrees and pixels."""
    limits = spatial_range(part)
    if limits is None:
        return
    ticks = sorted(set(part["eps"].astype(float)))
    ax.set_xticks(ticks, [f"{e * limits[0]:g}°\n{e * limits[1]:g} px" for e in ticks])


def _run_curves(part: pd.DataFrame, value: str = "robust_acc", start_clean: bool = True) -> pd.DataFrame:
    """One row per (run, eps) of an attack's rows: ``model`` (the run's entry, :func:`entry_of`),
    ``eps`` and ``value``; each run's curve starts at its clean accuracy (eps 0) when
    ``start_clean`` and its grid does not."""
    rows = []
    for run, curve in part.groupby("classifier"):
        curve = curve.sort_values("eps")
        x, y = curve["eps"].to_numpy(float), curve[value].to_numpy(float)
        if start_clean and x[0] > 0:
            x, y = np.r_[0.0, x], np.r_[curve["clean_acc"].iloc[0], y]
        rows.append(pd.DataFrame({"model": entry_of(str(run)), "run": run, "eps": x, "value": y}))
    return pd.concat(rows, ignore_index=True)


def _overlay_autoattack(ax: Any, df: pd.DataFrame, pgd: pd.DataFrame, norm: str, models: list[str]) -> str:
    """Draw AutoAttack's curves (dashed, the mean over each model's seeds) over a PGD panel; the
    title suffix names the largest gap (per run)."""
    aa = df[
        df["attack_type"].isin(REFERENCE_ATTACKS)
        & (df["norm"] == norm)
        & df["classifier"].isin(pgd["classifier"])
    ]
    if aa.empty:
        return ""
    worst = aa.groupby(["classifier", "eps"], as_index=False)[
        "robust_acc"
    ].min()  # several AutoAttack entries
    runs = _run_curves(worst.assign(clean_acc=np.nan), start_clean=False)
    for model, curve in style.seed_curves(runs, "eps", "value").groupby("model"):
        ax.plot(
            curve["eps"],
            curve["mean"],
            linestyle="--",
            marker="x",
            markersize=3,
            color=style.color(models.index(model)),
            label=f"{model} (AutoAttack, dashed)",
        )
    gap = pgd_vs_autoattack(pd.concat([pgd, aa]))
    if gap.empty:
        return " vs AutoAttack"
    largest = float(gap["gap_points"].max())
    flag = f" ⚠ > {GAP_FLAG_POINTS:g}" if bool(gap["flagged"].any()) else ""
    return f" vs AutoAttack (dashed)\nlargest gap {largest:.1f} pts{flag}"


def accuracy_curves(
    attacks: pd.DataFrame,
    paths: Sequence[str | Path],
    *,
    experiment: str = "robustness",
    columns: int = 3,
    dpi: int = 150,
) -> None:
    """Robust accuracy against epsilon, one panel per attack, one line per model: the mean over
    its seeds (the runs ``<entry>``, ``<entry>_seed<k>``) with their 95 % t-interval as a band;
    eps = 0 is the clean accuracy. Unbounded (eps = inf) rows of minimal attacks are skipped."""
    df = _model_column(attacks)
    style.check_columns(
        df, ("classifier", "attack", "eps", "norm", "clean_acc", "robust_acc"), "attack table"
    )
    df = df[np.isfinite(df["eps"].astype(float))]
    if df.empty:
        raise AdvgenError("attack table: no finite-epsilon rows to plot")
    panels = sorted(df.groupby(["attack", "norm"]).groups)
    models = sorted({entry_of(str(c)) for c in df["classifier"].unique()})
    with style.panel_grid(len(panels), columns, panel=(4.3, 3.4), extra=0.6, sharey=True) as grid:
        fig, axes, columns = grid
        for i, (ax, (attack, norm)) in enumerate(zip(axes.flat, panels)):
            part = df[(df["attack"] == attack) & (df["norm"] == norm)]
            curves = style.seed_curves(_run_curves(part), "eps", "value")
            for model, curve in curves.groupby("model"):
                style.mean_band(
                    ax,
                    curve,
                    "eps",
                    color=style.color(models.index(model)),
                    label=model,
                    clip=(0.0, 1.0),
                    marker=style.marker(models.index(model)),
                    markersize=3,
                )
            title = f"{attack}"
            if "attack_type" in part.columns and part["attack_type"].isin(BASELINE_ATTACKS).all():
                title += _overlay_autoattack(ax, df, part, norm, models)
            ax.set_title(title)
            ax.set_xlabel(strength_label(norm, part))
            if norm == "spatial":
                _spatial_ticks(ax, part)
            if i % columns == 0:
                ax.set_ylabel("accuracy on attacked test inputs")
            ax.set_ylim(-0.02, 1.02)
        by_label = {lab: h for ax in axes.flat for h, lab in zip(*ax.get_legend_handles_labels())}
        style.figure_legend(fig, list(by_label.values()), list(by_label.keys()))
        style.title(fig, experiment, f"Robust accuracy vs epsilon ({style.SEED_NOTE})")
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
    per model and method (L-BFGS, DeepFool): a bar per model at the mean over its seeds, the
    95 % t-interval as an error bar and each seed as a dot."""
    df = _model_column(minimal)
    style.check_columns(df, ("classifier", "attack", "rho_adv"), "minimal-perturbation table")
    df = df.assign(model=[entry_of(str(c)) for c in df["classifier"]])
    models = sorted(df["model"].unique())
    methods = sorted(df["attack"].unique())
    width = 0.8 / len(methods)
    with style.figure(1, 1, size=(max(6.0, 1.1 * len(models) + 2.5), 4.2)) as (fig, axes):
        ax = axes[0, 0]
        for j, method in enumerate(methods):
            part = df[df["attack"] == method]
            stats = style.seed_curves(part, "attack", "rho_adv").set_index("model").reindex(models)
            x = np.arange(len(models)) + (j - (len(methods) - 1) / 2) * width
            err = [stats["mean"] - stats["lo"], stats["hi"] - stats["mean"]]
            bars = ax.bar(x, stats["mean"], width, yerr=err, capsize=3, color=style.color(j), label=method)
            ax.bar_label(bars, fmt="%.3f", fontsize=7, padding=1)
            for k, model in enumerate(models):
                seeds = part.loc[part["model"] == model, "rho_adv"].to_numpy(float)
                if len(seeds) > 1:
                    ax.plot(np.full(len(seeds), x[k]), seeds, "o", color="black", markersize=2.5, zorder=3)
        ax.set_xticks(range(len(models)), models, rotation=20, ha="right")
        ax.set_xlabel("classifier (bar: mean over seeds, whisker: 95 % t-interval, dots: seeds)")
        ax.set_ylabel("mean ||r||2 / ||x||2 of successful attacks")
        ax.legend(loc="best")
        style.title(fig, experiment, "Minimal adversarial perturbation (relative L2 size)")
        style.save(fig, paths, dpi=dpi)


SWEEP_AXES = {
    "capacity": ("width", "capacity: width multiplier of the CNN", "linear"),
    "data_size": ("train_fraction", "fraction of the training set used", "log"),
}


def sweep_curves(
    table: pd.DataFrame,
    paths: Sequence[str | Path],
    *,
    sweep: str | None,
    experiment: str = "",
    dpi: int = 150,
) -> None:
    """Clean and robust test accuracy (and train accuracy where recorded) against the
    sweep's variable, one colour per training mode: the mean over the table's seeds (one row per
    seed and point) with their 95 % t-interval as a band."""
    if sweep is None or sweep not in SWEEP_AXES:
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
            c = style.color(i)
            for value, marker, ls, what in (
                ("clean_acc", "o", "-", "clean test"),
                ("robust_acc", "s", "--", "robust test"),
                ("train_robust_acc", "^", ":", "robust train"),
            ):
                if value not in part.columns or not part[value].notna().any():
                    continue
                curve = style.seed_curves(part.assign(model=mode), column, value)  # one row per seed
                style.mean_band(
                    ax,
                    curve,
                    column,
                    color=c,
                    label=f"{mode}: {what}",
                    clip=(0.0, 1.0),
                    marker=marker,
                    linestyle=ls,
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
        style.title(fig, experiment or sweep.replace("_", "-") + " sweep", f"{what} ({style.SEED_NOTE})")
        style.save(fig, paths, dpi=dpi)
