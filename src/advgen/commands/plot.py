"""``advgen plot``: draw one figure family from the stages' tables (PNG/SVG/PDF by suffix)."""

from __future__ import annotations

import argparse

HELP = "draw one figure family (see advgen.plots.families) from Parquet tables"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--family", help="figure family, e.g. gan_losses (list: --list)")
    p.add_argument("--input", nargs="+", default=[], help="input table(s) (.parquet) or sample grids")
    p.add_argument("--out", nargs="+", default=[], help="output figure(s); the suffix picks the format (.png .svg .pdf)")
    p.add_argument("--spec", default="{}", help="options as JSON: the plots config plus experiment, labels, ...")
    p.add_argument("--list", action="store_true", help="print the figure families and their inputs, then exit")


def main(args: argparse.Namespace) -> None:
    from advgen.config import parse_spec
    from advgen.errors import AdvgenError
    from advgen.plots.families import FAMILIES, render

    if args.list:
        for name, fam in sorted(FAMILIES.items()):
            print(f"{name:22s} {fam.stage:11s} {fam.inputs}")
        return
    if not args.family or not args.input or not args.out:
        raise AdvgenError("--family, --input and --out are required (or --list)")
    spec = parse_spec(args.spec)
    try:
        render(args.family, args.input, args.out, spec)
    except AdvgenError as exc:  # name the input files when the message does not
        message = str(exc)
        if not any(str(p) in message for p in args.input):
            raise AdvgenError(f"{', '.join(args.input)}: {message}") from exc
        raise
