"""``advgen provenance RESULTS``: the outputs built by other code than the installed advgen.

Lists every checkpoint and Parquet table under RESULTS whose recorded code digest
(:mod:`advgen.provenance`) differs from the installed code's, or that records none, and
prints the ``snakemake --forcerun ...`` command that rebuilds them and what depends on them.
Exit status 0 when every output is current, 1 when some are not, 2 on bad input (a missing
folder, or one without any checkpoint or table: "all 0 outputs are current" would hide a wrong path).

The workflow's ``provenance`` job (:func:`advgen.provenance_page.provenance_job`) writes the
same findings as the report's provenance page and landing-page paragraph.
"""

from __future__ import annotations

import argparse
import sys

from advgen.commands._files import add_input

HELP = "list the outputs built by other code than the installed advgen, and the snakemake command rebuilding them"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_input(
        p,
        "results",
        nargs="?",
        tree=True,
        default="results",
        help="the results folder (default: results)",
    )
    p.add_argument(
        "--snakemake-options",
        default="--cores all",
        metavar="OPTIONS",
        help="options the printed snakemake command starts with, e.g. your --configfile/--profile "
        "(default: %(default)s)",
    )


def main(args: argparse.Namespace) -> None:
    from advgen.errors import AdvgenError
    from advgen.provenance import code_digest, scan
    from advgen.provenance_page import ProvenanceReport, print_report

    scanned = tuple(scan(args.results))
    report = ProvenanceReport(
        str(args.results).rstrip("/") or "/", code_digest(), scanned, args.snakemake_options
    )
    if not report.outputs:
        raise AdvgenError(
            f"{args.results}: no checkpoint or Parquet table in it (not a results folder, or nothing built yet)"
        )
    print_report(report)
    if report.stale:
        sys.exit(1)
