"""``advgen plot``: draw the figures of one family of the figure table (PNG/SVG/PDF by suffix; .md tables).

The family's renderer is its row's ``draw`` (:data:`advgen.pipeline.figures.FIGURES`).

One call draws several figures: repeat ``--input FILE... --out FILE... --spec JSON``, one
group per figure (the plots stage runs one job per family this way, paying Python and
matplotlib start-up once). ``--spec`` may be left out everywhere (``{}`` for each figure).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from advgen.commands._args import add_input, add_output, add_spec

HELP = "draw the figures of one family of the figure table (advgen.pipeline.figures) from its inputs"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--family", help="figure family, e.g. gan_losses (list: --list)")
    add_input(
        p,
        "--input",
        nargs="+",
        action="append",
        help="input table(s) (.parquet) or sample grids of one figure; repeat per figure",
    )
    add_output(
        p,
        "--out",
        nargs="+",
        action="append",
        help="output files of that figure; the suffix picks the format (.png .svg .pdf)",
    )
    add_spec(
        p,
        "PlotSpec",
        action="append",
        help="that figure's options as JSON: the keys its family draws (dpi, experiment, labels, ...)",
    )
    p.add_argument(
        "--list", action="store_true", help="print the figure families and their inputs, then exit"
    )


def main(args: argparse.Namespace) -> None:
    from advgen.config import check_spec, parse_spec
    from advgen.errors import AdvgenError
    from advgen.pipeline.figures import BY_FAMILY
    from advgen.plots.families import render

    drawn = {name: row for name, row in BY_FAMILY.items() if row.draw is not None}
    if args.list:
        for name, row in sorted(drawn.items()):
            print(f"{name:22s} {row.category:11s} {row.draw.doc if row.draw is not None else ''}")
        return
    inputs, outputs = args.input or [], args.out or []
    if not args.family or not inputs or not outputs:
        raise AdvgenError("--family, --input and --out are required (or --list)")
    if args.family not in drawn:
        raise AdvgenError(f"unknown figure family '{args.family}' (known: {', '.join(sorted(drawn))})")
    specs = args.spec or ["{}"] * len(inputs)
    if not len(inputs) == len(outputs) == len(specs):
        raise AdvgenError(
            f"--input, --out and --spec come in one group per figure: "
            f"got {len(inputs)}, {len(outputs)} and {len(specs)}"
        )
    options = [parse_spec(spec) for spec in specs]
    for spec in options:
        check_spec("PlotSpec", spec)
    draw = drawn[args.family].draw
    assert draw is not None  # the families with a renderer
    done: list[str] = []
    for paths, outs, spec in zip(inputs, outputs, options):
        try:
            render(args.family, draw, paths, outs, spec)
        except AdvgenError as exc:  # no partial output; name the input files when the message does not
            for path in [*done, *outs]:
                Path(path).unlink(missing_ok=True)
            message = str(exc)
            if not any(str(p) in message for p in paths):
                raise AdvgenError(f"{', '.join(paths)}: {message}") from exc
            raise
        done += outs
