"""``advgen truncation``: a generator's truncation grid points (samples with |z_j| <= psi, scored)."""

from __future__ import annotations

import argparse

from advgen.commands._args import add_output, add_sweep_job_arguments

HELP = "sample a generator with truncated latents and score the samples (its truncation grid points)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_sweep_job_arguments(p, images="prepared training split: the real images FID compares to (.pt)")
    add_output(p, "--out", required=True, help="output: one row per point (.parquet)")
    add_output(
        p,
        "--samples",
        required=True,
        help="output: the truncation grid's rows, one per point, same latents at every psi (.npz, uint8)",
    )


def main(args: argparse.Namespace) -> None:
    from advgen.io import write_npz, write_parquet
    from advgen.jobs import load_spec, start_job
    from advgen.sweeps import generator_job, jobs

    spec = load_spec(args.spec)
    specs = generator_job.point_specs(spec, "truncation")
    with start_job(spec, seed=False) as device:
        job = jobs.load_job(specs[0], args.generator, args.classifier, args.images, device)
        run = generator_job.run_truncation(specs, job)
    write_npz(args.samples, **run.samples)
    write_parquet(run.table, args.out)
