"""``advgen paper-smoke-config``: derive the small smoke config from ``config/paper.yaml``."""

from __future__ import annotations

import argparse

HELP = "write the paper config shrunk to a smoke test (same models, losses, attacks and rules)"

HEADER = """\
# Derived from {source} by `advgen paper-smoke-config` (advgen.smoke); do not edit, regenerate.
# Same data sets, models, losses, modes, attacks and rules; epochs, counts, steps and grids shrunk.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paper", help="the paper-scale config (config/paper.yaml)")
    p.add_argument("-o", "--output", required=True, help="output: the smoke config (YAML)")


def main(args: argparse.Namespace) -> None:
    import yaml

    from advgen.config import load_yaml
    from advgen.errors import ConfigError
    from advgen.io import write_text
    from advgen.smoke import smoke_config

    paper = load_yaml(args.paper)
    if not isinstance(paper, dict):
        raise ConfigError(f"{args.paper}: expected a mapping at the top level")
    text = yaml.safe_dump(smoke_config(paper), sort_keys=False, default_flow_style=None, width=100)
    write_text(args.output, HEADER.format(source=args.paper) + text)
