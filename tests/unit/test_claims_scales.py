"""The scales a verdict reads (``reading.scales``, :mod:`advgen.claims.reading.scales`): a claim's
sides rewritten on each scale its reading lists, and a verdict that needs both of two scales (it
holds only where both hold, does not hold only where neither does, else inconclusive); a claim
without a reading (an implementation check) reads its own scale."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from advgen.claims import evaluate_all
from advgen.claims.measuring.measure import Context
from advgen.claims.page.table import frame
from advgen.claims.page.views import markdown
from advgen.claims.reading.claims_file import read_claims_file
from advgen.errors import ConfigError
from tests.unit.test_claims import claim, claims_file, decl

READING = {
    "proposition": "robust accuracy needs more data than clean accuracy",
    "measures": "the change across the fraction of the robust minus the clean accuracy",
    "sides": "one_sided",
    "scales": ["probability", "logit"],
    "scale_reason": "a clean accuracy near its ceiling has little room on the probability scale",
    "control_guards": "none here",
}


def sweep(tmp_path: Path, clean: tuple[float, float], robust: tuple[float, float]) -> dict:
    """A data-size sweep of 4 seeds at fractions 0.25 and 1 (clean and robust accuracy move from
    their first to their second value, 2,000 test digits), and the claim's two sides on it
    written on the logit scale, as the claims file writes them."""
    rows = [
        {"mode": "pgd", "fraction": f, "seed": s, "n_test": 2000,
         "clean_acc": c + 0.002 * s, "robust_acc": r + 0.003 * s}
        for s in range(4)
        for f, c, r in ((0.25, clean[0], robust[0]), (1.0, clean[1], robust[1]))
    ]  # fmt: skip
    (tmp_path / "robustness" / "sweeps").mkdir(parents=True)
    pd.DataFrame(rows).to_parquet(tmp_path / "robustness" / "sweeps" / "data_size.parquet")
    side = {
        "table": "robustness/sweeps/data_size.parquet",
        "query": "mode == 'pgd'",
        "per": "run",
        "unit": ["seed"],
    }
    return {
        "a": {**side, "label": "robust", "value": "logit(robust_acc, n_test)"},
        "b": {**side, "label": "clean", "value": "logit(clean_acc, n_test)"},
    }


def verdict(tmp_path: Path, sides: dict, reading: dict | None = READING):
    row = {
        **claim("c", decl("trend", "greater", 0.0, by="fraction"), {"kind": "none", "reason": "r"}, **sides)
    }
    row.pop("checks", None)
    if reading is not None:
        row["reading"] = reading
    else:  # a source claim needs a reading: an implementation check may have none
        row.pop("reading")
        row["group"] = "check"
    parsed = read_claims_file(claims_file(tmp_path, [row]))
    return evaluate_all(parsed.claims, Context(tmp_path, {}))[0]


@pytest.mark.parametrize(
    ("clean", "robust", "expected", "both"),
    [
        ((0.90, 0.91), (0.30, 0.60), "holds", ("holds", "holds")),  # robust gains on both scales
        (
            (0.95, 0.99),
            (0.30, 0.40),
            "inconclusive",
            ("holds", "does not hold"),
        ),  # the ceiling: they disagree
        ((0.60, 0.90), (0.30, 0.31), "does not hold", ("does not hold", "does not hold")),
    ],
)
def test_two_scales_a_verdict_needs_both(tmp_path: Path, clean, robust, expected: str, both) -> None:
    v = verdict(tmp_path, sweep(tmp_path, clean, robust))
    assert v.scales == ("probability", "logit")
    assert v.verdict == expected
    probability = (robust[1] - robust[0]) - (clean[1] - clean[0])
    assert v.estimate == pytest.approx(probability, abs=1e-9)  # the first scale's interval is the row's
    assert f"on the logit scale: {both[1]}: " in v.note
    if expected == "inconclusive":
        assert "the scales disagree: a verdict needs both" in v.note
        assert v.p_value >= 0.025 and v.p_against >= 0.025  # each the larger of the two scales'
    table = frame([v])
    assert table.loc[0, "scale"] == "probability, logit"
    assert table.loc[0, "proposition"] == READING["proposition"]
    assert (
        "| robust accuracy needs more data than clean accuracy | probability, logit: a verdict needs both |"
        in markdown(table)
    )


def test_a_claim_without_a_reading_reads_its_own_scale(tmp_path: Path) -> None:
    v = verdict(tmp_path, sweep(tmp_path, (0.95, 0.99), (0.30, 0.40)), reading=None)
    assert v.scales == ("logit",) and v.verdict == "does not hold"

    def el(p: np.ndarray) -> np.ndarray:  # the empirical logit of 2,000 digits
        return np.log((p * 2000 + 0.5) / (2000 - p * 2000 + 0.5))

    s = np.arange(4)
    logit = (el(0.40 + 0.003 * s) - el(0.30 + 0.003 * s)) - (el(0.99 + 0.002 * s) - el(0.95 + 0.002 * s))
    assert v.estimate == pytest.approx(float(logit.mean()))


def test_a_scale_the_sides_cannot_be_read_on_is_refused_when_read(tmp_path: Path) -> None:
    sides = sweep(tmp_path, (0.9, 0.91), (0.3, 0.6))
    with pytest.raises(
        ConfigError, match=r"claims\[c\]\.reading\.scales: lists the log scale, but its test is a trend"
    ):
        verdict(tmp_path, sides, reading={**READING, "scales": ["log"]})
