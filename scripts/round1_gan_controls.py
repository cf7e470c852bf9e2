"""The sample-quality claims' controls on a sample-quality summary table of another run.

Usage: ``python scripts/round1_gan_controls.py SUMMARY.parquet [CONFIG]``

Reads one ``results/sample_quality/summary.parquet`` (a run's, such as round 1's on another
host), maps the config's roles (default ``config/config.yaml``) to the table's runs (an entry and
its ``_seed<N>`` runs) and prints, for every claim of ``config/claims.yaml`` whose sides and
control read that table only, the control's outcome as the claims page would show it.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import pandas as pd
import yaml

from advgen.claims import Context, read_claims_file
from advgen.claims.measuring.controls import control_outcome

TABLE = "sample_quality/summary.parquet"


def roles_of(config: dict, names: list[str]) -> dict[str, list[str]]:
    """Each role's runs among ``names``: its entries and their ``_seed<N>`` runs."""
    out = {}
    for role, entry in config.get("roles", {}).items():
        entries = entry if isinstance(entry, list) else [entry]
        out[role] = [n for n in names for e in entries if re.fullmatch(re.escape(e) + r"(_seed\d+)?", n)]
    return out


def main(argv: list[str]) -> int:
    if not 1 <= len(argv) <= 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    summary = pd.read_parquet(argv[0])
    config = yaml.safe_load(Path(argv[1] if len(argv) > 1 else "config/config.yaml").read_text())
    claims = read_claims_file("config/claims.yaml").claims
    roles = roles_of(config, list(summary["model"]))
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "sample_quality").mkdir()
        summary.to_parquet(Path(tmp) / TABLE)
        ctx = Context(Path(tmp), roles)
        for claim in claims:
            control = claim.control
            if claim.test is None or control is None or control.kind == "none":
                continue
            if {t.table for t in (*claim.terms, *control.terms)} != {TABLE}:
                continue
            text, withheld = control_outcome(claim, ctx)
            print(f"{claim.id}\t{control.kind}\t{text}" + ("\tWITHHELD" if withheld else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
