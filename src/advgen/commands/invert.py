"""``advgen invert``: one grid point of the inversion sweep (batched restarts, best-restart gather)."""

from __future__ import annotations

import argparse

from advgen.commands._args import add_point_arguments

HELP = "invert a generator on held-out images from random restarts (one inversion grid point)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_point_arguments(p)
    p.add_argument("--final", required=True, help="output: per-image metrics (.parquet)")
    p.add_argument("--steps", required=True, help="output: loss per step, image and restart (.parquet)")
    p.add_argument("--latents", required=True, help="output: recovered z (.pt)")
    p.add_argument("--figure", required=True, help="output: loss per restart for a few images (.png)")


def main(args: argparse.Namespace) -> None:
    from advgen.io import save_torch, write_parquet
    from advgen.jobs import load_spec, start_job
    from advgen.sweeps.points import run_inversion

    spec = load_spec(args.spec)
    with start_job(spec) as device:
        run = run_inversion(spec, args.generator, args.classifier, args.images, device)
    run.figure(args.figure)
    save_torch(run.latents, args.latents)
    write_parquet(run.steps, args.steps)
    write_parquet(run.final, args.final)
