"""``advgen provenance RESULTS``: the outputs built by other code than the installed advgen.

Lists every checkpoint and Parquet table under RESULTS whose recorded code digest
(:mod:`advgen.provenance`) differs from the installed code's, or that records none, and
prints the ``snakemake --forcerun ...`` command that rebuilds them and what depends on them.
Exit status 0 when every output is current, 1 when some are not, 2 on bad input (a missing
folder, or one without any checkpoint or table: "all 0 outputs are current" would hide a wrong path).

With ``--html`` and ``--rst`` (the workflow's ``provenance`` job) it also writes the report's
provenance page and landing-page paragraph (:mod:`advgen.provenance_page`) and exits 0 either
way: the page is the result.
"""

from __future__ import annotations

import argparse
import sys

from advgen.commands._args import add_input, add_output, refuse_overwrite

HELP = "list the outputs built by other code than the installed advgen, and the snakemake command rebuilding them"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_input(
        p,
        "results",
        nargs="?",
        tree=True,
        default="results",
        help="the results folder (default: results); --html and --rst may lie inside it, on no file it scans",
    )
    p.add_argument(
        "--snakemake-options",
        default="--cores all",
        metavar="OPTIONS",
        help="options the printed snakemake command starts with, e.g. your --configfile/--profile "
        "(default: %(default)s)",
    )
    add_output(p, "--html", help="output: the report's provenance page (with --rst; exit 0 either way)")
    add_output(p, "--rst", help="output: the report's landing-page paragraph (with --html)")


def main(args: argparse.Namespace) -> None:
    from advgen.errors import AdvgenError
    from advgen.provenance import code_digest, scan
    from advgen.provenance_page import ProvenanceReport, write_pages

    if (args.html is None) != (args.rst is None):
        raise AdvgenError("--html and --rst go together")
    digest = code_digest()
    scanned = tuple(scan(args.results))
    refuse_overwrite(args, {f"{args.results} (scanned)": [output.path for output in scanned]})
    report = ProvenanceReport(str(args.results).rstrip("/") or "/", digest, scanned, args.snakemake_options)
    if not report.outputs and not args.html:
        raise AdvgenError(
            f"{args.results}: no checkpoint or Parquet table in it (not a results folder, or nothing built yet)"
        )
    if args.html:  # the page first: its summary is printed only once the write succeeded
        write_pages(report, args.html, args.rst)
    for path, why in report.lines():
        print(f"{path}: {why}")
    if report.stale:
        print(
            f"{len(report.stale)} of {len(report.outputs)} outputs were not built by the installed code "
            f"({digest[:16]}); rebuild them and what depends on them with:"
        )
        print(f"  {report.command()}")
    else:
        n = len(report.outputs)
        print(f"{args.results}: all {n} checkpoints and tables built by the installed code ({digest[:16]})")
    if report.stale and not args.html:
        sys.exit(1)
