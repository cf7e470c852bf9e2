"""``advgen truncation``: one truncation grid point of a generator (samples with |z_j| <= psi, scored)."""

from __future__ import annotations

import argparse

from advgen.commands._args import add_output, add_sweep_job_arguments

HELP = "sample a generator with truncated latents and score the samples (one truncation grid point)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_sweep_job_arguments(
        p, "TruncationPoint", images="prepared training split: the real images FID compares to (.pt)"
    )
    add_output(p, "--out", required=True, help="output: one row (.parquet)")
    add_output(
        p,
        "--samples",
        required=True,
        help="output: the point's row of the truncation grid, same latents at every psi (.npz, uint8)",
    )


def main(args: argparse.Namespace) -> None:
    from advgen.io import write_npz, write_parquet
    from advgen.jobs import load_spec, start_job
    from advgen.sweeps import generator_job, jobs
    from advgen.sweeps.spec import TruncationPoint

    spec = load_spec(args.spec, spec_type=TruncationPoint)
    with start_job(spec, seed=False) as device:  # the point seeds itself once its models are loaded
        job = jobs.load_job(spec, args.generator, args.classifier, args.images, device)
        run = generator_job.run_truncation(spec, job)
    write_npz(args.samples, **run.samples)
    write_parquet(run.table, args.out)
