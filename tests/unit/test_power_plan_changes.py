"""``advgen power-plan --claims``: a row whose test differs from its claim's test in the claims file
(margin, scale, direction) is planned at the budget's maximum and labelled; rows whose tests match
are planned exactly as without the comparison."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
import pytest

from advgen.cli import main as cli_main
from advgen.commands import power_plan
from advgen.commands._power_plan_tests import TEST_CHANGED, compare, current_test

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "docs" / "default_run" / "claims.parquet"
CLAIMS = ROOT / "config" / "claims.yaml"


@pytest.fixture(scope="module")
def claims() -> list:
    from advgen.claims.reading.claims_file import load_claims

    return load_claims(CLAIMS)


@pytest.fixture(scope="module")
def matching(claims) -> pd.DataFrame:
    """The published table's measured rows of claims still measured, their tests written as the
    claims file's now (a table from 2026-11-29 on: ``budget`` and ``control_flag`` columns)."""
    by_id = {c.id: c for c in claims}
    table = pd.read_parquet(TABLE)
    table = table[table["id"].isin([c.id for c in claims if c.status == "measured" and c.test is not None])]
    table = table.reset_index(drop=True)
    for i, cid in enumerate(table["id"]):
        now = current_test(by_id[cid])
        for key in ("test", "direction", "margin", "tolerance", "scale"):
            table.loc[i, key] = now[key]
        control = by_id[cid].control
        table.loc[i, "control_kind"] = control.kind if control else ""
    table["budget"], table["control_flag"] = "", ""
    return table


def _args(**kw) -> argparse.Namespace:
    base = dict(
        alpha=None, power=0.97, conservative=0.8, max_runs=10, max_examples=1000, cut=[], claims=str(TABLE)
    )
    return argparse.Namespace(**{**base, **kw})


def _build(table: pd.DataFrame, claims) -> tuple[list, list]:
    rows = table.to_dict("records")
    before = power_plan.build(rows, _args())
    after = power_plan.build(rows, _args(claims_file=str(CLAIMS)), compare(rows, claims, set(table.columns)))
    return before, after


def test_rows_whose_tests_match_are_planned_as_before(matching, claims) -> None:
    before, after = _build(matching, claims)
    assert not any(compare(matching.to_dict("records"), claims, set(matching.columns))["changed"].values())
    assert json.dumps(before[: len(matching)], sort_keys=True) == json.dumps(
        after[: len(matching)], sort_keys=True
    )
    assert any(r["plan"] == "planned" for r in before)


@pytest.mark.parametrize(
    ("cid", "key", "value", "says"),
    [
        ("unroll_fid", "margin", 0.8, "margin 0.8 → 1"),
        ("schmidt_more_data_more_robust", "scale", "logit", "scale logit → probability, logit"),
        ("unroll_fid", "direction", "greater", "direction greater → less"),
    ],
)
def test_a_changed_test_is_planned_at_the_budgets_maximum(matching, claims, cid, key, value, says) -> None:
    table = matching.copy()
    table.loc[table["id"] == cid, key] = value
    before, after = _build(table, claims)
    old = next(r for r in before if r["id"] == cid)
    new = next(r for r in after if r["id"] == cid)
    assert new["plan"] == "planned" and new["reason"] == TEST_CHANGED
    assert new["n_planned"] == new["n_run"] == max(10, new["n_now"]) and new["planned_for"] == ""
    assert any(says in change for change in new["test_changed"]), new["test_changed"]
    assert old.get("test_changed") is None and old["reason"] != TEST_CHANGED
    others = [r for r in after if r["id"] != cid][: len(table) - 1]
    assert others == [r for r in before if r["id"] != cid]
    page = power_plan.markdown(after, str(TABLE), "0" * 64, _args(claims_file=str(CLAIMS)))
    line = next(x for x in page.splitlines() if x.startswith(f"| `{cid}` |"))
    assert "## Test changed since the table (1)" in page and says in line
    assert page.count(f"| `{cid}` |") == 1  # in the changed table only, not among the planned


def test_the_command_labels_changed_new_and_missing_claims(matching, tmp_path: Path) -> None:
    """Through the command line: a changed margin, a claim the table lacks (new: planned at
    --max-runs), a row the claims file lacks (said so), and the claims file's hash in the JSON."""
    table = matching.copy()
    table.loc[table["id"] == "unroll_fid", "margin"] = 0.8
    gone = table[table["id"] == "unroll_fid"].assign(id="no_such_claim")
    table = pd.concat([table[table["id"] != "inversion_restarts"], gone], ignore_index=True)
    path, md, js = tmp_path / "claims.parquet", tmp_path / "plan.md", tmp_path / "plan.json"
    table.to_parquet(path)
    argv = ["power-plan", str(path), "--markdown", str(md), "--json", str(js), "--claims", str(CLAIMS)]
    assert cli_main([*argv, "--max-runs", "12"]) == 0
    plan = json.loads(js.read_text())
    assert plan["claims_file"]["path"] == str(CLAIMS) and len(plan["claims_file"]["sha256"]) == 64
    changed, new = plan["claims"]["unroll_fid"], plan["claims"]["inversion_restarts"]
    assert changed["n_run"] == 12 and changed["test_changed"] == ["margin 0.8 → 1"]
    assert new["n_planned"] == 12 and new["n_now"] == 0 and new["test_changed"] == ["new in the claims file"]
    assert (
        "missing" in plan["claims"]["no_such_claim"] and "test_changed" not in plan["claims"]["no_such_claim"]
    )
    text = md.read_text()
    assert "## Test changed since the table (2)" in text and "## Not in the claims file (1)" in text
    assert f"--claims {CLAIMS}" in text


def test_a_bad_claims_file_is_one_line(matching, tmp_path: Path, capsys) -> None:
    path, md, js = tmp_path / "claims.parquet", tmp_path / "plan.md", tmp_path / "plan.json"
    matching.to_parquet(path)
    bad = tmp_path / "claims.yaml"
    bad.write_text("claims: [{id: x\n")
    argv = ["power-plan", str(path), "--markdown", str(md), "--json", str(js), "--claims", str(bad)]
    assert cli_main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(bad) in err and not md.exists() and not js.exists()
