"""``advgen paper-smoke-config``: derive the small smoke config from ``config/paper.yaml``.

The input is read strictly and checked as the workflow checks a config
(:func:`advgen.pipeline.check.checked_pipeline`) before it is shrunk, so a config that fails
the schema or a file that is not UTF-8 is one line (exit status 2) and writes nothing; so is an
output path equal to the input, as for every command (:func:`advgen.commands._files.overwritten_input`).
"""

from __future__ import annotations

import argparse

from advgen.commands._files import add_input, add_output

HELP = "write the paper config shrunk to a smoke test (same models, losses, attacks and rules)"

HEADER = """\
# Derived from {source} by `advgen paper-smoke-config` (advgen.smoke); do not edit, regenerate.
# Same data sets, models, losses, modes, attacks and rules; epochs, counts, steps and grids shrunk.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_input(p, "paper", help="the paper-scale config (config/paper.yaml)")
    add_output(p, "-o", "--output", required=True, help="output: the smoke config (YAML)")


def main(args: argparse.Namespace) -> None:
    import yaml

    from advgen.config_files import read_config_file
    from advgen.io import write_text
    from advgen.pipeline.check import checked_pipeline
    from advgen.smoke import smoke_config

    paper = read_config_file(args.paper)
    checked_pipeline([args.paper])  # the workflow's check (it completes its own copy)
    text = yaml.safe_dump(smoke_config(paper), sort_keys=False, default_flow_style=None, width=100)
    write_text(args.output, HEADER.format(source=args.paper) + text)
