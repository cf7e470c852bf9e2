"""The defense stage's tables: Parquet schemas, concatenation and the flip summary.

* ``results/defense/purify.parquet``: :data:`advgen.defense.tables.PURIFY_COLUMNS` (the purify
  jobs' tables concatenated, :func:`concat`);
* ``results/defense/probe.parquet``: :data:`advgen.probe.columns.COLUMNS`;
* ``results/defense/flip_examples.parquet``: :data:`FLIP_COLUMNS` (one row per image);
* ``results/defense/flip.parquet``: :data:`FLIP_SUMMARY_COLUMNS` (one row per GAN);
* masking checks: :data:`advgen.columns.MASKING_COLUMNS` (one row per model and check);
* :func:`purify_headline` / :func:`purify_markdown`: per purifier and eps, the headline
  (strongest adaptive attack) next to the grey-box number, :data:`HEADLINE_COLUMNS`.

This module imports no torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from advgen.columns import MASKING_COLUMNS
from advgen.errors import AdvgenError
from advgen.io import read_parquet

#: the rows of a purify job (advgen.defense.evaluate)
PURIFY_COLUMNS = [
    "defense",
    "method",
    "generator",
    "classifier",
    "point",
    "operating",
    "steps",
    "restarts",
    "steps_x_restarts",
    "attack",
    "threat",
    "eps",
    "n",
    "clean_acc",
    "robust_acc",
    "seconds_per_image",
    "attack_seconds_per_image",
    "attack_steps",
    "attack_restarts",
    "attack_samples",
    "unroll",
    "best_attack",
    "worst_case_acc",
]
FLIP_COLUMNS = [
    "gan",
    "loss",
    "unroll_k",
    "image",
    "label",
    "score",
    "initially_real",
    "flipped",
    "flip_eps",
    "adv_score",
    "eps_max",
]
FLIP_SUMMARY_COLUMNS = [
    "gan",
    "loss",
    "unroll_k",
    "n",
    "share_real",
    "share_flipped",
    "median_eps",
    "q25_eps",
    "q75_eps",
    "mean_score",
    "eps_max",
]


HEADLINE_COLUMNS = [
    "defense",
    "method",
    "eps",
    "n",
    "clean_acc",
    "greybox_acc",
    "greybox_attack",
    "adaptive_acc",
    "adaptive_attack",
    "gap_points",
]


def purify_headline(table: pd.DataFrame) -> pd.DataFrame:
    """One row per purifier and eps at its operating point: ``greybox_acc`` (the strongest
    grey-box attack's robust accuracy) and ``adaptive_acc`` (the strongest adaptive attack's,
    the defense's number), the attacks that reached them, and ``gap_points`` = 100 x
    (grey-box - adaptive): how much of the grey-box number the adaptive attacks remove.
    A table without the summary rows (older runs) yields no rows."""
    op = table[table["operating"].astype(bool)]
    heads = op[op["attack"] == "strongest_adaptive"].set_index(["defense", "eps"])
    grey = op[op["attack"] == "strongest_greybox"].set_index(["defense", "eps"])
    rows = []
    for (defense, eps), h in heads.sort_index().iterrows():
        g = grey.loc[(defense, eps)] if (defense, eps) in grey.index else None
        g_acc = float(g["robust_acc"]) if g is not None else np.nan
        rows.append(
            {
                "defense": defense,
                "method": h["method"],
                "eps": float(eps),
                "n": int(h["n"]),
                "clean_acc": float(h["clean_acc"]),
                "greybox_acc": g_acc,
                "greybox_attack": g["best_attack"] if g is not None else "",
                "adaptive_acc": float(h["robust_acc"]),
                "adaptive_attack": h["best_attack"],
                "gap_points": 100 * (g_acc - float(h["robust_acc"])),
            }
        )
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)


def purify_markdown(table: pd.DataFrame) -> str:
    """:func:`purify_headline` as a Markdown table (accuracies in %)."""
    head = purify_headline(table)
    lines = [
        "| defense | eps | n | clean | grey-box (attack) | adaptive, headline (attack) | gap (pts) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in head.itertuples():
        grey = "" if np.isnan(r.greybox_acc) else f"{100 * r.greybox_acc:.1f} ({r.greybox_attack})"
        gap = "" if np.isnan(r.gap_points) else f"{r.gap_points:+.1f}"
        lines.append(
            f"| {r.defense} | {r.eps:g} | {r.n} | {100 * r.clean_acc:.1f} | {grey} | "
            f"**{100 * r.adaptive_acc:.1f}** ({r.adaptive_attack}) | {gap} |"
        )
    return "\n".join(lines) + "\n"


def table_columns(table: str) -> list[str]:
    """The columns every per-job table of ``table`` (purify, masking) has."""
    if table == "purify":
        return list(PURIFY_COLUMNS)
    if table == "masking":
        return list(MASKING_COLUMNS)
    raise AdvgenError(f"unknown per-job table '{table}' (known: purify, masking)")


def concat(table: str, paths: Sequence[str | Path], columns: list[str] | None = None) -> pd.DataFrame:
    """Concatenate per-job tables, checking each has the table's columns (``columns``, by default
    :func:`table_columns`; ``table`` names the tables in errors)."""
    columns = table_columns(table) if columns is None else columns
    frames = []
    for path in paths:
        df = read_parquet(path)
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise AdvgenError(f"{path}: not a {table} table (missing column(s) {', '.join(missing)})")
        frames.append(df[columns])
    if not frames:
        raise AdvgenError(f"no {table} tables to concatenate")
    return pd.concat(frames, ignore_index=True)


def flip_summary(examples: pd.DataFrame) -> pd.DataFrame:
    """One row per GAN: the share of real test images D calls real, the share PGD flips
    within ``eps_max``, and the median / quartiles of the flip eps over the images D called
    real (``inf`` when fewer than half of them flip)."""
    rows = []
    for gan, part in examples.groupby("gan", sort=True):
        real = part[part["initially_real"]]
        eps = real["flip_eps"].to_numpy(float)
        q25, med, q75 = (np.quantile(eps, q) if len(eps) else np.nan for q in (0.25, 0.5, 0.75))
        rows.append(
            {
                "gan": gan,
                "loss": part["loss"].iloc[0],
                "unroll_k": int(part["unroll_k"].iloc[0]),
                "n": len(part),
                "share_real": float(part["initially_real"].mean()),
                "share_flipped": float(real["flipped"].mean()) if len(real) else np.nan,
                "median_eps": float(med),
                "q25_eps": float(q25),
                "q75_eps": float(q75),
                "mean_score": float(part["score"].mean()),
                "eps_max": float(part["eps_max"].iloc[0]),
            }
        )
    return pd.DataFrame(rows, columns=FLIP_SUMMARY_COLUMNS)
