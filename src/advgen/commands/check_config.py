"""``advgen check-config``: read and validate config files as the workflow would.

It runs :func:`advgen.pipeline.check.checked_pipeline`, the function the workflow runs at
parse time, so it rejects exactly what ``snakemake`` rejects (schema, cross-references,
masking classifiers and purifiers, the claims file once its stage checks it), and resolves the
config's relative file names against the workflow's folder as the workflow does, from any folder.
"""

from __future__ import annotations

import argparse

from advgen.commands._files import add_input

HELP = "check config files (YAML syntax, duplicate keys, schema, cross references); one line, exit 2 on error"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_input(p, "files", nargs="+", metavar="FILE", help="config files, merged in order as by --configfile")
    add_input(
        p,
        "--workflow",
        metavar="DIR",
        help="the workflow's folder, against which the config's relative file names resolve (default: the "
        "nearest folder holding a Snakefile above the first FILE, else the working folder)",
    )


def main(args: argparse.Namespace) -> None:
    from advgen.pipeline.check import checked_pipeline

    checked_pipeline(args.files, base=args.workflow)
    print(f"{', '.join(args.files)}: ok")
