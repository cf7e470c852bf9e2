"""``advgen interpolate``: a generator's interpolation grid points (latent paths between pairs)."""

from __future__ import annotations

import argparse

from advgen.commands._args import add_output, add_sweep_job_arguments

HELP = (
    "interpolate between pairs of held-out images in latent space (a generator's interpolation grid points)"
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_sweep_job_arguments(p)
    add_output(p, "--out", required=True, help="output: one row per point and pair (.parquet)")
    add_output(
        p,
        "--frames",
        required=True,
        help="output: label and probabilities per point, pair and alpha (.parquet)",
    )
    add_output(p, "--figure", required=True, help="output: interpolation strips, one panel per point (.png)")


def main(args: argparse.Namespace) -> None:
    from advgen.io import write_parquet
    from advgen.jobs import load_spec, start_job
    from advgen.sweeps import figures, generator_job, jobs

    spec = load_spec(args.spec)
    specs = generator_job.point_specs(spec, "interpolation")
    with start_job(spec, seed=False) as device:
        job = jobs.load_job(specs[0], args.generator, args.classifier, args.images, device)
        run = generator_job.run_interpolation(specs, job)
    figures.interpolation_strips(run.panels, args.figure)
    write_parquet(run.frames, args.frames)
    write_parquet(run.paths, args.out)
