"""``advgen claims fragility``: how far reruns on other arithmetic moved each row, the verdicts
they changed against the count the other rounds predict, and the fragile share a power plan
implies (:mod:`advgen.commands._rounds.yardstick`, :mod:`advgen.commands._rounds.plan_share`;
docs/claims.md, "Fragile verdicts")."""

from __future__ import annotations

import argparse
from typing import Any

from advgen.commands._claims_rounds import add_pair_arguments, pairs
from advgen.commands._files import add_input

HELP = "the reruns' perturbation scales and changed verdicts, and the fragile share a power plan implies"


def add_parser(sub: Any) -> None:
    p = sub.add_parser("fragility", help=HELP, description=HELP)
    add_pair_arguments(p)
    add_input(
        p, "--plan", default=None, help="input: a power plan (advgen power-plan --json): its fragile share"
    )
    add_input(
        p,
        "--table",
        default=None,
        help="input: with --plan, the verdict table of the round that ran it (the sizes it ran, its share)",
    )
    p.add_argument(
        "--power",
        type=float,
        nargs="*",
        default=[0.9, 0.95, 0.97, 0.99],
        help="with --plan: plans for these powers",
    )
    p.add_argument("--bound", type=float, default=0.10, help="with --plan: the fragile share's bound (0.1)")
    p.add_argument("--no-reruns", action="store_true", help="the plan's fragile share only")
    p.set_defaults(claims_run=main)


def main(args: argparse.Namespace) -> None:
    from advgen.commands._rounds import plan_share, yardstick
    from advgen.errors import AdvgenError

    if any(not 0 < p < 1 for p in args.power):
        raise AdvgenError(f"--power: each value must lie in (0, 1), got {args.power}")
    if not 0 <= args.bound <= 1:
        raise AdvgenError(f"--bound: expected a share in [0, 1], got {args.bound:g}")
    if args.table is not None and args.plan is None:
        raise AdvgenError("--table: only with --plan")
    if args.no_reruns and args.plan is None:
        raise AdvgenError("--no-reruns: give --plan")
    lines = [] if args.no_reruns else yardstick.report(pairs(args))
    if args.plan is not None:
        table = None if args.table is None else args.table.path
        share = plan_share.report(plan_share.read_plan(args.plan.path), args.power, table, args.bound)
        lines += ([""] if lines else []) + share
    print("\n".join(lines))
