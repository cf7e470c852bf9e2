"""``advgen claims cost``: what a next confirmatory round would cost at each power, planned from
the last round's verdict table and priced from one measured run's job times
(:mod:`advgen.commands._rounds.round_cost`)."""

from __future__ import annotations

import argparse
from typing import Any

from advgen.commands._files import add_input, add_output

HELP = "what a next round would cost at each power: its plan's sizes priced from a measured run's job times"


def add_parser(sub: Any) -> None:
    p = sub.add_parser("cost", help=HELP, description=HELP)
    add_input(p, "table", help="input: the last round's verdict table (docs/default_run/claims.parquet)")
    add_input(
        p,
        "--times",
        required=True,
        help="input: the measured run's job wall times, a TSV (job, s) or its results/benchmarks folder",
    )
    p.add_argument(
        "--wall",
        type=float,
        default=None,
        help="the measured run's make run wall, s (required but with --save-times)",
    )
    add_input(
        p, "--config", default="config/config.yaml", help="input: the study's config as that round ran it"
    )
    add_input(p, "--claims", default="config/claims.yaml", help="input: the claims file")
    p.add_argument(
        "--power", type=float, nargs="+", default=[0.9, 0.95, 0.97, 0.99], help="plans for these powers"
    )
    p.add_argument("--entries", action="store_true", help="per power, the entries that grow and why")
    add_output(
        p, "--save-times", default=None, help="output: --times as a TSV (job, s); nothing else is done"
    )
    p.set_defaults(claims_run=main)


def main(args: argparse.Namespace) -> None:
    import math

    from advgen.claims.reading.claims_file import load_claims
    from advgen.commands._rounds import job_times, round_cost
    from advgen.config_files import read_config_file
    from advgen.errors import AdvgenError

    if any(not 0 < p < 1 for p in args.power):
        raise AdvgenError(f"--power: each value must lie in (0, 1), got {args.power}")
    jobs = job_times.read_times(args.times.path)
    if args.save_times is not None:
        job_times.write_times(jobs, args.save_times.path)
        return
    if args.wall is None or not (math.isfinite(args.wall) and args.wall > 0):
        raise AdvgenError(f"--wall: expected the measured run's seconds > 0, got {args.wall}")
    config = read_config_file(args.config.path)
    claims = {c.id: c for c in load_claims(args.claims.path)}
    lines = round_cost.report(
        args.table.path, config, claims, args.times.path, jobs, args.wall, args.power, args.entries
    )
    print("\n".join(lines))
