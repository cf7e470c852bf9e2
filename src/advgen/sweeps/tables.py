"""Per-point tables and the aggregate: one Parquet per sweep.

Every per-point table starts with the point's identity (:data:`ID_COLUMNS`) and its
hyperparameters (one column per key of the sweep block), followed by the sweep's metric
columns (:data:`METRIC_COLUMNS`). :func:`aggregate` checks each table against that
schema, casts the metric columns to their declared dtypes and concatenates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from advgen.errors import AdvgenError
from advgen.io import read_parquet
from advgen.specs import spec_dict
from advgen.sweeps.spec import PointSpec

ID_COLUMNS: dict[str, str] = {
    "sweep": "string",
    "point": "string",
    "generator": "string",
    "generator_kind": "string",
    "dataset": "string",
    "classifier": "string",
    "seed": "int64",
}

#: metric columns of each sweep's aggregate (per-point tables carry them too)
METRIC_COLUMNS: dict[str, dict[str, str]] = {
    "inversion": {
        "image": "int64",  # index in the test split
        "label": "int64",
        "mse": "float64",  # best restart, final
        "psnr": "float64",
        "best_restart": "int64",
        "first_restart_mse": "float64",  # restart 0 alone (what one start finds)
        "mean_restart_mse": "float64",
        "independent_start_mse": "float64",  # one more start from another seed (R > 1, random init)
        "pred_target": "int64",  # classifier label of x
        "pred_recon": "int64",  # classifier label of G(z)
        "label_kept": "bool",
        "other_image": "int64",  # a test digit of another class, drawn per target (seeded): the controls'
        "pred_other": "int64",  # its classifier label
        "initial_mse": "float64",  # the best restart's MSE at its starting latent (before any step)
        "ink_target": "float64",  # the digit's area: share of pixels > 0.5 (advgen.sweeps.image_stats)
        "ink_recon": "float64",  # the same of G(z)
        "ink_other": "float64",  # the same of the digit of another class (other_image)
        "ink_other2": "float64",  # the same of a second digit of another class, drawn independently
    },
    "inpainting": {
        "image": "int64",
        "label": "int64",
        "mask": "string",
        "hidden_fraction": "float64",
        "hidden_ink": "float64",  # share of the digit's ink pixels (> 0.5) the mask hides
        "mask_row": "float64",  # centroid of the hidden pixels (pixels from the top / left): where the
        "mask_col": "float64",  # square lies (the report: restoration "depends on the precise location")
        "mse_hidden": "float64",
        "psnr_hidden": "float64",
        "mse_known": "float64",
        "best_restart": "int64",
        "pred_completed": "int64",
        "pred_masked": "int64",
        "correct_completed": "bool",
        "correct_masked": "bool",
    },
    "interpolation": {
        "pair": "int64",
        "start_image": "int64",
        "end_image": "int64",
        "start_label": "int64",
        "end_label": "int64",
        "latent": "string",
        "pred_start": "int64",
        "pred_end": "int64",
        "labels_path": "string",  # classifier labels along the path, e.g. "1-1-4-4-7"
        "mean_step_l2": "float64",
        "path_length_ratio": "float64",
        "max_step_ratio": "float64",
        "label_changes": "int64",
        "third_class": "bool",  # an interior label that is no end frame's nor end image's
        "min_endpoint_prob": "float64",  # lowest max(p(start label), p(end label)) along the path
        "third_class_blend": "bool",  # the same on the pixel cross-fade of the two end frames (control)
        "endpoint_mse": "float64",  # end frames against the real images they encode / invert
        "endpoint_mse_other": "float64",  # the same against another pair's real images (control)
        "end_approach": "float64",  # -Spearman(alpha, distance to G(z_end)): 1 = steadily closer
        "end_approach_other": "float64",  # the same towards another pair's end frame (control)
        "pair_l2": "float64",  # pixel L2 distance between the two real images (how different their shapes are)
        "similar_pair": "bool",  # labels 6/8 or 1/7, the report's "similar digits" (SIMILAR_LABELS)
    },
    "truncation": {
        "psi_value": "float64",  # psi, inf for no truncation
        "num_samples": "int64",
        "fid": "float64",  # classifier features, against the training split
        "inception_score": "float64",
        "inception_score_std": "float64",
        "modes": "int64",  # classes with >= 1/(2C) of the samples
        "kl_uniform": "float64",
        "mean_max_prob": "float64",
        "min_class_fraction": "float64",
        "sharpness": "float64",  # mean variance of the Laplacian of the samples (advgen.sweeps.image_stats)
        "speckle": "float64",  # mean share of impulse (salt-and-pepper) pixels of the samples
        "real_sharpness": "float64",  # the same of the reference (training) images
        "real_speckle": "float64",
    },
}


def point_frame(spec: PointSpec, rows: Mapping[str, Any] | pd.DataFrame) -> pd.DataFrame:
    """A per-point table: identity and hyperparameter columns of ``spec``, then ``rows``.

    Hyperparameters are every field of the spec that is not an identity column, a metric
    column or ``device``, valued as in the spec's JSON.
    """
    sweep = spec.sweep
    metrics = pd.DataFrame(rows)
    front = {k: getattr(spec, k) for k in ID_COLUMNS}
    params = {
        k: v
        for k, v in sorted(spec_dict(spec).items())
        if k not in ID_COLUMNS and k not in METRIC_COLUMNS[sweep] and k != "device"
    }
    n = len(metrics)
    head = pd.DataFrame({k: [v] * n for k, v in {**front, **params}.items()})
    frame = pd.concat([head, metrics.reset_index(drop=True)], axis=1)
    return cast(frame, sweep)


def cast(frame: pd.DataFrame, sweep: str, where: str = "table") -> pd.DataFrame:
    """Check the identity and metric columns of ``frame`` and cast them to their dtypes."""
    schema = {**ID_COLUMNS, **METRIC_COLUMNS[sweep]}
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise AdvgenError(
            f"{where}: not a table of the {sweep} sweep, missing column(s) {', '.join(missing)}"
        )
    try:
        return frame.astype(schema)
    except (TypeError, ValueError) as exc:
        raise AdvgenError(f"{where}: a column of the {sweep} sweep has the wrong type ({exc})") from exc


def aggregate(sweep: str, paths: Sequence[str | Path]) -> pd.DataFrame:
    """Concatenate the per-point tables of ``sweep`` (checked, in the order given)."""
    if sweep not in METRIC_COLUMNS:
        raise AdvgenError(f"unknown sweep {sweep!r} (known: {', '.join(METRIC_COLUMNS)})")
    if not paths:
        raise AdvgenError(f"{sweep}: no per-point tables to aggregate")
    frames = []
    for path in paths:
        frame = cast(read_parquet(path), sweep, str(path))
        if set(frame["sweep"]) != {sweep}:
            raise AdvgenError(f"{path}: holds sweep(s) {sorted(set(frame['sweep']))}, expected {sweep!r}")
        frames.append(frame)
    columns = list(dict.fromkeys(c for f in frames for c in f.columns))
    nonempty = [f.reindex(columns=columns) for f in frames if len(f)] or [frames[0].reindex(columns=columns)]
    return cast(pd.concat(nonempty, ignore_index=True), sweep, "aggregate")
