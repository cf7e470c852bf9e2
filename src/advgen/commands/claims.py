"""``advgen claims``: every claim of the source documents, tested on a run's Parquet tables."""

from __future__ import annotations

import argparse

HELP = "verdicts (holds / does not hold / inconclusive / not measured) of config/claims.yaml on a run"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", required=True, help="input: the claims file (config/claims.yaml)")
    p.add_argument(
        "--results", default="results", help="input: the run's results folder (tables are relative to it)"
    )
    p.add_argument("-o", "--out", required=True, help="output: the claims page (.md)")
    p.add_argument("--parquet", default=None, help="output: the verdict table (.parquet)")
    p.add_argument(
        "--rst", default=None, help="output: the claims page as reStructuredText (the report's landing page)"
    )


def main(args: argparse.Namespace) -> None:
    from advgen.claims import evaluate_all, frame, load_claims, markdown, rst
    from advgen.io import write_parquet, write_text

    claims = load_claims(args.config)
    verdicts = evaluate_all(claims, args.results)
    text = markdown(verdicts, results=args.results)
    if args.parquet:
        write_parquet(frame(verdicts), args.parquet)
    if args.rst:
        write_text(args.rst, rst(verdicts, results=args.results))
    write_text(args.out, text)
