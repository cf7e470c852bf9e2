"""``advgen inpaint``: a generator's inpainting grid points (inversion on the known pixels)."""

from __future__ import annotations

import argparse

from advgen.commands._args import add_output, add_sweep_job_arguments

HELP = "inpaint masked held-out images with a generator (its inpainting grid points, one process)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_sweep_job_arguments(p)
    add_output(p, "--out", required=True, help="output: one row per point and image (.parquet)")
    add_output(
        p, "--figure", required=True, help="output: original / masked / restored, one panel per point (.png)"
    )


def main(args: argparse.Namespace) -> None:
    from advgen.io import write_parquet
    from advgen.jobs import load_spec, start_job
    from advgen.sweeps import figures, generator_job, jobs

    spec = load_spec(args.spec)
    specs = generator_job.point_specs(spec, "inpainting")
    with start_job(spec, seed=False) as device:
        job = jobs.load_job(specs[0], args.generator, args.classifier, args.images, device)
        run = generator_job.run_inpainting(specs, job)
    figures.image_rows(run.panels, args.figure)
    write_parquet(run.table, args.out)
