"""``advgen inpaint``: one inpainting grid point of a generator (inversion on the known pixels)."""

from __future__ import annotations

import argparse

from advgen.commands._args import add_output, add_sweep_job_arguments

HELP = "inpaint masked held-out images with a generator (one inpainting grid point)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_sweep_job_arguments(p, "InpaintingPoint")
    add_output(p, "--out", required=True, help="output: one row per image (.parquet)")
    add_output(p, "--figure", required=True, help="output: original / masked / restored (.png)")


def main(args: argparse.Namespace) -> None:
    from advgen.io import write_parquet
    from advgen.jobs import load_spec, start_job
    from advgen.sweeps import figures, generator_job, jobs
    from advgen.sweeps.spec import InpaintingPoint

    spec = load_spec(args.spec, spec_type=InpaintingPoint)
    with start_job(spec, seed=False) as device:  # the point seeds itself once its models are loaded
        job = jobs.load_job(spec, args.generator, args.classifier, args.images, device)
        run = generator_job.run_inpainting(spec, job)
    figures.image_rows(run.panels, args.figure)
    write_parquet(run.table, args.out)
