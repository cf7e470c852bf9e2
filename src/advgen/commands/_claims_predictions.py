"""``advgen claims predictions``: per row, the chance that a rerun of a round's frozen study on a
second hardware kind changes its verdict, written before that rerun
(:mod:`advgen.commands._rounds.predictions`; docs/rounds/round2/flip_predictions.md)."""

from __future__ import annotations

import argparse
from typing import Any

from advgen.commands._claims_rounds import add_pair_arguments, pairs
from advgen.commands._files import add_input, add_output

HELP = "per row, the chance that a rerun on a second hardware kind changes its verdict (before that rerun)"


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "predictions",
        help=HELP,
        description=HELP + ". From a round's verdict table (its published page), or before the round "
        "runs from its frozen power plan and the table the plan was drawn from.",
    )
    add_input(
        p, "table", help="input: the round's verdict table, or with --plan the table the plan was drawn from"
    )
    add_input(
        p,
        "--plan",
        default=None,
        help="input: the round's frozen power plan (power_plan.json): predict before the run",
    )
    p.add_argument(
        "--round",
        type=int,
        default=None,
        help="the round predicted, whose own reruns are not read (default: the one after the latest rerun's)",
    )
    add_pair_arguments(p)
    add_output(p, "-o", "--out", default=None, help="output: the page (Markdown); else the table is printed")
    p.set_defaults(claims_run=main)


def _intro(args: argparse.Namespace, n_pairs: int, rounds: str) -> str:
    source = (
        f"the frozen power plan `{args.plan.path}` (its sized source claims at the sizes it runs, in "
        f"expectation under the plan's model, with the verdicts of `{args.table.path}` it was drawn from)"
        if args.plan is not None
        else f"round {args.round}'s verdict table `{args.table.path}` (each row as measured)"
    )
    return (
        f"Written before round {args.round}'s frozen study runs on a second hardware kind, from {source}, "
        f"with the perturbation scales of {n_pairs} reruns of round {rounds} on other arithmetic "
        '(docs/claims.md, "Fragile verdicts"): `advgen claims predictions`. A rerun\'s verdict table is '
        "read against it with `advgen claims compare` and `advgen claims fragility --rerun`: the count of "
        "verdicts that differ against its range, and every differing verdict flagged or likely."
    )


def main(args: argparse.Namespace) -> None:
    from advgen.commands._rounds import predictions
    from advgen.errors import AdvgenError
    from advgen.io import write_text

    read = pairs(args)
    if args.round is None:
        args.round = max(p.round for p in read) + 1
    others = [p for p in read if p.round != args.round]
    if not others:
        raise AdvgenError(
            f"--round {args.round}: no rerun of another round to read the perturbation scales from"
        )
    if args.plan is not None:
        lines = predictions.plan_predictions(args.plan.path, args.table.path, others)
    else:
        lines = predictions.table_predictions(args.table.path, others)
    if args.out is None:
        print("\n".join(lines))
        return
    rounds = " and ".join(str(r) for r in sorted({p.round for p in others}))
    title = f"Round {args.round} on a second hardware kind: the prediction, per row"
    write_text(args.out, predictions.page(title, _intro(args, len(others), rounds), lines))
