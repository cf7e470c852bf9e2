"""``advgen truncation``: one grid point of the truncation sweep (samples with |z_j| <= psi, scored)."""

from __future__ import annotations

import argparse
import logging

HELP = "sample a generator with truncated latents and score the samples (one truncation grid point)"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", required=True, help="the grid point's spec as JSON (see advgen.sweeps.grid)")
    p.add_argument("--generator", required=True, help="GAN or autoencoder checkpoint (.pt)")
    p.add_argument("--classifier", required=True, help="classifier model (.pt)")
    p.add_argument("--reference", required=True, help="prepared training split: the real images FID compares to (.pt)")
    p.add_argument("--out", required=True, help="output: one row (.parquet)")
    p.add_argument("--samples", required=True, help="output: the truncation grid's row, same latents at every psi (.npz, uint8)")


def main(args: argparse.Namespace) -> None:
    import math

    import numpy as np

    from advgen.io import write_npz, write_parquet
    from advgen.jobs import load_spec, start_job
    from advgen.metrics import quality_row
    from advgen.sweeps import jobs
    from advgen.sweeps.tables import point_frame
    from advgen.sweeps.truncation import grid_row, sample, to_uint8

    spec = load_spec(args.spec)
    psi = spec["psi"]
    reference, _ = jobs.load_images(args.reference)
    with start_job(spec) as device:
        models = jobs.load_models(spec, args.generator, args.classifier, device)
        images = sample(models.generator, spec["num_samples"], models.z_dim, psi, seed=spec["seed"]).clamp(0, 1)
        row = quality_row(models.classifier, images, reference, seed=spec["seed"], device=device)
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
        },
    )
    log.info("psi %s: FID %.3f, IS %.3f, %d modes", psi, row["fid"], row["is_mean"], row["modes"])
    write_npz(args.samples, images=to_uint8(strip).numpy(), psi=np.float64(math.inf if psi is None else psi))
    write_parquet(table, args.out)
