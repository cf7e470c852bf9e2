"""``advgen provenance RESULTS``: the outputs built by other code than the installed advgen.

Lists every checkpoint and Parquet table under RESULTS whose recorded code digest
(:mod:`advgen.provenance`) differs from the installed code's, or that records none, and
prints the ``snakemake --forcerun ...`` command that rebuilds them and what depends on them.
Exit status 0 when every output is current, 1 when some are not, 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys

HELP = "list the outputs built by other code than the installed advgen, and the snakemake command rebuilding them"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", nargs="?", default="results", help="the results folder (default: results)")
    p.add_argument(
        "--snakemake-options",
        default="--cores all",
        metavar="OPTIONS",
        help="options the printed snakemake command starts with, e.g. your --configfile/--profile "
        "(default: %(default)s)",
    )


def main(args: argparse.Namespace) -> None:
    from advgen.provenance import code_digest, rebuild_command, scan

    digest = code_digest()
    outputs = scan(args.results)
    stale = [o for o in outputs if not o.current(digest)]
    for o in stale:
        why = "no provenance record" if o.code is None else f"built by code {o.code[:16]}"
        print(f"{o.path}: {why}")
    if not stale:
        print(
            f"{args.results}: all {len(outputs)} checkpoints and tables built by the installed code ({digest[:16]})"
        )
        return
    print(
        f"{len(stale)} of {len(outputs)} outputs were not built by the installed code ({digest[:16]}); "
        "rebuild them and what depends on them with:"
    )
    print(f"  {rebuild_command([o.path for o in stale], args.snakemake_options)}")
    sys.exit(1)
