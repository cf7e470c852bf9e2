"""One-screen summaries of the aggregate tables: the report's claims, as numbers.

* inversion: median final MSE per generator and number of restarts (do 5 beat 1?);
* inpainting: median hidden-pixel MSE per generator and mask (pepper < square < crosswalk?);
* interpolation: path smoothness per generator (is the AE's smoother than the GAN's?);
* truncation: FID / IS / modes per generator and psi.
"""

from __future__ import annotations

import pandas as pd

from advgen.sweeps.tables import ID_COLUMNS, METRIC_COLUMNS

_BY = {
    "inversion": (
        ["generator", "init", "restarts"],
        {"mse": "median", "first_restart_mse": "median", "label_kept": "mean"},
    ),
    "inpainting": (
        ["generator", "mask"],
        {"mse_hidden": "median", "correct_completed": "mean", "correct_masked": "mean"},
    ),
    "interpolation": (
        ["generator_kind", "generator", "latent"],
        {
            "path_length_ratio": "median",
            "max_step_ratio": "median",
            "mean_step_l2": "median",
            "label_changes": "mean",
            "third_class": "mean",
        },
    ),
    "truncation": (
        ["generator", "psi_value"],
        {"fid": "mean", "inception_score": "mean", "modes": "mean", "mean_max_prob": "mean"},
    ),
}


def summary_table(sweep: str, table: pd.DataFrame) -> pd.DataFrame:
    """The aggregate grouped by the sweep's main axes and by every other setting that
    varies in the table (a grid axis of the config)."""
    keys, stats = _BY[sweep]
    keys = [k for k in keys if k in table.columns]
    fixed = set(ID_COLUMNS) | set(METRIC_COLUMNS[sweep]) | set(keys) | {"psi"}  # psi_value is psi
    varying = [c for c in table.columns if c not in fixed and table[c].astype(str).nunique() > 1]
    keys = keys[:-1] + varying + keys[-1:] if keys else varying
    frame = table.copy()
    for k in keys:
        frame[k] = frame[k].astype(str)
    return frame.groupby(keys, sort=True, dropna=False).agg(stats)


def summarize(sweep: str, table: pd.DataFrame) -> list[str]:
    """Text lines of :func:`summary_table`."""
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.precision", 4):
        return summary_table(sweep, table).to_string().splitlines()
