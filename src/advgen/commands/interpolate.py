"""``advgen interpolate``: one grid point of the interpolation sweep (latent paths between pairs)."""

from __future__ import annotations

import argparse

from advgen.commands._args import add_point_arguments

HELP = "interpolate between pairs of held-out images in latent space (one interpolation grid point)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_point_arguments(p)
    p.add_argument("--out", required=True, help="output: one row per pair (.parquet)")
    p.add_argument("--frames", required=True, help="output: label and probabilities per pair and alpha (.parquet)")
    p.add_argument("--figure", required=True, help="output: interpolation strips (.png)")


def main(args: argparse.Namespace) -> None:
    from advgen.io import write_parquet
    from advgen.jobs import load_spec, start_job
    from advgen.sweeps.points import run_interpolation

    spec = load_spec(args.spec)
    with start_job(spec) as device:
        run = run_interpolation(spec, args.generator, args.classifier, args.images, device)
    run.figure(args.figure)
    write_parquet(run.frames, args.frames)
    write_parquet(run.paths, args.out)
