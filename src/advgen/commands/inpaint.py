"""``advgen inpaint``: one grid point of the inpainting sweep (inversion on the known pixels)."""

from __future__ import annotations

import argparse

from advgen.commands._args import add_point_arguments

HELP = "inpaint masked held-out images with a generator (one inpainting grid point)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_point_arguments(p)
    p.add_argument("--masks", required=True, help="mask set written by `advgen sweep-masks` (.pt)")
    p.add_argument("--out", required=True, help="output: one row per image (.parquet)")
    p.add_argument("--figure", required=True, help="output: original / masked / restored examples (.png)")


def main(args: argparse.Namespace) -> None:
    from advgen.io import write_parquet
    from advgen.jobs import load_spec, start_job
    from advgen.sweeps.points import run_inpainting

    spec = load_spec(args.spec)
    with start_job(spec) as device:
        run = run_inpainting(spec, args.generator, args.classifier, args.images, args.masks, device)
    run.figure(args.figure)
    write_parquet(run.table, args.out)
