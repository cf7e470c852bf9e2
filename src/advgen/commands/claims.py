"""``advgen claims``: every claim of the source documents, tested on a run's Parquet tables;
``advgen claims compare MINE PUBLISHED``: a run's verdict table against the published one
(:mod:`advgen.claims.page.compare`); ``fragility``, ``predictions`` and ``cost``: the analyses of a
round's verdict tables (:data:`ANALYSES`)."""

from __future__ import annotations

import argparse
from importlib import import_module
from typing import Any

from advgen.commands._args import add_spec
from advgen.commands._files import add_input, add_output, refuse_overwrite

HELP = "the claims page (results/claims.html): verdicts of config/claims.yaml on a run, with intervals"
#: the analyses of a round's verdict tables (``advgen claims fragility`` ...: advgen.commands._claims_<name>)
ANALYSES = ("fragility", "predictions", "cost")


def add_arguments(p: argparse.ArgumentParser) -> None:
    _page_arguments(p)
    _summary_arguments(p)
    _compare_arguments(p)


def _page_arguments(p: argparse.ArgumentParser) -> None:
    """The page of a run: its claims file, results, config and outputs."""
    add_input(p, "--config", default=None, help="input: the claims file (config/claims.yaml)")
    add_input(
        p,
        "--results",
        tree=True,
        default="results",
        help="input: the run's results folder (tables are relative to it; the outputs may lie inside it, "
        "but none may be a table the page reads)",
    )
    how = p.add_mutually_exclusive_group()
    add_spec(
        how,
        "ClaimsPageSpec",
        default=None,
        help="JSON from the workflow (roles, tables the DAG produces, data)",
    )
    add_input(
        how,
        "--configfile",
        nargs="+",
        default=None,
        metavar="FILE",
        help="the run's workflow config file(s), merged as by --configfile (for a run checked by hand)",
    )
    add_output(p, "--html", default=None, help="output: the claims page (.html)")
    add_output(p, "-o", "--out", default=None, help="output: the claims page as Markdown (.md)")
    add_output(p, "--parquet", default=None, help="output: the verdict table (.parquet)")
    add_output(p, "--rst", default=None, help="output: the report's landing text, linking to the page")


def _summary_arguments(p: argparse.ArgumentParser) -> None:
    """The README's summary of a verdict table (``--readme-summary``) and what goes with it."""
    add_input(
        p,
        "--readme-summary",
        default=None,
        metavar="PARQUET",
        help="print the README's claims summary from a verdict table (claims.parquet) and exit",
    )
    add_output(
        p,
        "--readme",
        default=None,
        in_place=True,
        help="with --readme-summary: rewrite this README's summary block in place",
    )
    add_input(
        p,
        "--freeze",
        default=None,
        metavar="JSON",
        help="with --readme-summary: the run's freeze record (docs/default_run/freeze.json), for the "
        "header's round, freeze hash, hardware and numerics",
    )
    add_input(
        p,
        "--previous-round",
        default=None,
        metavar="PARQUET",
        help="with --readme-summary: the previous round's verdict table (docs/rounds/round2/claims_xeone.parquet); "
        "its verdicts go beside each row (column round<N>_verdict, N the round before the --freeze record's, "
        "1 without one) in the page and --table-out",
    )
    add_output(
        p,
        "--table-out",
        default=None,
        help="with --readme-summary: write the verdict table (with round<N>_verdict where --previous-round "
        "is given) to this Parquet (docs/default_run/claims.parquet)",
    )
    add_output(
        p,
        "--summary-page",
        default=None,
        help="with --readme-summary: write the per-claim page (Markdown) the README's summary links to",
    )


def _compare_arguments(p: argparse.ArgumentParser) -> None:
    """``advgen claims compare MINE PUBLISHED`` and the analyses of a round's verdict tables."""
    sub = p.add_subparsers(
        dest="claims_action", metavar="{compare,fragility,predictions,cost}", required=False
    )
    c = sub.add_parser(
        "compare",
        help="compare your run's verdict table with the published one, row by row",
        description="Per claim, whether the verdicts agree and whether the estimates differ by more "
        "than the two rows' own standard errors allow, then one summary line.",
    )
    add_input(c, "mine", help="input: your run's verdict table (results/tables/claims.parquet)")
    add_input(c, "published", help="input: the published one (docs/default_run/claims.parquet)")
    c.add_argument(
        "--names", nargs=2, default=("mine", "published"), metavar=("MINE", "PUBLISHED"),
        help="what to call the two tables in the output (default: mine published)",
    )  # fmt: skip
    for analysis in ANALYSES:  # a round's analyses, each its own module: add_parser(sub), main(args)
        import_module(f"advgen.commands._claims_{analysis}").add_parser(sub)


def _compare(args: argparse.Namespace) -> None:
    from advgen.claims.page.compare import COLUMNS, check, compare, markdown
    from advgen.io import read_table

    tables = [read_table(path, COLUMNS) for path in (args.mine, args.published)]
    for table, path in zip(tables, (args.mine, args.published), strict=True):
        check(table, str(path))
    rows, *only = compare(*tables)
    print(markdown(rows, (only[0], only[1]), (args.names[0], args.names[1])), end="")


def _readme(args: argparse.Namespace) -> None:
    import os
    from pathlib import Path

    from advgen.claims.page.readme import SUMMARY_PAGE, readme_summary, replace_summary, summary_page
    from advgen.claims.page.round_header import read_record, summary_header
    from advgen.claims.page.table import SUMMARY_COLUMNS as COLUMNS
    from advgen.errors import AdvgenError
    from advgen.io import read_table, write_text
    from advgen.output_set import output_set

    table = read_table(args.readme_summary, COLUMNS)
    record = read_record(args.freeze) if args.freeze else None
    if args.previous_round:
        from advgen.claims.page.rounds import with_previous_round

        before = max(1, int((record or {}).get("round", 2)) - 1)  # the round before the record's
        table = with_previous_round(table, read_table(args.previous_round, ["id", "verdict"]), round_=before)
    page = args.summary_page or SUMMARY_PAGE
    if args.readme:  # the link as the README's folder sees the page
        page = os.path.relpath(page, os.path.dirname(os.path.abspath(args.readme)) or ".")
    header = summary_header(table, record)
    summary = readme_summary(table, page=Path(page).as_posix(), header=header)
    with output_set():  # the README, the page and the table change together
        if not args.readme:
            print(summary, end="")
        else:
            try:
                text = Path(args.readme).read_text(encoding="utf-8")
                write_text(args.readme, replace_summary(text, summary))
            except (OSError, ValueError) as exc:
                raise AdvgenError(f"{args.readme}: {exc}") from None
        if args.summary_page:
            write_text(args.summary_page, summary_page(table, header=header))
        if args.table_out:
            from advgen.io import write_parquet

            write_parquet(table, args.table_out)


def _spec(args: argparse.Namespace) -> Any:
    from advgen.claims.page.page_spec import ClaimsPageSpec
    from advgen.errors import ConfigError
    from advgen.jobs import load_spec

    if args.spec is not None:
        return load_spec(args.spec, spec_type=ClaimsPageSpec)
    if args.configfile:
        from advgen.config_files import check_config_files
        from advgen.pipeline import build

        config = check_config_files(args.configfile)
        if args.config:
            config["claims"] = args.config
        if not config.get("claims"):
            raise ConfigError(f"{', '.join(args.configfile)}: claims: null (this config has no claims page)")
        return build(config, source=", ".join(args.configfile)).claims.command_spec()
    raise ConfigError(
        "advgen claims: give --spec (the workflow does) or --configfile FILE... (the run's config)"
    )


def main(args: argparse.Namespace) -> None:
    from pathlib import Path

    from advgen.claims.page.page_job import evaluate_page, write_page
    from advgen.errors import ConfigError

    if getattr(args, "claims_action", None) == "compare":
        _compare(args)
        return
    if getattr(args, "claims_run", None) is not None:  # one of ANALYSES
        args.claims_run(args)
        return
    if args.readme_summary:
        _readme(args)
        return
    spec = _spec(args)
    if not (args.html or args.out or args.parquet or args.rst):
        raise ConfigError("advgen claims: no output given (--html, -o, --parquet or --rst)")
    if not args.config:
        raise ConfigError("advgen claims: --config (the claims file) is required")
    page = evaluate_page(args.config, Path(args.results), spec)
    refuse_overwrite(args, page.found)
    write_page(page, {"html": args.html, "md": args.out, "parquet": args.parquet, "rst": args.rst})
