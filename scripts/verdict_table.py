"""The verdicts per claim of several runs of the frozen studies, as docs/claims.md's table.

Usage: ``python scripts/verdict_table.py [--add TITLE RERUN.parquet ...]``

One row per source claim of the reference run (round 2's published page), one column per run in
``COLUMNS`` (round 1 on three hardware kinds, round 2 and its reruns), then whether the reference
run's frozen rule named the verdict fragile. A verdict that differs from the reference run's is
bold. ``--add`` puts a rerun's column after the committed ones (the same round-2 study on a
second hardware kind: ``--add "round 2, H200" GPU.parquet``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from advgen.errors import AdvgenError

#: (column title, verdict table): the committed runs, in the table's order
COLUMNS = (
    ("round 1, Xeon-2 (the committed round-1 page)", "docs/round1/claims_xeon.parquet"),
    ("round 1, H200", "docs/round1/claims_h200.parquet"),
    ("round 1, EPYC-2", "docs/round1/claims_epyc.parquet"),
    ("round 2, XeonE-2", "docs/default_run/claims.parquet"),
    ("round 2, XeonE-2 with AVX2 kernels", "docs/round2/claims_xeone_avx2.parquet"),
)
#: the run the others are read against (its rows, its fragile column)
REFERENCE = "docs/default_run/claims.parquet"


def verdicts(path: str) -> dict[str, str]:
    """Claim id -> verdict of the verdict table at ``path``."""
    from advgen.io import read_table

    table = read_table(path, ["id", "verdict"])
    return dict(zip(table["id"].astype(str), table["verdict"].astype(str), strict=True))


def table(columns: Sequence[tuple[str, str]], reference: str = REFERENCE) -> list[str]:
    """The Markdown table: the reference run's source claims in its order, a column per run."""
    from advgen.io import read_table

    ref = read_table(reference, ["id", "group", "verdict", "fragile"])
    ref = ref[ref["group"] == "source"]
    runs = [(title, verdicts(path)) for title, path in columns]
    lines = [
        "| claim | " + " | ".join(title for title, _ in runs) + " | round 2 fragile |",
        "|---|" + "---|" * (len(runs) + 1),
    ]
    for row in ref.itertuples():
        rid, mine = str(row.id), str(row.verdict)
        cells = []
        for title, run in runs:
            if rid not in run:
                raise AdvgenError(f"{dict(columns)[title]}: no row for claim {rid}")
            verdict = run[rid]
            cells.append(verdict if verdict == mine else f"**{verdict}**")
        fragile = "yes" if str(row.fragile or "") else ""
        lines.append(f"| `{rid}` | " + " | ".join(cells) + f" | {fragile} |")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument(
        "--add",
        nargs=2,
        action="append",
        metavar=("TITLE", "TABLE"),
        help="a rerun's column after the committed ones",
    )
    args = parser.parse_args(argv)
    try:
        print("\n".join(table([*COLUMNS, *(tuple(a) for a in args.add or [])])))
    except AdvgenError as exc:
        print(f"verdict_table: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
