"""``advgen cv build`` (Markdown/HTML/Typst/PDF) and ``advgen cv stats`` (GitHub refresh)."""

from __future__ import annotations

import argparse
import datetime as dt
import logging

from advgen.commands._args import add_input, add_output
from advgen.errors import AdvgenError

HELP = "build the CV (Markdown, HTML, Typst, PDF) or refresh its GitHub star counts"

log = logging.getLogger(__name__)


def _date(text: str) -> dt.date:
    if text == "today":
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date or 'today': {text!r}") from exc


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="cv_command", metavar="ACTION", required=True)

    build = sub.add_parser("build", help="write cv.md, cv.html, cv.typ and cv.pdf into --out")
    add_input(build, "--cv", required=True, help="CV data (YAML, see config/cv/README.md)")
    add_input(build, "--bib", required=True, help="publications (BibTeX)")
    add_input(build, "--stats", required=True, help="citation and star counts (YAML)")
    add_output(build, "--out", required=True, help="output folder")
    build.add_argument(
        "--date",
        type=_date,
        default=None,
        help="'Last updated' date, YYYY-MM-DD or 'today' (default: cv.yaml last_updated)",
    )
    build.add_argument(
        "--fold-before",
        type=int,
        default=None,
        help="publications before this year share one group (default: the cv.yaml publications section)",
    )
    build.set_defaults(_cv_main=_build)

    stats = sub.add_parser("stats", help="refresh GitHub star counts (network); Scholar counts are kept")
    add_input(stats, "--cv", required=True, help="CV data: the repositories to count")
    add_input(stats, "--stats", required=True, help="current stats file (its Scholar counts are kept)")
    add_output(stats, "--out", required=True, help="refreshed stats file to write")
    stats.add_argument("--user", default=None, help="GitHub user (default: the github link in cv.yaml)")
    stats.add_argument("--api", default="https://api.github.com", help="GitHub REST API root")
    stats.set_defaults(_cv_main=_stats)


def _build(args: argparse.Namespace) -> None:
    from advgen.cv.build import build_cv

    paths = build_cv(args.cv, args.bib, args.stats, args.out, date=args.date, fold_before=args.fold_before)
    for path in paths:
        log.info("wrote %s (%d bytes)", path, path.stat().st_size)


def _stats(args: argparse.Namespace) -> None:
    from advgen.cv.github import GitHubClient, refresh_stats, urllib_transport

    client = GitHubClient(urllib_transport, api=args.api)
    stats = refresh_stats(args.cv, args.stats, args.out, client, user=args.user)
    log.info("wrote %s: %d repositories", args.out, len(stats["github"]["repos"]))


def main(args: argparse.Namespace) -> None:
    if not hasattr(args, "_cv_main"):
        raise AdvgenError("cv: choose an action: build or stats")
    args._cv_main(args)
