"""The defense stage's tables: per-job Parquet schemas, concatenation and the flip summary.

* ``results/defense/purify.parquet``: :data:`advgen.defense.evaluate.COLUMNS`;
* ``results/defense/probe.parquet``: :data:`advgen.probe.robust.COLUMNS`;
* ``results/defense/flip_examples.parquet``: :data:`FLIP_COLUMNS` (one row per image);
* ``results/defense/flip.parquet``: :data:`FLIP_SUMMARY_COLUMNS` (one row per GAN).

This module imports no torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from advgen.errors import AdvgenError
from advgen.io import read_parquet

FLIP_COLUMNS = ["gan", "loss", "unroll_k", "image", "label", "score", "initially_real", "flipped", "flip_eps",
                "adv_score", "eps_max"]  # fmt: skip
FLIP_SUMMARY_COLUMNS = ["gan", "loss", "unroll_k", "n", "share_real", "share_flipped", "median_eps", "q25_eps",
                        "q75_eps", "mean_score", "eps_max"]  # fmt: skip


def table_columns(table: str) -> list[str]:
    """The columns every per-job table of ``table`` (purify, probe, flip) has."""
    if table == "purify":
        from advgen.defense.evaluate import COLUMNS

        return list(COLUMNS)
    if table == "probe":
        from advgen.probe.robust import COLUMNS

        return list(COLUMNS)
    if table == "flip":
        return list(FLIP_COLUMNS)
    raise AdvgenError(f"unknown defense table '{table}' (known: purify, probe, flip)")


def concat(table: str, paths: Sequence[str | Path]) -> pd.DataFrame:
    """Concatenate per-job tables, checking each has the table's columns."""
    columns = table_columns(table)
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
        rows.append({
            "gan": gan, "loss": part["loss"].iloc[0], "unroll_k": int(part["unroll_k"].iloc[0]), "n": len(part),
            "share_real": float(part["initially_real"].mean()),
            "share_flipped": float(real["flipped"].mean()) if len(real) else np.nan,
            "median_eps": float(med), "q25_eps": float(q25), "q75_eps": float(q75),
            "mean_score": float(part["score"].mean()), "eps_max": float(part["eps_max"].iloc[0]),
        })  # fmt: skip
    return pd.DataFrame(rows, columns=FLIP_SUMMARY_COLUMNS)
