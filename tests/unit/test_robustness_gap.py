"""PGD vs AutoAttack gap: computed per classifier/norm/eps, flagged above 2 points, shown in
the robustness table and the accuracy curves."""

from __future__ import annotations

import pandas as pd
import pytest

from advgen.plots.robustness import accuracy_curves
from advgen.plots.tables import robustness
from advgen.robustness.gap import pgd_vs_autoattack


def curves() -> pd.DataFrame:
    rows = []
    for clf, (pgd, pgd2, aa) in {
        "masked": ((0.9, 0.5), (0.8, 0.6), (0.9, 0.2)),
        "honest": ((0.9, 0.5), (1.0, 1.0), (0.9, 0.49)),
    }.items():
        for eps_i, eps in enumerate((0.0, 0.1)):
            for attack, kind, accs in (
                ("pgd40", "PGD", pgd),
                ("pgd10", "PGD", pgd2),
                ("autoattack", "AutoAttack", aa),
            ):
                rows.append(
                    {
                        "classifier": clf,
                        "attack": attack,
                        "attack_type": kind,
                        "norm": "linf",
                        "eps": eps,
                        "clean_acc": 0.9,
                        "robust_acc": accs[eps_i],
                    }
                )
    return pd.DataFrame(rows)


def test_gap_uses_the_strongest_pgd_and_flags_above_two_points() -> None:
    gap = pgd_vs_autoattack(curves()).set_index(["classifier", "eps"])
    assert gap.loc[("masked", 0.1), "pgd_attack"] == "pgd40"
    assert gap.loc[("masked", 0.1), "gap_points"] == pytest.approx(30.0)
    assert bool(gap.loc[("masked", 0.1), "flagged"])
    assert gap.loc[("honest", 0.1), "gap_points"] == pytest.approx(1.0)
    assert not bool(gap.loc[("honest", 0.1), "flagged"])
    assert gap.loc[("masked", 0.0), "pgd_attack"] == "pgd10"  # 0.8 < 0.9 at eps 0


def test_no_autoattack_rows_give_an_empty_gap_table() -> None:
    df = curves()
    assert pgd_vs_autoattack(df[df["attack_type"] != "AutoAttack"]).empty
    assert pgd_vs_autoattack(df.drop(columns="attack_type")).empty


def test_robustness_table_shows_pgd_vs_autoattack_with_flags() -> None:
    md = robustness(curves())
    section = md.split("## PGD vs AutoAttack")[1]
    assert "1 of 4 rows flagged" in section
    assert section.count("⚠ gap > 2 pts") == 1
    assert "## PGD vs AutoAttack" not in robustness(curves().query("attack_type != 'AutoAttack'"))


def test_accuracy_curves_overlay_autoattack(tmp_path) -> None:
    out = tmp_path / "curves.png"
    accuracy_curves(curves(), [out])
    assert out.stat().st_size > 0
