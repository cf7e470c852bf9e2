"""``advgen plot --list``: the figure families, the job kinds whose job draws figures or tables of
the report (a function of :mod:`advgen.plots`), and what each draws from.

Each family is a job kind (:mod:`advgen.pipeline.figure_kinds`): ``advgen plot-<family>`` (the
tables' ``advgen table-<name>``) draws its figures from its typed ``--spec``
(:mod:`advgen.plots.figure_specs`), ``--input NAME=PATH`` its files (a family of several figures
per job: ``figure<i>`` for figure ``i``) and ``--output figure=PATH`` (or ``figures=PATH ...``)
with ``vectors=PATH ...`` the figures and their vector copies.
"""

from __future__ import annotations

import argparse

HELP = "list the figure families (the job kinds that draw the report's figures) and their inputs"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--list", action="store_true", required=True, help="print the figure families and their inputs"
    )


def main(args: argparse.Namespace) -> None:
    from advgen.pipeline.figure_kinds import draws_figures
    from advgen.pipeline.jobkinds import JOB_KINDS

    for kind in sorted(JOB_KINDS, key=lambda k: k.name):
        if draws_figures(kind):
            print(f"{kind.name:26s} {kind.command:28s} {kind.help}")
