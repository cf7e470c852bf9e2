"""``advgen invert``: a generator's inversion grid points (batched restarts, best-restart gather)."""

from __future__ import annotations

import argparse

from advgen.commands._args import add_output, add_sweep_job_arguments

HELP = "invert a generator on held-out images from random restarts (its inversion grid points, one process)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_sweep_job_arguments(p)
    add_output(p, "--final", required=True, help="output: per-image metrics, every point (.parquet)")
    add_output(p, "--steps", required=True, help="output: loss per point, step, image and restart (.parquet)")
    add_output(p, "--latents", required=True, help="output: recovered z per point (.pt)")
    add_output(p, "--figure", required=True, help="output: targets and G(z), one panel per point (.png)")


def main(args: argparse.Namespace) -> None:
    from advgen.io import save_torch, write_parquet
    from advgen.jobs import load_spec, start_job
    from advgen.sweeps import figures, generator_job, jobs

    spec = load_spec(args.spec)
    specs = generator_job.point_specs(spec, "inversion")
    with start_job(spec, seed=False) as device:
        job = jobs.load_job(specs[0], args.generator, args.classifier, args.images, device)
        run = generator_job.run_inversion(specs, job)
    figures.image_rows(run.panels, args.figure)
    save_torch(run.latents, args.latents)
    write_parquet(run.steps, args.steps)
    write_parquet(run.final, args.final)
