"""``advgen check-config``: read and validate config files as the workflow would."""

from __future__ import annotations

import argparse

HELP = "check config files (YAML syntax, duplicate keys, schema, cross references); one line, exit 2 on error"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "files", nargs="+", metavar="FILE", help="config files, merged in order as by --configfile"
    )


def main(args: argparse.Namespace) -> None:
    from advgen.config_files import check_config_files

    check_config_files(args.files)
    print(f"{', '.join(args.files)}: ok")
