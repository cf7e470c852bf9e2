"""``advgen cv build`` (Markdown/HTML/Typst/PDF), ``advgen cv stats`` (GitHub refresh) and
``advgen cv new`` (a starting CV that builds)."""

from __future__ import annotations

import argparse
import datetime as dt
import logging

from advgen.commands._files import add_input, add_output
from advgen.errors import AdvgenError

HELP = "build the CV (Markdown, HTML, Typst, PDF), refresh its GitHub star counts, or start a new one"

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

    new = sub.add_parser("new", help="write a starting cv.yaml, publications.bib and stats.yaml into FOLDER")
    add_output(
        new, "folder", metavar="FOLDER", help="folder for the three files (created; nothing overwritten)"
    )
    new.set_defaults(_cv_main=_new)


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


def _new(args: argparse.Namespace) -> None:
    from advgen.cv.starter import new_cv

    paths = new_cv(args.folder)
    folder = paths[0].parent
    for path in paths:
        log.info("wrote %s", path)
    print(
        f"Edit {folder}/cv.yaml and {folder}/publications.bib, then: advgen cv build --cv {folder}/cv.yaml "
        f"--bib {folder}/publications.bib --stats {folder}/stats.yaml --out {folder}/build"
    )


def main(args: argparse.Namespace) -> None:
    if not hasattr(args, "_cv_main"):
        raise AdvgenError("cv: choose an action: build, stats or new")
    args._cv_main(args)
