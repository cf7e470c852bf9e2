"""Defense-stage figures: purification under grey-box and adaptive attacks (Samangouei et al.
2018; Athalye et al. 2018), its accuracy / cost trade-off over L x R, linear-probe robustness
per feature source, and the eps that flips a discriminator's real verdict.

Inputs are the defense stage's tables (:mod:`advgen.defense.tables`):
``purify.parquet`` (``defense, method, attack, threat, eps, steps, restarts,
steps_x_restarts, operating, clean_acc, robust_acc, seconds_per_image``),
``probe.parquet`` (``source, family, eps, clean_acc, robust_acc``) and
``flip_examples.parquet`` (``gan, loss, unroll_k, initially_real, flip_eps``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from advgen.defense.attacks import DEFENSE_ATTACKS
from advgen.errors import AdvgenError
from advgen.plots import style

#: attack -> (label, linestyle, marker), in drawing order: the defense attacks, then the summary rows
ATTACK_STYLE = {
    **{name: a.style for name, a in DEFENSE_ATTACKS.items() if a.style is not None},
    "strongest_greybox": ("grey-box (strongest)", "-", "o"),
    "strongest_adaptive": ("HEADLINE: strongest adaptive", "-", "*"),
}
#: summary rows of the purify table (advgen.defense.evaluate), drawn thick
SUMMARY_ROWS = ("strongest_greybox", "strongest_adaptive")
#: the bare classifier's reference lines in each purifier's panel: (attack, linestyle)
BARE_REFERENCES: tuple[tuple[str, Any], ...] = (("pgd", ":"), ("fgsm", (0, (1, 3))))
FAMILY_ORDER = {"gan": 0, "control": 1, "classifier": 2}
FAMILY_LABEL = {"gan": "GAN D", "control": "untrained D (control)", "classifier": "classifier"}


def _middle(values: pd.Series) -> float:
    """The lower median of the distinct values."""
    distinct: list[float] = sorted(set(values.astype(float)))
    return distinct[(len(distinct) - 1) // 2]


def _operating(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["operating"].astype(bool)]


def purify_curves(
    table: pd.DataFrame,
    paths: Sequence[str | Path],
    *,
    experiment: str = "defense",
    columns: int = 3,
    dpi: int = 150,
) -> None:
    """Accuracy vs eps at each purifier's operating point, one panel per purifier: grey-box
    attacks solid, adaptive attacks dashed, the bare classifier under PGD in grey."""
    style.check_columns(
        table,
        ("defense", "method", "attack", "eps", "steps", "restarts", "operating", "robust_acc"),
        "purify table",
    )
    df = _operating(table)
    bare = df[df["defense"] == "none"]
    defenses = sorted(d for d in df["defense"].unique() if d != "none")
    if not defenses:
        raise AdvgenError("purify table: no purifier rows (only the bare classifier)")
    clean = df[df["attack"] == "none"]
    with style.panel_grid(len(defenses), columns, panel=(4.4, 3.5), extra=0.9, sharey=True) as grid:
        fig, axes, columns = grid
        for i, (ax, name) in enumerate(zip(axes.flat, defenses)):
            part = df[df["defense"] == name]
            start = float(clean.loc[clean["defense"] == name, "robust_acc"].iloc[0])
            for j, attack in enumerate(a for a in ATTACK_STYLE if a in set(part["attack"])):
                label, ls, marker = ATTACK_STYLE[attack]
                curve = part[part["attack"] == attack].sort_values("eps")
                x, y = (
                    np.r_[0.0, curve["eps"].to_numpy(float)],
                    np.r_[start, curve["robust_acc"].to_numpy(float)],
                )
                thick = attack in SUMMARY_ROWS
                color = ("black" if attack == "strongest_adaptive" else "0.45") if thick else style.color(j)
                ax.plot(
                    x,
                    y,
                    linestyle=ls,
                    marker=marker,
                    markersize=6 if thick else 4,
                    color=color,
                    label=label,
                    linewidth=2.6 if thick else 1.2,
                    zorder=3 if thick else 2,
                    alpha=1.0 if thick else 0.7,
                )
            for attack, ls in BARE_REFERENCES:
                ref = bare[bare["attack"].isin([attack, "none"])].sort_values("eps")
                if (ref["attack"] == attack).any():
                    ax.plot(
                        ref["eps"],
                        ref["robust_acc"],
                        color=style.ROLE_COLORS["reference"],
                        linestyle=ls,
                        label=f"no defense, {attack.upper()}",
                    )
            row = part.iloc[0]
            setting = (
                f"L={row['steps']}, R={row['restarts']}" if row["method"] == "project" else row["method"]
            )
            ax.set_title(f"{name} ({setting})")
            ax.set_xlabel("epsilon (Linf, pixels in [0, 1])")
            if i % columns == 0:
                ax.set_ylabel("accuracy of classifier(P(x_adv))")
            ax.set_ylim(-0.02, 1.02)
        handles = {lab: h for ax in axes.flat for h, lab in zip(*ax.get_legend_handles_labels())}
        fig.legend(handles.values(), handles.keys(), loc="outside lower center", ncols=min(len(handles), 4))
        style.title(fig, experiment, "Purification: headline (strongest adaptive) vs grey-box accuracy")
        style.save(fig, paths, dpi=dpi)


def _purifier_lines(
    cost_ax: Any, acc_ax: Any, part: pd.DataFrame, name: str, c: Any, eps_of: dict[str, float]
) -> None:
    """One projection purifier at one R against L x R: its seconds per image (``cost_ax``), its
    clean accuracy and, at ``eps_of`` each attack, its attacked accuracy (``acc_ax``)."""
    clean = part[part["attack"] == "none"].sort_values("steps_x_restarts")
    cost_ax.plot(clean["steps_x_restarts"], clean["seconds_per_image"], marker="o", color=c, label=name)
    acc_ax.plot(clean["steps_x_restarts"], clean["robust_acc"], marker="o", color=c, label=f"{name}: clean")
    for attack, eps in eps_of.items():
        curve = part[(part["attack"] == attack) & (part["eps"] == eps)].sort_values("steps_x_restarts")
        if len(curve) > 1:  # attacks of the trade-off grid, not of the operating point only
            label, ls, marker = ATTACK_STYLE[attack]
            acc_ax.plot(
                curve["steps_x_restarts"],
                curve["robust_acc"],
                linestyle=ls,
                marker=marker,
                color=c,
                alpha=0.8,
                label=f"{name}: {label} eps {eps:g}",
            )


def purify_cost(
    table: pd.DataFrame, paths: Sequence[str | Path], *, experiment: str = "defense", dpi: int = 150
) -> None:
    """Left: seconds per purified image against L x R; right: clean and attacked accuracy
    against L x R at the middle eps of the grid (the lower median: the extremes are near
    the clean accuracy or near zero). One line per projection purifier and R;
    reconstruction purifiers and the bare classifier as horizontal references."""
    style.check_columns(
        table,
        (
            "defense",
            "method",
            "attack",
            "eps",
            "steps",
            "restarts",
            "steps_x_restarts",
            "robust_acc",
            "seconds_per_image",
        ),
        "purify table",
    )
    proj = table[table["method"] == "project"]
    if proj.empty:
        raise AdvgenError("purify table: no projection purifier, nothing to plot against L x R")
    attacks = [a for a in ATTACK_STYLE if a in set(proj["attack"])]
    eps_of = {a: _middle(proj.loc[proj["attack"] == a, "eps"]) for a in attacks}
    lines = sorted(proj.groupby(["defense", "restarts"]).groups)
    with style.figure(1, 2, size=(11, 4.6)) as (fig, axes):
        cost_ax, acc_ax = axes[0]
        for i, (name, restarts) in enumerate(lines):
            part = proj[(proj["defense"] == name) & (proj["restarts"] == restarts)]
            _purifier_lines(cost_ax, acc_ax, part, f"{name}, R={restarts}", style.color(i), eps_of)
        others = table[(table["method"] != "project") & (table["attack"] == "none")]
        for j, row in enumerate(others.itertuples()):
            c = style.color(len(lines) + j)
            label = "no defense" if row.method == "none" else f"{row.defense} ({row.method})"
            cost_ax.axhline(row.seconds_per_image, color=c, linestyle=":", label=label)
            acc_ax.axhline(row.robust_acc, color=c, linestyle=":", label=f"{label}: clean")
        cost_ax.set_xscale("log")
        cost_ax.set_yscale("log")
        cost_ax.set_xlabel("L x R (inversion steps x restarts)")
        cost_ax.set_ylabel("seconds per purified image")
        cost_ax.legend(loc="best")
        acc_ax.set_xscale("log")
        acc_ax.set_xlabel("L x R (inversion steps x restarts)")
        acc_ax.set_ylabel("accuracy of classifier(P(x))")
        acc_ax.set_ylim(-0.02, 1.02)
        acc_ax.legend(loc="best", fontsize=6)
        style.title(fig, experiment, "Purification: accuracy / cost trade-off")
        style.save(fig, paths, dpi=dpi)


def probe_bars(
    table: pd.DataFrame, paths: Sequence[str | Path], *, experiment: str = "probes", dpi: int = 150
) -> None:
    """Clean and PGD accuracy of a linear probe per feature source (grouped bars, one per
    eps); GAN discriminators first, then the untrained-D controls, then classifiers."""
    style.check_columns(table, ("source", "family", "eps", "robust_acc"), "probe table")
    df = table.copy()
    order = sorted(
        df[["source", "family"]].drop_duplicates().itertuples(index=False),
        key=lambda t: (FAMILY_ORDER.get(t.family, 9), t.source),
    )
    labels = [f"{s}\n({FAMILY_LABEL.get(f, f)})" for s, f in order]
    eps = sorted(df["eps"].unique())
    width = 0.8 / len(eps)
    with style.figure(1, 1, size=(max(7.0, 1.25 * len(order) + 2.5), 4.6)) as (fig, axes):
        ax = axes[0, 0]
        for j, e in enumerate(eps):
            part = df[df["eps"] == e].set_index(["source", "family"])
            values = [
                float(part.loc[(s, f), "robust_acc"]) if (s, f) in part.index else np.nan for s, f in order
            ]
            x = np.arange(len(order)) + (j - (len(eps) - 1) / 2) * width
            bars = ax.bar(
                x, values, width, color=style.color(j), label="clean" if e == 0 else f"PGD eps {e:g}"
            )
            ax.bar_label(bars, fmt="%.2f", fontsize=6, padding=1, rotation=90)
        for k, (_, family) in enumerate(order):
            if family == "control":
                ax.axvspan(k - 0.45, k + 0.45, color=style.ROLE_COLORS["reference"], alpha=0.08, zorder=0)
        ax.set_xticks(range(len(order)), labels, fontsize=8)
        ax.set_ylabel("linear-probe test accuracy")
        ax.set_ylim(0, 1.12)
        ax.legend(loc="upper right", ncols=min(len(eps), 5), fontsize=7)
        style.title(fig, experiment, "Linear probes on frozen features: clean and PGD accuracy")
        style.save(fig, paths, dpi=dpi)


def flip_eps(
    examples: pd.DataFrame, paths: Sequence[str | Path], *, experiment: str = "discriminators", dpi: int = 150
) -> None:
    """Left: median Linf eps that makes D call a real test image fake (bars, quartiles as
    error bars; over the images D called real), per GAN with its loss, unroll k and the share
    of real test images D called real. Right:
    the share of real images flipped within eps (empirical CDF; images D already calls fake
    count as flipped at 0)."""
    style.check_columns(examples, ("gan", "loss", "unroll_k", "initially_real", "flip_eps"), "flip table")
    gans = sorted(
        examples["gan"].unique(), key=lambda g: (str(examples.loc[examples["gan"] == g, "loss"].iloc[0]), g)
    )
    ticks: list[str] = []
    with style.figure(1, 2, size=(max(11.0, 2.2 * len(gans) + 6), 4.6)) as (fig, axes):
        bar_ax, cdf_ax = axes[0]
        for i, gan in enumerate(gans):
            part = examples[examples["gan"] == gan]
            eps = part.loc[part["initially_real"].astype(bool), "flip_eps"].to_numpy(float)
            info = f"{part['loss'].iloc[0]}, k={int(part['unroll_k'].iloc[0])}"
            if len(eps):
                q25, med, q75 = np.quantile(eps, [0.25, 0.5, 0.75])
                shown = med if np.isfinite(med) else np.nan
                err = [[shown - q25 if np.isfinite(q25) else 0], [q75 - shown if np.isfinite(q75) else 0]]
                bar = bar_ax.bar(i, shown, 0.6, color=style.color(i), yerr=err, capsize=4)
                bar_ax.bar_label(
                    bar, labels=[f"{med:.3f}" if np.isfinite(med) else "> max"], fontsize=7, padding=2
                )
            ticks.append(f"{gan}\n({info})\n{100 * float(part['initially_real'].mean()):.0f}% called real")
            all_eps = np.sort(part["flip_eps"].to_numpy(float))
            finite = all_eps[np.isfinite(all_eps)]
            y = np.arange(1, len(finite) + 1) / len(all_eps)
            cdf_ax.step(
                np.r_[0.0, finite], np.r_[0.0, y], where="post", color=style.color(i), label=f"{gan} ({info})"
            )
        bar_ax.set_xticks(range(len(gans)), ticks, fontsize=7)
        bar_ax.set_ylabel("median Linf eps, real -> fake")
        cdf_ax.set_xlabel("Linf eps (pixels in [0, 1])")
        cdf_ax.set_ylabel("share of real test images D calls fake")
        cdf_ax.set_ylim(-0.02, 1.02)
        cdf_ax.legend(loc="lower right", fontsize=7)
        style.title(fig, experiment, "PGD on the discriminator's score: eps to flip real to fake")
        style.save(fig, paths, dpi=dpi)
