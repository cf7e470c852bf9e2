"""The fragility rule (:mod:`advgen.claims.deciding.fragility`): on constructed rows, and on round 1's
pages, where it flags every verdict that flipped between the committed Intel Xeon page and the
same frozen study on one H200 and on an AMD EPYC (docs/rounds/round1/); and on round 2's page, where a
rerun with other kernels differs in one flagged verdict and one firm one (docs/rounds/round2/)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from advgen.claims.deciding.fragility import deciding_adjusted, deciding_p, fragile

DOCS = Path(__file__).resolve().parents[2] / "docs"
ROUND1 = DOCS / "rounds" / "round1"
#: the six verdicts that differ between the Xeon page and both other pages
FLIPPED = {
    "ce_more_d_steps_attenuate",
    "inversion_keeps_digit",
    "madry_capacity_robustness",
    "schmidt_mnist_generalises",
    "su_one_pixel",
    "ae_forcing_kurtosis",
}


def rows(*items: tuple[str, str, float, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": i,
                "verdict": v,
                "p_value": p,
                "alpha": 0.025,
                "family": f,
                "raw_verdict": "",
                "would_be": "",
            }
            for i, v, p, f in items
        ]
    )


def test_the_band_around_the_level() -> None:
    """Deciding adjusted p within [alpha / 4, 4 alpha]: a "holds" at p 0.01 and one at 0.001, a
    "does not hold" whose other direction is 0.05 (p_against 1 - 0.95), an inconclusive at 0.2."""
    table = rows(
        ("near", "holds", 0.01, ""),
        ("far", "holds", 0.001, ""),
        ("fails", "does not hold", 0.95, ""),
        ("wide", "inconclusive", 0.2, ""),
        ("none", "not measured", math.nan, ""),
    )
    got = dict(zip(table["id"], fragile(table), strict=True))
    assert got["near"].startswith("deciding adjusted p 0.01 within [0.00625, 0.1]")
    assert got["far"] == "" and got["wide"] == "" and got["none"] == ""
    assert got["fails"].startswith("deciding adjusted p 0.05 within")
    assert got["fails"].endswith("Holm's adjustment in both directions would not keep it")


def test_holm_within_the_family_moves_a_row_into_the_band() -> None:
    """Alone, p 0.001 is firm (below alpha / 4); in a family of 10 (the others at p 0.5) Holm
    adjusts it to 0.01: fragile."""
    alone = rows(("x", "holds", 0.001, ""))
    assert fragile(alone)[0] == ""
    family = rows(("x", "holds", 0.001, "f"), *((f"o{i}", "inconclusive", 0.5, "f") for i in range(9)))
    assert deciding_adjusted(family)[0] == pytest.approx(0.01)
    assert fragile(family)[0].startswith("deciding adjusted p 0.01 within")


def test_the_table_of_the_two_direction_adjustment_is_read_as_written() -> None:
    """A table with ``p_against`` has its deciding adjusted p in ``p_adjusted`` already."""
    table = rows(("x", "does not hold", 0.99, "f")).assign(p_against=0.01, p_adjusted=0.02)
    assert deciding_p(next(table.itertuples())) == 0.01
    assert deciding_adjusted(table)[0] == 0.02 and fragile(table)[0].startswith("deciding adjusted p 0.02")


@pytest.mark.parametrize("other", ["h200", "epyc"])
def test_round_1_the_rule_flags_every_verdict_that_flipped(other: str) -> None:
    """Declared on the committed (Xeon) page, the rule flags all six verdicts that differ on the
    other hardware, and 24 of the page's 68 rows (21 of its 54 source claims)."""
    xeon = pd.read_parquet(ROUND1 / "claims_xeon.parquet")
    page = pd.read_parquet(ROUND1 / f"claims_{other}.parquet")
    merged = xeon.merge(page, on="id", suffixes=("", "_other"))
    assert set(merged.loc[merged["verdict"] != merged["verdict_other"], "id"]) == FLIPPED
    flagged = set(xeon.loc[fragile(xeon) != "", "id"])
    assert flagged >= FLIPPED
    assert len(flagged) == 24 and len(flagged & set(xeon.loc[xeon["group"] == "source", "id"])) == 21


def test_round_2_a_rerun_with_other_kernels_differs_in_one_flagged_and_one_firm_verdict() -> None:
    """Round 2's page against the same frozen study rerun with PyTorch's and MKL's kernels at AVX2:
    ``unroll_fid`` was flagged; ``inversion_restarts``, whose estimate moved one standard error,
    was not (docs/rounds/round2.md, "The same host with other kernels")."""
    page = pd.read_parquet(DOCS / "default_run" / "claims.parquet")
    rerun = pd.read_parquet(DOCS / "rounds" / "round2" / "claims_xeone_avx2.parquet")
    merged = page.merge(rerun, on="id", suffixes=("", "_rerun"))
    differ = merged.loc[merged["verdict"] != merged["verdict_rerun"]].set_index("id")
    assert list(differ.index) == ["unroll_fid", "inversion_restarts"]
    assert (fragile(page) != "").tolist() == (page["fragile"] != "").tolist()  # the page's own flags
    assert differ.loc["unroll_fid", "fragile"] != "" and differ.loc["inversion_restarts", "fragile"] == ""
