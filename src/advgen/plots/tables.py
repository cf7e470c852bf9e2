"""Markdown summary tables for ``results/tables/``: sample quality per generator and
robust accuracy per classifier and attack. Plain GitHub-flavoured Markdown, no extra
dependency."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from advgen.errors import AdvgenError
from advgen.plots import style
from advgen.replicates import entry_of
from advgen.robustness.gap import GAP_FLAG_POINTS, pgd_vs_autoattack


def fmt(value: Any, digits: int = 3) -> str:
    """A table cell: floats with ``digits`` significant decimals, NaN as an en dash."""
    if value is None:
        return "–"
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return "–"
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        return f"{value:.{digits}f}"
    return str(value).replace("|", "\\|")


def markdown(df: pd.DataFrame, *, digits: int = 3, align: Sequence[str] | None = None) -> str:
    """``df`` as a Markdown table (numbers right-aligned)."""
    header = [fmt(c) for c in df.columns]
    if align is None:
        align = [
            "---:"
            if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
            else "---"
            for c in df.columns
        ]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(fmt(v, digits) for v in row) + " |")
    return "\n".join(lines) + "\n"


_FAMILY_ORDER = {"real": 0, "gan": 1, "gans": 1, "autoencoder": 2, "autoencoders": 2}


def sample_quality(quality: pd.DataFrame) -> str:
    """One row per generator (and the real held-out data as the reference): classifier
    FID, Inception Score, modes covered, KL to uniform, mean max-probability, precision and
    recall (Kynkäänniemi et al. 2019), status."""
    style.check_columns(quality, ("model", "fid", "modes", "num_classes"), "sample-quality table")
    df = quality.copy()
    df["_order"] = df.get("family", pd.Series(["gan"] * len(df))).map(_FAMILY_ORDER).fillna(3)
    df = df.sort_values(["_order", "model"])
    out = pd.DataFrame({"model": df["model"]})
    if "family" in df.columns:
        out["family"] = df["family"]
    out["FID ↓"] = df["fid"]
    if "is_mean" in df.columns:
        std = df["is_std"] if "is_std" in df.columns else pd.Series([np.nan] * len(df), index=df.index)
        out["IS ↑"] = [
            f"{m:.2f} ± {s:.2f}" if np.isfinite(s) else f"{m:.2f}" for m, s in zip(df["is_mean"], std)
        ]
    out["modes"] = [f"{int(m)}/{int(c)}" for m, c in zip(df["modes"], df["num_classes"])]
    for column, title in (
        ("kl_uniform", "KL to uniform ↓"),
        ("mean_max_prob", "mean max-prob ↑"),
        ("precision", "precision ↑"),
        ("recall", "recall ↑"),
        ("test_mse", "AE test MSE"),
    ):
        if column in df.columns:
            out[title] = df[column]
    if "status" in df.columns:
        out["status"] = df["status"]
    if "gate" in df.columns:  # the quality gate of sample_quality.bars (advgen.metrics.gate)
        failed = (
            df["gate_failures"]
            if "gate_failures" in df.columns
            else pd.Series([""] * len(df), index=df.index)
        )
        out["quality gate"] = [f"{g}: {f}" if f else (g or "–") for g, f in zip(df["gate"], failed)]
    note = (
        "Classifier-feature FID and Inception Score (not Inception-v3: comparable within this study only); "
        "modes: classes holding at least 1/(2C) of the samples; quality gate: the bars declared for the "
        "run's role (sample_quality.bars, docs/generators.md), pass or the bars missed.\n"
    )
    return (
        "# Sample quality per generator\n\n"
        + note
        + "\n"
        + markdown(out.reset_index(drop=True)).replace("| nan |", "| – |")
    )


def _norm_text(part: pd.DataFrame) -> str:
    """What eps measures in an attack's section heading."""
    from advgen.plots.robustness import NORM_NAMES, spatial_range

    norm = str(part["norm"].iloc[0])
    if norm == "spatial":
        limits = spatial_range(part)
        scale = f": eps 1 = ±{limits[0]:g}°, ±{limits[1]:g} px" if limits else ""
        return f"rotation and translation{scale}"
    if norm == "l0":
        return "eps = pixels changed (L0)"
    return f"{NORM_NAMES.get(norm, norm)} norm"


def _accuracy_rows(part: pd.DataFrame) -> pd.DataFrame:
    """One attack's rows of the Markdown table: clean accuracy and robust accuracy per eps, one row
    per run, and above a model's runs (``<entry>``, ``<entry>_seed<k>``: :func:`entry_of`) when it
    has several, a row with their mean and 95 % t-interval. The ``eps=0`` column is left out when
    it equals the clean one in every row (an attack at eps 0 leaves the input as it is)."""
    wide = part.pivot_table(index="classifier", columns="eps", values="robust_acc", aggfunc="mean")
    clean = part.groupby("classifier")["clean_acc"].mean()
    if 0.0 in wide.columns and np.allclose(
        wide[0.0].reindex(clean.index), clean, rtol=0, atol=1e-12, equal_nan=True
    ):
        wide = wide.drop(columns=0.0)
    runs = pd.concat(
        [clean.rename("clean"), wide.set_axis([f"eps={e:g}" for e in wide.columns], axis=1)], axis=1
    )
    rows = []
    for model, group in runs.groupby(lambda run: entry_of(str(run)), sort=True):
        if len(group) > 1:
            cells = {}
            for column in group.columns:
                mean, lo, hi = style.seed_interval(group[column])
                lo, hi = max(lo, 0.0), min(hi, 1.0)  # accuracies: the t-interval cut to [0, 1]
                cells[column] = f"**{mean:.3f}** [{lo:.3f}, {hi:.3f}]" if np.isfinite(mean) else "–"
            rows.append({"classifier": f"**{model}**: mean of {len(group)} seeds [95 % t-interval]", **cells})
        rows += [{"classifier": run, **{c: fmt(v) for c, v in row.items()}} for run, row in group.iterrows()]
    return pd.DataFrame(rows, columns=["classifier", *runs.columns])


def robustness(attacks: pd.DataFrame, minimal: pd.DataFrame | None = None) -> str:
    """Robust accuracy per classifier for each attack and epsilon (one section per attack,
    clean accuracy first; a model with several seeds gets a row of their mean and interval
    above its runs), then the minimal-perturbation sizes."""
    if "classifier" not in attacks.columns and "model" in attacks.columns:
        attacks = attacks.rename(columns={"model": "classifier"})
    style.check_columns(attacks, ("classifier", "attack", "eps", "clean_acc", "robust_acc"), "attack table")
    parts = [
        "# Robustness per classifier and attack\n",
        "Accuracy on the attacked test inputs; eps in pixel units ([0, 1] images).\n",
    ]
    finite = attacks[np.isfinite(attacks["eps"].astype(float))]
    if finite.empty:
        raise AdvgenError("attack table: no finite-epsilon rows")
    for attack, part in finite.groupby("attack", sort=True):
        norm = f", {_norm_text(part)}" if "norm" in part.columns else ""
        rows = _accuracy_rows(part)
        parts.append(
            f"\n## {attack}{norm}\n\n" + markdown(rows, align=["---", *["---:"] * (rows.shape[1] - 1)])
        )
    gap = pgd_vs_autoattack(finite)
    if len(gap):
        flagged = gap.assign(flag=np.where(gap["flagged"], "⚠ gap > 2 pts", "")).drop(columns="flagged")
        parts.append(
            "\n## PGD vs AutoAttack\n\n"
            "Robust accuracy under the strongest PGD entry and under AutoAttack (Croce & Hein 2020) on the same "
            f"inputs; gap in points. ⚠: a gap above {GAP_FLAG_POINTS:g} pts, a sign of gradient masking or a weak "
            f"attack ({int(gap['flagged'].sum())} of {len(gap)} rows flagged).\n\n"
            + markdown(flagged.rename(columns={"gap_points": "gap (pts)"}), digits=3)
        )
    if "mean_adv_confidence" in finite.columns and finite["mean_adv_confidence"].notna().any():
        conf = finite[finite["eps"].astype(float) > 0]
        wide = conf.pivot_table(
            index=["classifier", "attack"], columns="eps", values="mean_adv_confidence", aggfunc="mean"
        )
        wide.columns = [f"eps={e:g}" for e in wide.columns]
        parts.append(
            "\n## Confidence on fooled examples\n\n"
            "Mean softmax probability of the wrong predicted class over the examples each attack fools "
            "(Goodfellow et al. 2015: 81.4% on an adversarially trained maxout net; –: none fooled).\n\n"
            + markdown(wide.reset_index())
        )
    if minimal is not None and len(minimal):
        if "classifier" not in minimal.columns and "model" in minimal.columns:
            minimal = minimal.rename(columns={"model": "classifier"})
        style.check_columns(minimal, ("classifier", "attack", "rho_adv"), "minimal-perturbation table")
        wide = minimal.pivot_table(
            index="classifier", columns="attack", values="rho_adv", aggfunc="mean"
        ).reset_index()
        wide.columns = ["classifier"] + [f"{c}: mean ‖r‖₂/‖x‖₂" for c in wide.columns[1:]]
        parts.append("\n## Minimal perturbation (successful attacks)\n\n" + markdown(wide, digits=4))
    return "".join(parts)
