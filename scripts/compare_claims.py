"""Two claims pages side by side: which rows differ, and by how much.

Reads two ``claims.parquet`` tables (``results/tables/claims.parquet`` of two runs: a GPU run and
a CPU run of the same commit and config, say) and prints Markdown: the verdict counts of each,
every claim whose verdict differs, and every claim whose estimate or interval differs by more
than ``--tolerance`` (relative to the larger magnitude, or absolute below 1e-12), with both
values. GPU kernels round differently from CPU ones, so trained models and the numbers measured
on them differ; this says how far that carries to the verdicts.

    python scripts/compare_claims.py cpu/claims.parquet gpu/claims.parquet --names CPU GPU
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

NUMBERS = ("estimate", "lo", "hi")


def _missing(x: Any) -> bool:
    return x is None or bool(pd.isna(x))


def _close(a: Any, b: Any, tolerance: float) -> bool:
    if _missing(a) or _missing(b):
        return _missing(a) and _missing(b)
    a, b = float(a), float(b)
    scale = max(abs(a), abs(b))
    return abs(a - b) <= (tolerance * scale if scale > 1e-12 else 1e-12)


def _fmt(x: Any) -> str:
    return "-" if _missing(x) else f"{float(x):.4g}"


def compare(a: pd.DataFrame, b: pd.DataFrame, names: tuple[str, str], tolerance: float) -> list[str]:
    """Markdown lines comparing page ``a`` with page ``b`` (rows matched by claim id)."""
    left, right = a.set_index("id"), b.set_index("id")
    only = sorted(set(left.index) ^ set(right.index))
    ids = [i for i in left.index if i in right.index]
    lines = [
        f"{len(ids)} claims on both pages" + (f"; on one page only: {', '.join(only)}" if only else "") + "."
    ]
    counts = pd.DataFrame(
        {names[0]: left["verdict"].value_counts(), names[1]: right["verdict"].value_counts()}
    )
    lines += ["", f"| verdict | {names[0]} | {names[1]} |", "| --- | ---: | ---: |"]
    for verdict, row in counts.fillna(0).astype(int).iterrows():
        lines.append(f"| {verdict} | {row[names[0]]} | {row[names[1]]} |")
    changed = [i for i in ids if left.at[i, "verdict"] != right.at[i, "verdict"]]
    moved = [i for i in ids if not all(_close(left.at[i, c], right.at[i, c], tolerance) for c in NUMBERS)]
    lines += ["", f"Verdicts that differ: {len(changed)} of {len(ids)}."]
    lines += [
        f"Estimates or intervals that differ by more than {tolerance:g} (relative): {len(moved)} of {len(ids)}."
    ]
    if moved:
        lines += [
            "",
            f"| claim | verdict {names[0]} | verdict {names[1]} | estimate [interval] {names[0]} | "
            f"estimate [interval] {names[1]} |",
            "| --- | --- | --- | --- | --- |",
        ]
        for i in sorted(set(moved) | set(changed), key=ids.index):
            cells = []
            for side in (left, right):
                cells.append(
                    f"{_fmt(side.at[i, 'estimate'])} [{_fmt(side.at[i, 'lo'])}, {_fmt(side.at[i, 'hi'])}]"
                )
            mark = " **(verdict differs)**" if i in changed else ""
            lines.append(
                f"| `{i}`{mark} | {left.at[i, 'verdict']} | {right.at[i, 'verdict']} | {cells[0]} | {cells[1]} |"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    parser.add_argument("--names", nargs=2, default=("first", "second"), metavar=("FIRST", "SECOND"))
    parser.add_argument("--tolerance", type=float, default=1e-6, help="relative difference counted as equal")
    args = parser.parse_args(argv)
    pages = []
    for path in (args.first, args.second):
        try:
            pages.append(pd.read_parquet(path, columns=["id", "verdict", *NUMBERS]))
        except (OSError, ValueError, KeyError) as exc:
            print(f"{path}: not a claims table ({str(exc).splitlines()[0]})", file=sys.stderr)
            return 2
    print("\n".join(compare(*pages, tuple(args.names), args.tolerance)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
