"""``advgen invert``: one inversion grid point of a generator (batched restarts, best-restart gather)."""

from __future__ import annotations

import argparse

from advgen.commands._args import add_output, add_sweep_job_arguments

HELP = "invert a generator on held-out images from random restarts (one inversion grid point)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_sweep_job_arguments(p, "InversionPoint")
    add_output(p, "--final", required=True, help="output: per-image metrics (.parquet)")
    add_output(p, "--steps", required=True, help="output: loss per step, image and restart (.parquet)")
    add_output(p, "--latents", required=True, help="output: recovered z, under the point's label (.pt)")
    add_output(p, "--figure", required=True, help="output: targets and G(z) (.png)")


def main(args: argparse.Namespace) -> None:
    from advgen.io import save_torch, write_parquet
    from advgen.jobs import load_spec, start_job
    from advgen.sweeps import figures, generator_job, jobs
    from advgen.sweeps.spec import InversionPoint

    spec = load_spec(args.spec, spec_type=InversionPoint)
    with start_job(spec, seed=False) as device:  # the point seeds itself once its models are loaded
        job = jobs.load_job(spec, args.generator, args.classifier, args.images, device)
        run = generator_job.run_inversion(spec, job)
    figures.image_rows(run.panels, args.figure)
    save_torch(run.latents, args.latents)
    write_parquet(run.steps, args.steps)
    write_parquet(run.final, args.final)
