"""``advgen interpolate``: one interpolation grid point of a generator (latent paths between pairs)."""

from __future__ import annotations

import argparse

from advgen.commands._args import add_output, add_sweep_job_arguments

HELP = "interpolate between pairs of held-out images in latent space (one interpolation grid point of a generator)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_sweep_job_arguments(p, "InterpolationPoint")
    add_output(p, "--out", required=True, help="output: one row per pair (.parquet)")
    add_output(
        p,
        "--frames",
        required=True,
        help="output: label and probabilities per pair and alpha (.parquet)",
    )
    add_output(p, "--figure", required=True, help="output: interpolation strips (.png)")


def main(args: argparse.Namespace) -> None:
    from advgen.io import write_parquet
    from advgen.jobs import load_spec, start_job
    from advgen.sweeps import figures, generator_job, jobs
    from advgen.sweeps.spec import InterpolationPoint

    spec = load_spec(args.spec, spec_type=InterpolationPoint)
    with start_job(spec, seed=False) as device:  # the point seeds itself once its models are loaded
        job = jobs.load_job(spec, args.generator, args.classifier, args.images, device)
        run = generator_job.run_interpolation(spec, job)
    figures.interpolation_strips(run.panels, args.figure)
    write_parquet(run.frames, args.frames)
    write_parquet(run.paths, args.out)
