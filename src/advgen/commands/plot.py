"""``advgen plot --list``: the figure families of the figure table and what each draws from.

Each family is a job kind (:mod:`advgen.pipeline.jobkinds_figures`): ``advgen plot-<family>``
(the tables' ``advgen table-<name>``) draws its figures, ``--spec`` holding each figure's
options (``{"figures": [...]}``), ``--input figure<i>=PATH`` figure ``i``'s files and
``--output figures=PATH ... vectors=PATH ...`` the figures and their vector copies.
"""

from __future__ import annotations

import argparse

HELP = "list the figure families of the figure table (advgen.pipeline.figures) and their inputs"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--list", action="store_true", required=True, help="print the figure families and their inputs"
    )


def main(args: argparse.Namespace) -> None:
    from advgen.pipeline.figures import BY_FAMILY

    for name, row in sorted(BY_FAMILY.items()):
        if row.draw is not None:
            command = row.rule.replace("_", "-")
            print(f"{name:22s} {row.category:11s} {command:28s} {row.draw.doc}")
