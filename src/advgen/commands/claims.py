"""``advgen claims``: every claim of the source documents, tested on a run's Parquet tables."""

from __future__ import annotations

import argparse
from typing import Any

from advgen.commands._args import add_input, add_output, add_spec, refuse_overwrite

HELP = "the claims page (results/claims.html): verdicts of config/claims.yaml on a run, with intervals"


def add_arguments(p: argparse.ArgumentParser) -> None:
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
        help="with --readme-summary: rewrite this README's summary block in place",
    )
    add_output(
        p,
        "--summary-page",
        default=None,
        help="with --readme-summary: write the per-claim page (Markdown) the README's summary links to",
    )


def _readme(args: argparse.Namespace) -> None:
    import os
    from pathlib import Path

    from advgen.claims import readme_summary, replace_summary
    from advgen.claims.report import SUMMARY_COLUMNS as COLUMNS
    from advgen.claims.report import SUMMARY_PAGE, summary_page
    from advgen.errors import AdvgenError
    from advgen.io import read_table, write_text

    table = read_table(args.readme_summary, COLUMNS)
    page = args.summary_page or SUMMARY_PAGE
    if args.readme:  # the link as the README's folder sees the page
        page = os.path.relpath(page, os.path.dirname(os.path.abspath(args.readme)) or ".")
    summary = readme_summary(table, page=Path(page).as_posix())
    if not args.readme:
        print(summary, end="")
    else:
        try:
            text = Path(args.readme).read_text(encoding="utf-8")
            write_text(args.readme, replace_summary(text, summary))
        except (OSError, ValueError) as exc:
            raise AdvgenError(f"{args.readme}: {exc}") from None
    if args.summary_page:
        write_text(args.summary_page, summary_page(table))


def _spec(args: argparse.Namespace) -> Any:
    from advgen.claims.page_spec import ClaimsPageSpec
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


def _recording_context() -> type:
    """:class:`advgen.claims.Context` noting every table it reads (``read``: paths relative to
    the results folder), so that no output overwrites one."""
    from dataclasses import dataclass, field

    from advgen.claims import Context

    @dataclass
    class ReadTables(Context):
        read: set[str] = field(default_factory=set)

        def table(self, rel: str) -> Any:
            frame = super().table(rel)
            self.read.add(rel)
            return frame

    return ReadTables


def main(args: argparse.Namespace) -> None:
    from pathlib import Path

    from advgen.claims import data_header, evaluate_all, frame, html, markdown, read_claims_file, rst
    from advgen.claims.freeze_record import read_freeze
    from advgen.claims.phase import freeze_path, phase_of
    from advgen.errors import AdvgenError, ConfigError
    from advgen.io import write_parquet, write_text

    if args.readme_summary:
        _readme(args)
        return
    spec = _spec(args)
    if not (args.html or args.out or args.parquet or args.rst):
        raise ConfigError("advgen claims: no output given (--html, -o, --parquet or --rst)")
    if not args.config:
        raise ConfigError("advgen claims: --config (the claims file) is required")
    _ReadTables = _recording_context()
    parsed = read_claims_file(args.config)
    results = Path(args.results)
    if not results.is_dir():
        raise AdvgenError(f"{results}: results folder not found")
    record = freeze_path(parsed)
    phase = phase_of(
        parsed,
        read_freeze(record) if record else None,
        (seed for runs in spec.seeds.values() for seed in runs.values()),
    )
    header = data_header(spec, results)
    header["phase"] = phase.header()
    ctx = _ReadTables(
        results,
        {role: list(runs) for role, runs in spec.roles.items()},
        set(spec.produced),
        generators=frozenset(spec.generators),
        budgets=header["budget_by_name"],
        seeds={run: seed for runs in spec.seeds.values() for run, seed in runs.items()},
        bars={role: dict(bar) for role, bar in spec.bars.items()},
    )
    table = frame(evaluate_all(parsed.claims, ctx, args.config), phase)
    line = (
        f"Phase: {phase.phase}"
        + (f" ({phase.why})" if phase.why else "")
        + f"; claims file sha256 {phase.sha256}"
    )
    if phase.freeze is not None:
        line += f", frozen on {phase.freeze.date} ({phase.freeze.claims_sha256})"
    line += "\n\nData: " + "; ".join(
        f"{d['name']}: {d['label']}"
        + (f", {d['resolution']}" if d["resolution"] else "")
        + (f", {d['train']} train / {d['test']} test images" if d["train"] is not None else "")
        for d in header["datasets"]
    )
    if header["budgets"]:
        line += "\n\nTraining budget, this study vs the source: " + "; ".join(
            f"{b['what']}: {b['ours']} vs {b['source']}" for b in header["budgets"]
        )
    pages = {
        args.html: lambda: html(table, header),
        args.out: lambda: markdown(table, header=line),
        args.rst: lambda: rst(table),
    }
    texts = {path: make() for path, make in pages.items() if path}
    sources = Path(parsed.path).parent
    refuse_overwrite(
        args,
        {
            "--results (a table the claims read)": [results / rel for rel in sorted(ctx.read)],
            "--results (a dataset's manifest)": [
                results / "data" / name / "manifest.parquet" for name in spec.datasets
            ],
            "--config (a source text)": [sources / rel for rel in parsed.sources.values()],
        },
    )
    if args.parquet:
        write_parquet(table, args.parquet)
    for path, text in texts.items():
        write_text(path, text)
