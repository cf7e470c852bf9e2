"""``advgen flip-discriminator``: per GAN and real test image, the Linf eps that makes D say "fake".

The science is :func:`advgen.probe.jobs.flip_job` (every GAN of the job's spec, each seeded
as if it were a job of its own); this command parses, calls it and writes the two tables.
"""

from __future__ import annotations

import argparse

from advgen.commands._args import add_input, add_output, add_spec

HELP = "PGD on GAN discriminators' real/fake score: smallest eps flipping each real image to fake"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_spec(p, "FlipJobSpec", required=True, help="the job's spec as JSON (advgen.defense.plan.flip_job)")
    add_input(
        p,
        "--gans",
        named=True,
        nargs="+",
        required=True,
        help="inputs: NAME=checkpoint.pt per GAN of the spec",
    )
    add_input(p, "--images", required=True, help="prepared test split: the real images (.pt)")
    add_output(p, "--out", required=True, help="output: one row per GAN and image (.parquet)")
    add_output(p, "--summary", required=True, help="output: one row per GAN (.parquet)")


def main(args: argparse.Namespace) -> None:
    from advgen.commands._args import named_paths
    from advgen.defense.spec import FlipJobSpec
    from advgen.io import write_parquet
    from advgen.jobs import load_spec
    from advgen.probe.jobs import flip_job

    table, summary = flip_job(
        load_spec(args.spec, spec_type=FlipJobSpec), gans=named_paths(args.gans, "--gans"), images=args.images
    )
    write_parquet(summary, args.summary)
    write_parquet(table, args.out)
