"""The worst case per example over a set of attacks (advgen.robustness.worst_case), its gap to
AutoAttack's standard budget, and the claims' reading of it."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from advgen.claims.measuring.measure import Context, NotMeasured, measure
from advgen.claims.reading.model import Term
from advgen.columns import worst_case_columns
from advgen.errors import AdvgenError
from advgen.io import write_parquet
from advgen.robustness.worst_case import claim_note, worst_case_table


def outcomes(
    classifier: str, attack: str, eps: float, adv: dict[int, bool], clean: bool = True
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "classifier": classifier,
            "attack": attack,
            "eps": eps,
            "example": list(adv),
            "clean_correct": clean,
            "adv_correct": list(adv.values()),
        }
    )


def test_an_example_fooled_by_one_attack_only_is_not_robust() -> None:
    frame = pd.concat(
        [
            outcomes("m", "pgd40", 0.3, {0: True, 1: False, 2: True, 3: True}),
            outcomes("m", "autoattack", 0.3, {0: True, 1: True, 2: False, 3: True}),
            outcomes("m", "fgsm", 0.3, {0: False, 1: False, 2: False, 3: False}),  # not in the set
        ]
    )
    table = worst_case_table(frame, ["pgd40", "autoattack"])
    assert tuple(table.columns) == worst_case_columns(["pgd40", "autoattack"])
    (row,) = table.itertuples()
    assert (row.classifier, row.eps, row.attacks, row.n) == ("m", 0.3, "pgd40, autoattack", 4)
    assert row.robust_acc == 0.5  # examples 0 and 3: neither attack fools them
    assert (row.robust_acc_pgd40, row.robust_acc_autoattack) == (0.75, 0.75)
    assert row.standard_n == 0 and math.isnan(row.gap) and row.standard_attack == ""


def test_disjoint_subsets_count_only_the_examples_every_attack_evaluated() -> None:
    frame = pd.concat(
        [
            outcomes("m", "pgd40", 0.3, {0: True, 1: True, 2: False, 3: True}),
            outcomes("m", "autoattack", 0.3, {2: True, 3: True, 4: False}),
            outcomes("m", "pgd40", 0.1, {0: True}),  # autoattack has no eps 0.1: no row
            outcomes("n", "pgd40", 0.3, {0: True}),  # autoattack never ran on n: no row
            outcomes("d", "pgd40", 0.3, {0: True}),
            outcomes("d", "autoattack", 0.3, {1: True}),  # no common example: no row
        ]
    )
    table = worst_case_table(frame, ["pgd40", "autoattack"])
    assert list(zip(table["classifier"], table["eps"], strict=True)) == [("m", 0.3)]
    row = table.iloc[0]
    assert row["n"] == 2 and row["robust_acc"] == 0.5  # examples 2 (fooled by pgd40) and 3
    assert row["robust_acc_autoattack"] == 1.0  # its own accuracy on the common examples only


def test_gap_to_the_standard_budget_on_the_examples_both_evaluated() -> None:
    adv = {i: i >= 3 for i in range(10)}  # the worst case: 7 of 10 robust
    frame = pd.concat(
        [
            outcomes("m", "pgd40", 0.3, adv),
            outcomes("m", "autoattack", 0.3, adv),
            # the standard budget on a nested subset of 4 (ids 3..6): it fools one more (id 3)
            outcomes("m", "aa_std", 0.3, {3: False, 4: True, 5: True, 6: True}),
            outcomes("k", "pgd40", 0.3, adv),
            outcomes("k", "autoattack", 0.3, adv),
        ]
    )
    table = worst_case_table(frame, ["pgd40", "autoattack"], "aa_std").set_index("classifier")
    m, k = table.loc["m"], table.loc["k"]
    assert m["robust_acc"] == 0.7 and m["n"] == 10
    assert (m["standard_attack"], m["standard_n"], m["standard_worst_acc"], m["standard_acc"]) == (
        "aa_std",
        4,
        1.0,
        0.75,
    )
    assert m["gap"] == pytest.approx(25.0)  # points
    assert k["standard_n"] == 0 and math.isnan(k["gap"])
    note = claim_note(table.reset_index())
    assert note.startswith("worst case per example over pgd40, autoattack; an upper bound: ")
    assert "AutoAttack's standard budget (aa_std) is 25.0 pt lower on 4 examples of m at eps 0.3" in note
    close = table.reset_index()
    close.loc[close["classifier"] == "m", "gap"] = 0.4
    assert "within 0.5 pt of AutoAttack's standard budget (aa_std) on 4 examples of m" in claim_note(close)


def test_a_repeated_example_or_an_attack_in_both_roles_is_refused() -> None:
    frame = pd.concat([outcomes("m", "a", 0.3, {0: True}), outcomes("m", "a", 0.3, {0: False})])
    frame = pd.concat([frame, outcomes("m", "b", 0.3, {0: True})])
    with pytest.raises(AdvgenError, match="example 0 appears twice"):
        worst_case_table(frame, ["a", "b"])
    with pytest.raises(AdvgenError, match="also one of the attacks"):
        worst_case_table(frame, ["a", "b"], "a")


def test_claims_read_the_worst_case_table_with_its_note(tmp_path: Path) -> None:
    adv = {i: i % 4 != 0 for i in range(8)}  # 6 of 8 robust
    frame = pd.concat(
        [
            outcomes("pgd_s0", "pgd40", 0.3, adv),
            outcomes("pgd_s0", "autoattack", 0.3, {i: i % 4 != 1 for i in range(8)}),  # 4 of 8 survive both
            outcomes("pgd_s0", "aa_std", 0.3, {0: False, 2: True, 3: True, 4: False}),
            outcomes("pgd_s1", "pgd40", 0.3, adv),
            outcomes("pgd_s1", "autoattack", 0.3, adv),
        ]
    )
    (tmp_path / "robustness").mkdir()
    write_parquet(
        worst_case_table(frame, ["pgd40", "autoattack"], "aa_std"), tmp_path / "robustness/worst_case.parquet"
    )
    ctx = Context(tmp_path, {"pgd_cnn": ["pgd_s0", "pgd_s1"]}, {"robustness/worst_case.parquet"})
    term = Term(
        table="robustness/worst_case.parquet",
        value="robust_acc",
        models=(("classifier", "pgd_cnn"),),
        query="eps == 0.3",
        per="proportion",
        count="n",
    )
    got = measure(ctx, term, "c")
    assert got.side.names == ("pgd_s0", "pgd_s1")
    assert [r.mean() for r in got.side.runs] == [0.5, 0.75]
    assert [len(r) for r in got.side.runs] == [8, 8]
    # on ids 0, 2, 3, 4 the worst case keeps 2 and 3 (0.5), the standard budget 2 and 3 too: gap 0
    assert got.note == (
        "worst case per example over pgd40, autoattack; within 0.5 pt of AutoAttack's standard budget "
        "(aa_std) on 4 examples of pgd_s0 at eps 0.3 (gap +0.0 pt)"
    )
    with pytest.raises(NotMeasured):
        measure(ctx, Term(**{**term.__dict__, "query": "eps == 0.1"}), "c")


def test_worst_case_command_writes_the_table_and_refuses_a_bad_input(tmp_path: Path, capsys) -> None:
    from advgen.cli import main as advgen

    frame = pd.concat(
        [outcomes("m", "a", 0.3, {0: True, 1: False}), outcomes("m", "b", 0.3, {0: False, 1: False})]
    )
    write_parquet(frame, tmp_path / "in.parquet")
    out = tmp_path / "wc.parquet"
    spec = '{"attacks": ["a", "b"], "standard": null}'
    argv = [
        "worst-case",
        "--spec",
        spec,
        "--input",
        f"tables={tmp_path / 'in.parquet'}",
        "--output",
        f"table={out}",
    ]
    assert advgen(argv) == 0
    table = pd.read_parquet(out)
    assert list(table["robust_acc"]) == [0.0] and list(table["n"]) == [2]
    frame.drop(columns="adv_correct").to_parquet(tmp_path / "bad.parquet")
    argv = [
        "worst-case",
        "--spec",
        spec,
        "--input",
        f"tables={tmp_path / 'bad.parquet'}",
        "--output",
        f"table={tmp_path / 'x.parquet'}",
    ]
    assert advgen(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.parquet: missing column(s) adv_correct" in err[0]
    assert not (tmp_path / "x.parquet").exists()
