"""The two phases: the freeze record, fresh seeds, post-hoc claims apart from the headline, the
claims file's hash in the page header, the run's seed values per claim."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advgen.claims import evaluate_all
from advgen.claims.freeze.freeze_format import Planned
from advgen.claims.freeze.freeze_reader import read_freeze
from advgen.claims.freeze.freeze_record import record
from advgen.claims.freeze.phase import CONFIRMATORY, EXPLORATORY, POST_HOC, phase_of
from advgen.claims.measuring.measure import Context
from advgen.claims.page.counts import counts_text
from advgen.claims.page.readme import readme_summary, summary_page
from advgen.claims.page.table import frame
from advgen.claims.page.views import html
from advgen.claims.reading.claims_file import read_claims_file
from advgen.errors import ConfigError
from tests.unit.test_claims import attacks, claim, claims_file, decl, side

ROLES = {"rob": ["p10", "p11", "p12"], "std": ["s10", "s11", "s12"]}
SEEDS = {f"{m}{k}": k for m in "ps" for k in (10, 11, 12)}


#: the run's parts as a record holds them (advgen.claims.freeze.freeze_record.run_parts)
RUN = {
    "seeds": {"rob": {m: k for m, k in SEEDS.items() if m.startswith("p")}},
    "recipes": {"gans": {}, "autoencoders": {}, "classifiers": {}},
    "numerics": {"rob": "float32"},
}
HOST = {"cpu": "a CPU", "cpu_flags": "avx2", "gpu": "none", "torch": "2", "cuda": "none"}
#: the program a record of the page's tests holds (its digests are not compared there)
PROGRAM = {"package": "e" * 64, "workflow": "f" * 64}
RESOLVED = {"config": {"seed_base": 10}, "resolved": {"device": "cpu", "stack_seeds": False}}


def full_record(parsed, planned=None, **changed) -> dict:
    """A complete freeze record of ``parsed`` (``changed``: parts replaced)."""
    data = record(
        parsed, claims_file="claims.yaml", date="2026-11-27", seed_base=10, plan=planned or {},
        power_plan=("plan.json", "b" * 64), config={"config.yaml": "c" * 64}, run=RUN,
        analysis="d" * 64, hardware=HOST, commit="0123abcd", program_parts=PROGRAM,
        package_versions={"advgen": "0.1.0"}, resolved_config=RESOLVED,
    )  # fmt: skip
    return {**data, **changed}


def study(tmp_path: Path, changed: bool = False) -> Path:
    attacks(tmp_path, [(m, "pgd40", 0.3, 0.8 if m.startswith("p") else 0.2, 400) for m in SEEDS])
    rows = [
        claim("kept", decl("value", "greater", 0.5), a=side("rob")),
        claim("later", decl("value", "greater", 0.6 if changed else 0.5), a=side("rob")),
    ]
    return claims_file(tmp_path, rows, freeze="freeze.json")


def page_header(phase) -> dict:
    """The claims page's header of a study with no datasets, budgets or seeds, in ``phase``."""
    return {
        "datasets": [],
        "budgets": [],
        "seeds": {},
        "config": "c",
        "results": "r",
        "phase": phase.header(),
    }


def test_the_record_freezes_the_file_and_each_claim(tmp_path: Path) -> None:
    path = study(tmp_path)
    parsed = read_claims_file(path)
    data = full_record(parsed, planned={"kept": Planned(3, "seeds")})
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
    frozen = full_record(parsed)
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
    header = page_header(phase)
    page = html(table, header)
    assert "Phase: confirmatory." in page and changed.sha256 in page and parsed.sha256 in page
    assert page.index("Post-hoc claims") < page.index('id="later"')
    summary, rows_page = readme_summary(table), summary_page(table)
    assert "**1 confirmatory source claims: 1 holds (1 post-hoc, listed apart)**" in summary
    assert rows_page.index("`kept`") < rows_page.index("`later`")
    assert "post-hoc, not counted: holds" in rows_page


def test_a_change_dated_after_the_freeze_marks_a_claim(tmp_path: Path) -> None:
    attacks(tmp_path, [("p10", "pgd40", 0.3, 0.8, 400)])
    change = {"date": "2026-12-01", "old": 0.4, "new": 0.5, "reason": "moved"}
    rows = [claim("c", decl("value", "greater", 0.5, changes=[change]), a=side("rob"))]
    parsed = read_claims_file(claims_file(tmp_path, rows))
    (tmp_path / "f.json").write_text(json.dumps(full_record(parsed)), encoding="utf-8")
    phase = phase_of(parsed, read_freeze(tmp_path / "f.json"), [10])
    table = frame(evaluate_all(parsed.claims, Context(tmp_path, {"rob": ["p10"]})), phase)
    assert table.loc[0, "phase"] == POST_HOC and table.loc[0, "post_hoc"] == "changed on 2026-12-01 (moved)"


def test_a_run_that_is_not_the_one_frozen_makes_every_claim_post_hoc(tmp_path: Path) -> None:
    """The config's roles swapped, its GAN epochs or seeds changed after the freeze: the page
    is not confirmatory (every row post-hoc, the header says why); the same run is."""
    parsed = read_claims_file(study(tmp_path))
    (tmp_path / "freeze.json").write_text(json.dumps(full_record(parsed)), encoding="utf-8")
    freeze = read_freeze(tmp_path / "freeze.json")
    assert freeze is not None
    same = phase_of(parsed, freeze, [10, 11, 12], RUN, "d" * 64)
    assert same.why == "" and not same.mismatch
    other = {**RUN, "seeds": {"rob": {"s10": 10, "s11": 11, "s12": 12}}}  # another role's runs
    phase = phase_of(parsed, freeze, [10, 11, 12], other, "d" * 64)
    assert phase.phase == CONFIRMATORY and "every claim is post-hoc" in phase.why
    assert "rob.p10: frozen 10, now absent" in phase.why
    ctx = Context(tmp_path, {"rob": ["s10", "s11", "s12"]}, seeds=SEEDS)
    table = frame(evaluate_all(parsed.claims, ctx), phase)
    assert set(table["phase"]) == {POST_HOC}
    assert table.loc[0, "post_hoc"].startswith("not the frozen round of 2026-11-27 (roles, runs")
    assert counts_text(table) == "0 confirmatory source claims: none (2 post-hoc, listed apart)"
    header = page_header(phase)
    assert "But not the frozen round of" in html(table, header)  # the header says why
    code = phase_of(parsed, freeze, [10], RUN, "e" * 64)
    assert "the analysis code (advgen.claims) differs from the one frozen" in code.why
    program = phase_of(
        parsed, freeze, [10], RUN, "d" * 64, {**PROGRAM, "workflow": "0" * 64}, {"advgen": "0.1.0"}
    )
    assert program.mismatch == (
        "the workflow (Snakefile, workflow/) differs from the one frozen (sha256 ffffffffffff, now 000000000000)"
    )
    versions = phase_of(parsed, freeze, [10], RUN, "d" * 64, PROGRAM, {"advgen": "0.2.0"})
    assert versions.mismatch == "package versions: advgen: frozen '0.1.0', now '0.2.0'"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ("{", "not a freeze record (not readable JSON"),
        ({"claims_sha256": "x"}, "claims_sha256: must be the claims file's sha256"),
        ({"date": "27.11."}, "date: must be a date YYYY-MM-DD"),
        ({"date": "9999-99-99"}, "date: must be a date YYYY-MM-DD, got '9999-99-99'"),
        ({"plan": {"c": {"n": 0, "unit": "seeds"}}}, "plan.c.n"),
        ({"power_plan": {"path": "p.json"}}, "power_plan: must be {path, sha256}"),
        ({"claims_file": 3}, "claims_file: must be"),
        ({"claims": {}}, "claims: must map each claim id to its sha256 (none recorded)"),
        ({"config": {"c.yaml": "zz"}}, "config.c.yaml: must be a sha256"),
        ({"seed_base": -1}, "seed_base: must be a whole number >= 0"),
    ],
)
def test_a_bad_freeze_record_is_one_line(tmp_path: Path, change, named: str) -> None:
    parsed = read_claims_file(study(tmp_path))
    text = change if isinstance(change, str) else json.dumps(full_record(parsed, **change))
    path = tmp_path / "freeze.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        read_freeze(path)
    message = str(info.value)
    assert message.startswith(str(path)) and named in message and "\n" not in message
