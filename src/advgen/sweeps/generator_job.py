"""A sweep job: one grid point of one generator, and the files its command writes.

The job's spec is the point's (:mod:`advgen.sweeps.spec`, named in its ``point`` field by its
readable label, :meth:`advgen.sweeps.grid.GridPoint.spec`). The job loads its models and
images (:func:`advgen.sweeps.jobs.load_job`), then seeds every generator from the point's
``seed`` (:func:`start_point`) and runs it (:mod:`advgen.sweeps.points`). Its tables name the
point in their ``point`` column, the inversion latents and the figure panels by its label. The
``advgen invert | inpaint | interpolate | truncation`` commands parse, call one function here
and write what it returns.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
import torch

from advgen.sweeps import inpainting_point, interpolation_point, inversion_point, jobs
from advgen.sweeps.spec import InpaintingPoint, InterpolationPoint, InversionPoint, PointSpec, TruncationPoint

log = logging.getLogger(__name__)


def start_point(spec: PointSpec) -> None:
    """Seed every generator from the point's ``seed`` (after its job loaded the models)."""
    from advgen.seeding import seed_everything

    seed_everything(spec.seed)
    log.info("point %s", spec.point)


# --- inversion


@dataclass
class InversionJob:
    final: pd.DataFrame  # one row per image
    steps: pd.DataFrame  # loss per (step, image, restart)
    latents: dict[str, Any]  # ``inversion_latents``: the point's recovered z, under its label
    panels: list[tuple[str, dict[str, torch.Tensor]]]  # figure: targets and G(z), titled by the label


def run_inversion(spec: InversionPoint, job: jobs.SweepJob) -> InversionJob:
    """An inversion point: its tables, its latents checkpoint and its figure panel."""
    start_point(spec)
    run = inversion_point.run_inversion(spec, job)
    return InversionJob(
        final=run.final,
        steps=run.steps,
        latents={"kind": "inversion_latents", "points": {spec.point: run.latents}},
        panels=[(spec.point, run.panel())],
    )


# --- inpainting


@dataclass
class InpaintingJob:
    table: pd.DataFrame  # one row per image
    panels: list[tuple[str, dict[str, torch.Tensor]]]  # figure: original, masked, restored


def run_inpainting(spec: InpaintingPoint, job: jobs.SweepJob) -> InpaintingJob:
    """An inpainting point: its table and its figure panel."""
    start_point(spec)
    run = inpainting_point.run_inpainting(spec, job)
    return InpaintingJob(run.table, [(spec.point, run.panel())])


# --- interpolation


@dataclass
class InterpolationJob:
    paths: pd.DataFrame  # one row per pair
    frames: pd.DataFrame  # one row per (pair, alpha)
    panels: list[dict[str, Any]]  # figure: the point's strips


def run_interpolation(spec: InterpolationPoint, job: jobs.SweepJob) -> InterpolationJob:
    """An interpolation point: its path and frame tables and its strips."""
    start_point(spec)
    run = interpolation_point.run_interpolation(spec, job)
    return InterpolationJob(run.paths, run.frames, [run.panel(spec.point)])


# --- truncation


@dataclass
class TruncationJob:
    table: pd.DataFrame  # one row
    #: ``images`` (1, K, C, H, W) uint8: the point's row of the truncation grid; ``psi`` (1,), inf: none
    samples: dict[str, Any]


def truncation_point(spec: TruncationPoint, job: jobs.SweepJob) -> tuple[pd.DataFrame, torch.Tensor]:
    """One truncation point (BigGAN's truncation trick, Brock et al. 2019): ``num_samples``
    samples with ``|z_j| <= psi`` scored against the job's reference images, and the
    truncation grid's row for ``psi`` (same latents at every psi)."""
    from advgen.metrics.evaluate import quality_row
    from advgen.sweeps.image_stats import sharpness, speckle
    from advgen.sweeps.tables import point_frame
    from advgen.sweeps.truncation import grid_row, sample

    psi, models = spec.psi, job.models
    images = sample(models.generator, spec.num_samples, models.z_dim, psi, seed=spec.seed).clamp(0, 1)
    row = quality_row(models.classifier, images, job.images, seed=spec.seed, device=job.device)
    strip = grid_row(models.generator, models.z_dim, psi, seed=spec.seed).clamp(0, 1)
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


def run_truncation(spec: TruncationPoint, job: jobs.SweepJob) -> TruncationJob:
    """A truncation point of a generator; ``job.images`` is the reference (training) split."""
    import numpy as np

    from advgen.sweeps.truncation import to_uint8

    start_point(spec)
    table, strip = truncation_point(spec, job)
    samples = {
        "images": np.stack([to_uint8(strip).numpy()]),
        "psi": np.array([math.inf if spec.psi is None else float(spec.psi)], dtype=np.float64),
    }
    return TruncationJob(table, samples)
