"""What ``advgen claims fragility`` and ``advgen claims predictions`` share: the reruns their
perturbation scales are read from (the committed ones, :data:`advgen.commands._rounds.yardstick.PAIRS`,
and one given on the command line)."""

from __future__ import annotations

import argparse
from typing import Any

from advgen.commands._files import add_input


def add_pair_arguments(p: Any) -> None:
    """``--rerun NAME=TABLE --published TABLE --rerun-round N`` and ``--only-given``."""
    add_input(
        p,
        "--rerun",
        named=True,
        default=None,
        metavar="NAME=PARQUET",
        help="input: a rerun's verdict table on other arithmetic, with its name, beside the committed reruns",
    )
    add_input(
        p, "--published", default=None, help="input: with --rerun, the published verdict table it reran"
    )
    p.add_argument("--rerun-round", type=int, default=None, help="with --rerun, the round it reran")
    p.add_argument(
        "--only-given", action="store_true", help="read the --rerun pair only, not the committed reruns"
    )


def pairs(args: argparse.Namespace) -> list[Any]:
    """The reruns the command reads (one line naming the argument where they are incomplete)."""
    from advgen.commands._rounds.yardstick import PAIRS, Pair
    from advgen.errors import AdvgenError

    given = []
    if args.rerun is not None:
        if args.published is None or args.rerun_round is None:
            raise AdvgenError("--rerun: give --published (the table it reran) and --rerun-round")
        name = str(args.rerun).split("=", 1)[0]
        given.append(Pair(args.rerun.path, args.published.path, name, args.rerun_round))
    elif args.published is not None or args.rerun_round is not None:
        raise AdvgenError("--published, --rerun-round: only with --rerun")
    if args.only_given and not given:
        raise AdvgenError("--only-given: give a --rerun")
    return given if args.only_given else [*PAIRS, *given]
