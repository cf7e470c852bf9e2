"""``advgen check-profile DIR``: a Snakemake profile's resources, checked as the workflow checks them.

The workflow runs the same check (:func:`advgen.profiles.check_profile`) on the ``--profile`` of
its ``snakemake`` command line before the DAG is built; this command runs it by hand, e.g. on a
profile edited for another cluster before the first submission (docs/slurm.md).
"""

from __future__ import annotations

import argparse

from advgen.commands._files import add_input

HELP = "check a Snakemake profile's resources (memory, wall time, GPUs, partition and account names); one line, exit 2"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_input(
        p, "profile", metavar="PROFILE", help="the profile: its folder (holding config.yaml) or its YAML file"
    )


def main(args: argparse.Namespace) -> None:
    from advgen.errors import ConfigError
    from advgen.pipeline.rules import rule_names
    from advgen.profiles import check_profile, profile_file

    path = profile_file(args.profile)
    if path is None:
        raise ConfigError(f"{args.profile}: no profile there (a folder holding config.yaml or profile.yaml)")
    check_profile(path, rule_names())
    print(f"{path}: ok")
