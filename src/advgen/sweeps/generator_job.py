"""A sweep job: grid points of one generator, in one process.

The job's spec is ``{"device": ..., "points": [point spec, ...]}`` (each a
:meth:`advgen.sweeps.grid.GridPoint.spec`, named in its ``point`` key by its readable label).
The workflow runs one job per grid point, so its list holds one point
(:meth:`advgen.pipeline.sweeps.SweepsPlan.spec`); a longer list runs the points in turn. The
models and the images are loaded once (:func:`advgen.sweeps.jobs.load_job`); each point is
seeded from its own ``seed`` (:func:`advgen.seeding.seed_everything`) before it runs, so it
draws the same random numbers alone as among other points. The point tables are
concatenated in list order, their ``point`` column naming the point. The ``advgen invert |
inpaint | interpolate | truncation`` commands parse, call one function here and write what
it returns.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import torch

from advgen.errors import ConfigError
from advgen.sweeps import jobs, points

log = logging.getLogger(__name__)


def point_specs(spec: dict[str, Any], sweep: str) -> list[dict[str, Any]]:
    """The job's point specs, checked: one generator, one sweep, at least one point, distinct names.

    Raises:
        ConfigError: a spec that is not a sweep job's.
    """
    specs = spec.get("points")
    if not isinstance(specs, list) or not specs or not all(isinstance(p, dict) for p in specs):
        raise ConfigError("--spec: points: expected a non-empty list of grid point specs")
    for key, want in (("sweep", {sweep}), ("generator", {specs[0].get("generator")})):
        found = {p.get(key) for p in specs}
        if found != want:
            raise ConfigError(
                f"--spec: points: {key} {sorted(map(str, found))}, expected one job's ({sorted(map(str, want))[0]})"
            )
    names = [p.get("point") for p in specs]
    if len(set(names)) != len(names):
        raise ConfigError(f"--spec: points: a point name is repeated ({', '.join(map(str, names))})")
    return [{**p, "device": spec.get("device", "auto")} for p in specs]


def each_point(
    specs: Sequence[dict[str, Any]], run: Callable[[dict[str, Any]], Any]
) -> Iterator[tuple[dict[str, Any], Any]]:
    """``(spec, run(spec))`` per point, each seeded from its own ``seed`` first."""
    from advgen.seeding import seed_everything

    for spec in specs:
        seed_everything(spec["seed"])
        log.info("point %s", spec["point"])
        yield spec, run(spec)


def concat(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(list(frames), ignore_index=True)


# --- inversion


@dataclass
class InversionJob:
    final: pd.DataFrame  # one row per (point, image)
    steps: pd.DataFrame  # loss per (point, step, image, restart)
    latents: dict[str, Any]  # ``inversion_latents``: per point, its recovered z
    panels: list[tuple[str, dict[str, torch.Tensor]]]  # figure: targets and G(z) per point


def run_inversion(specs: Sequence[dict[str, Any]], job: jobs.SweepJob) -> InversionJob:
    runs = list(each_point(specs, lambda s: points.run_inversion(s, job)))
    return InversionJob(
        final=concat([r.final for _, r in runs]),
        steps=concat([r.steps for _, r in runs]),
        latents={"kind": "inversion_latents", "points": {s["point"]: r.latents for s, r in runs}},
        panels=[(s["point"], r.panel()) for s, r in runs],
    )


# --- inpainting


@dataclass
class InpaintingJob:
    table: pd.DataFrame  # one row per (point, image)
    panels: list[tuple[str, dict[str, torch.Tensor]]]  # figure: original, masked, restored per point


def run_inpainting(specs: Sequence[dict[str, Any]], job: jobs.SweepJob) -> InpaintingJob:
    runs = list(each_point(specs, lambda s: points.run_inpainting(s, job)))
    return InpaintingJob(concat([r.table for _, r in runs]), [(s["point"], r.panel()) for s, r in runs])


# --- interpolation


@dataclass
class InterpolationJob:
    paths: pd.DataFrame  # one row per (point, pair)
    frames: pd.DataFrame  # one row per (point, pair, alpha)
    panels: list[dict[str, Any]]  # figure: the strips of each point


def run_interpolation(specs: Sequence[dict[str, Any]], job: jobs.SweepJob) -> InterpolationJob:
    runs = list(each_point(specs, lambda s: points.run_interpolation(s, job)))
    return InterpolationJob(
        concat([r.paths for _, r in runs]),
        concat([r.frames for _, r in runs]),
        [r.panel(s["point"]) for s, r in runs],
    )


# --- truncation


@dataclass
class TruncationJob:
    table: pd.DataFrame  # one row per point
    samples: dict[
        str, Any
    ]  # ``images`` (P, K, C, H, W) uint8, one grid row per point; ``psi`` (P,), inf: none


def truncation_point(spec: dict[str, Any], job: jobs.SweepJob) -> tuple[pd.DataFrame, torch.Tensor]:
    """One truncation point (BigGAN's truncation trick, Brock et al. 2019): ``num_samples``
    samples with ``|z_j| <= psi`` scored against the job's reference images, and the
    truncation grid's row for ``psi`` (same latents at every psi)."""
    from advgen.metrics import quality_row
    from advgen.sweeps.image_stats import sharpness, speckle
    from advgen.sweeps.tables import point_frame
    from advgen.sweeps.truncation import grid_row, sample

    psi, models = spec["psi"], job.models
    images = sample(models.generator, spec["num_samples"], models.z_dim, psi, seed=spec["seed"]).clamp(0, 1)
    row = quality_row(models.classifier, images, job.images, seed=spec["seed"], device=job.device)
    strip = grid_row(models.generator, models.z_dim, psi, seed=spec["seed"]).clamp(0, 1)
    table = point_frame(
        spec,
        {
            "psi_value": [math.inf if psi is None else float(psi)],
            "num_samples": [row["n_samples"]],
            "fid": [row["fid"]],
            "inception_score": [row["is_mean"]],
            "inception_score_std": [row["is_std"]],
            "modes": [row["modes"]],
            "kl_uniform": [row["kl_uniform"]],
            "mean_max_prob": [row["mean_max_prob"]],
            "min_class_fraction": [row["min_class_fraction"]],
            "sharpness": [float(sharpness(images).mean())],
            "speckle": [float(speckle(images).mean())],
            "real_sharpness": [float(sharpness(job.images).mean())],
            "real_speckle": [float(speckle(job.images).mean())],
        },
    )
    log.info("psi %s: FID %.3f, IS %.3f, %d modes", psi, row["fid"], row["is_mean"], row["modes"])
    return table, strip


def run_truncation(specs: Sequence[dict[str, Any]], job: jobs.SweepJob) -> TruncationJob:
    """The truncation points of a generator; ``job.images`` is the reference (training) split."""
    import numpy as np

    from advgen.sweeps.truncation import to_uint8

    runs = list(each_point(specs, lambda s: truncation_point(s, job)))
    samples = {
        "images": np.stack([to_uint8(strip).numpy() for _, (_, strip) in runs]),
        "psi": np.array(
            [math.inf if s["psi"] is None else float(s["psi"]) for s, _ in runs], dtype=np.float64
        ),
    }
    return TruncationJob(concat([t for _, (t, _) in runs]), samples)
