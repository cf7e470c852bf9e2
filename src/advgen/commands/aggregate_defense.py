"""``advgen aggregate-defense``: concatenate the defense stage's per-job tables."""

from __future__ import annotations

import argparse
import logging

HELP = "check and concatenate the per-job tables of the defense stage (purify, probe, flip, masking)"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--table", required=True, choices=("purify", "probe", "flip", "masking"), help="which table")
    p.add_argument("--out", required=True, help="output: the concatenated table (.parquet)")
    p.add_argument("--summary", default=None, help="flip only: output of the per-GAN summary (.parquet)")
    p.add_argument("--markdown", default=None,
                   help="purify / masking: output of the report table (.md): headline vs grey-box per purifier "
                        "and eps, or one line per masking check")  # fmt: skip
    p.add_argument("tables", nargs="+", help="per-job tables (.parquet)")


def main(args: argparse.Namespace) -> None:
    from advgen.defense.tables import concat, flip_summary, purify_markdown
    from advgen.errors import AdvgenError
    from advgen.io import write_parquet, write_text

    table = concat(args.table, args.tables)
    log.info("%s: %d rows from %d jobs", args.table, len(table), len(args.tables))
    if args.summary is not None:
        if args.table != "flip":
            raise AdvgenError("--summary is only for --table flip")
        summary = flip_summary(table)
        for row in summary.itertuples():
            log.info("%s (%s, k=%d): median flip eps %.4f, %.0f%% called real", row.gan, row.loss, row.unroll_k,
                     row.median_eps, 100 * row.share_real)  # fmt: skip
        write_parquet(summary, args.summary)
    if args.markdown is not None:
        if args.table == "purify":
            text = purify_markdown(table)
        elif args.table == "masking":
            from advgen.robustness.tables import masking_markdown

            text = masking_markdown(table)
        else:
            raise AdvgenError("--markdown is only for --table purify or masking")
        write_text(args.markdown, text)
    write_parquet(table, args.out)
