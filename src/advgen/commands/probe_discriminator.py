"""``advgen probe-discriminator``: linear probes on frozen features, clean and PGD accuracy.

The science is :func:`advgen.probe.jobs.probe_job` (every feature source of the job's spec,
each seeded as if it were a job of its own); this command parses, calls it and writes the table.
"""

from __future__ import annotations

import argparse

from advgen.commands._args import add_input, add_output, add_spec

HELP = "fit linear digit probes on frozen D / classifier features and attack probe(features(x)) with PGD"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_spec(p, "ProbeJobSpec", required=True, help="the job's spec as JSON (advgen.defense.plan.probe_job)")
    add_input(
        p,
        "--gans",
        named=True,
        nargs="+",
        default=[],
        help="inputs: NAME=checkpoint.pt per GAN (families gan, control)",
    )
    add_input(
        p,
        "--classifiers",
        named=True,
        nargs="+",
        default=[],
        help="inputs: NAME=model.pt per classifier (family classifier)",
    )
    add_input(p, "--train", required=True, help="prepared training split: the probes' fit (.pt)")
    add_input(p, "--test", required=True, help="prepared test split: the evaluation (.pt)")
    add_output(p, "--out", required=True, help="output: one row per source and eps (.parquet)")


def main(args: argparse.Namespace) -> None:
    from advgen.commands._args import named_paths
    from advgen.defense.spec import ProbeJobSpec
    from advgen.io import write_parquet
    from advgen.jobs import load_spec
    from advgen.probe.jobs import probe_job

    table = probe_job(
        load_spec(args.spec, spec_type=ProbeJobSpec),
        gans=named_paths(args.gans, "--gans"),
        classifiers=named_paths(args.classifiers, "--classifiers"),
        train=args.train,
        test=args.test,
    )
    write_parquet(table, args.out)
