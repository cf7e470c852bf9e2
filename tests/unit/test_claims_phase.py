"""The two phases: the freeze record, fresh seeds, post-hoc claims apart from the headline, the
claims file's hash in the page header, the run's seed values per claim."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advgen.claims import Context, evaluate_all, frame, html, read_claims_file, readme_summary
from advgen.claims.freeze_record import Planned, read_freeze, record
from advgen.claims.phase import CONFIRMATORY, EXPLORATORY, POST_HOC, phase_of
from advgen.claims.report import counts_text, summary_page
from advgen.errors import ConfigError
from tests.unit.test_claims import attacks, claim, claims_file, decl, side

ROLES = {"rob": ["p10", "p11", "p12"], "std": ["s10", "s11", "s12"]}
SEEDS = {f"{m}{k}": k for m in "ps" for k in (10, 11, 12)}


def study(tmp_path: Path, changed: bool = False) -> Path:
    attacks(tmp_path, [(m, "pgd40", 0.3, 0.8 if m.startswith("p") else 0.2, 400) for m in SEEDS])
    rows = [
        claim("kept", decl("value", "greater", 0.5), a=side("rob")),
        claim("later", decl("value", "greater", 0.6 if changed else 0.5), a=side("rob")),
    ]
    return claims_file(tmp_path, rows, freeze="freeze.json")


def test_the_record_freezes_the_file_and_each_claim(tmp_path: Path) -> None:
    path = study(tmp_path)
    parsed = read_claims_file(path)
    data = record(
        parsed, claims_file="claims.yaml", date="2026-11-27", seed_base=10, plan={"kept": Planned(3, "seeds")}
    )
    (tmp_path / "freeze.json").write_text(json.dumps(data), encoding="utf-8")
    freeze = read_freeze(tmp_path / "freeze.json")
    assert freeze is not None and freeze.claims_sha256 == parsed.sha256 and len(parsed.sha256) == 64
    assert set(freeze.claims) == {"kept", "later"} and freeze.plan["kept"].text() == "3 seeds"
    assert phase_of(parsed, freeze, [10, 11, 12]).phase == CONFIRMATORY
    spent = phase_of(parsed, freeze, [0, 1, 2, 10])
    assert spent.phase == EXPLORATORY and "seeds spent before the freeze (0, 1, 2" in spent.why
    assert phase_of(parsed, None, [10]).phase == EXPLORATORY


def test_a_claim_changed_after_the_freeze_is_post_hoc_and_not_counted(tmp_path: Path) -> None:
    parsed = read_claims_file(study(tmp_path))
    frozen = record(parsed, claims_file="claims.yaml", date="2026-11-27", seed_base=10)
    (tmp_path / "freeze.json").write_text(json.dumps(frozen), encoding="utf-8")
    changed = read_claims_file(study(tmp_path, changed=True))  # 'later' gets another margin
    assert changed.sha256 != parsed.sha256
    phase = phase_of(changed, read_freeze(tmp_path / "freeze.json"), SEEDS.values())
    ctx = Context(tmp_path, ROLES, seeds=SEEDS)
    table = frame(evaluate_all(changed.claims, ctx), phase)
    rows = table.set_index("id")
    assert rows.loc["kept", "phase"] == CONFIRMATORY and rows.loc["later", "phase"] == POST_HOC
    assert "content differs from the one frozen" in rows.loc["later", "post_hoc"]
    assert rows.loc["kept", "seed_values"] == "10,11,12"
    assert counts_text(table) == "1 confirmatory source claims: 1 holds (1 post-hoc, listed apart)"
    header = {
        "datasets": [],
        "budgets": [],
        "seeds": {},
        "config": "c",
        "results": "r",
        "phase": phase.header(),
    }
    page = html(table, header)
    assert "Phase: confirmatory." in page and changed.sha256 in page and parsed.sha256 in page
    assert page.index("Post-hoc claims") < page.index('id="later"')
    summary, rows_page = readme_summary(table), summary_page(table)
    assert "**1 confirmatory source claims: 1 holds (1 post-hoc, listed apart)**" in summary
    assert rows_page.index("`kept`") < rows_page.index("`later`")
    assert "post-hoc, not counted: holds" in rows_page


def test_a_change_dated_after_the_freeze_marks_a_claim_without_digests(tmp_path: Path) -> None:
    attacks(tmp_path, [("p10", "pgd40", 0.3, 0.8, 400)])
    change = {"date": "2026-12-01", "old": 0.4, "new": 0.5, "reason": "moved"}
    rows = [claim("c", decl("value", "greater", 0.5, changes=[change]), a=side("rob"))]
    parsed = read_claims_file(claims_file(tmp_path, rows))
    (tmp_path / "f.json").write_text(
        json.dumps({"claims_sha256": "0" * 64, "date": "2026-11-27", "seed_base": 10}), encoding="utf-8"
    )
    phase = phase_of(parsed, read_freeze(tmp_path / "f.json"), [10])
    table = frame(evaluate_all(parsed.claims, Context(tmp_path, {"rob": ["p10"]})), phase)
    assert table.loc[0, "phase"] == POST_HOC and table.loc[0, "post_hoc"] == "changed on 2026-12-01 (moved)"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("{", "not a freeze record (not readable JSON"),
        ('{"date": "2026-11-27"}', "claims_sha256: must be the claims file's sha256"),
        ('{"claims_sha256": "' + "a" * 64 + '", "date": "27.11."}', "date: must be YYYY-MM-DD"),
        (
            '{"claims_sha256": "'
            + "a" * 64
            + '", "date": "2026-11-27", "plan": {"c": {"n": 0, "unit": "seeds"}}}',
            "plan.c.n",
        ),
        (
            '{"claims_sha256": "' + "a" * 64 + '", "date": "2026-11-27", "power_plan": {"path": "p.json"}}',
            "power_plan: must be {path, sha256}",
        ),
        (
            '{"claims_sha256": "' + "a" * 64 + '", "date": "2026-11-27", "claims_file": 3}',
            "claims_file: must be",
        ),
    ],
)
def test_a_bad_freeze_record_is_one_line(tmp_path: Path, text: str, named: str) -> None:
    path = tmp_path / "freeze.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        read_freeze(path)
    message = str(info.value)
    assert message.startswith(str(path)) and named in message and "\n" not in message
