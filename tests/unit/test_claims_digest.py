"""The claims page's digest, verdict filter, control words and the budget stated once
(advgen.claims.page.digest and the HTML view)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd
import pytest

from advgen.claims.deciding.verdict_words import VERDICTS
from advgen.claims.page.digest import FILTERS, control_words, digest, group_of
from advgen.claims.page.table import COLUMNS, PHASE_COLUMNS
from advgen.claims.page.views import html

BUDGET = {"what": "GANs", "ours": "50 epochs (about 3,100 iterations)", "source": "125,000 iterations"}
SCALE = f"budget {BUDGET['ours']} vs {BUDGET['source']}"


def row(**values: object) -> SimpleNamespace:
    base = {"control_what": "same-norm noise", "control_kind": "noise", "control": ""}
    return SimpleNamespace(**{**base, **values})


@pytest.mark.parametrize(
    ("kind", "control", "words"),
    [
        (
            "noise",
            "does not hold: 0 [0, 0.0711]",
            "control behaved: no effect where none was built (measured 0 [0, 0.0711])",
        ),
        (
            "noise",
            "inconclusive: 0.01 [-0.02, 0.04]",
            "control behaved: no effect detected where none was built",
        ),
        (
            "other_class",
            "holds: 0.4 [0.3, 0.5]",
            "control failed: an effect where none was built (measured 0.4",
        ),
        ("saturating_run", "holds: 0.9 [0.8, 1]", "control behaved: the effect shows where it was built in"),
        (
            "saturating_run",
            "inconclusive: 0.1 [-0.1, 0.3]",
            "control failed: no clear effect where it was built in",
        ),
        ("noise", "not measured (no table)", "control not measured (no table)"),
    ],
)
def test_control_words_say_whether_the_control_behaved(kind: str, control: str, words: str) -> None:
    text = control_words(row(control_kind=kind, control=control))
    assert text.startswith(words)
    assert not any(text.startswith(v) for v in VERDICTS)  # no verdict word leads the cell


def test_a_claim_without_control_says_why() -> None:
    assert control_words(row(control_kind="none", control_what="none: no null exists")) == (
        "no control: no null exists"
    )
    assert control_words(row(control_what="")) == "–"


def test_every_verdict_is_in_exactly_one_filter_group() -> None:
    for verdict in VERDICTS:
        assert sum(verdict in verdicts for _, _, verdicts in FILTERS) == 1, verdict
        assert group_of(verdict) in {key for key, _, _ in FILTERS}


def table() -> pd.DataFrame:
    """A verdict table with one row of each kind the digest sorts (every column of the page)."""
    defaults = dict.fromkeys(COLUMNS, "")
    defaults.update(PHASE_COLUMNS)
    defaults.update(group="source", source="001", phase="exploratory", lo=0.0, hi=0.0, estimate=0.0)
    rows = [
        {"id": "h1", "statement": "A holds", "verdict": "holds", "control_what": "noise", "control_kind": "noise",
         "control": "does not hold: 0 [0, 0.1]", "budget": SCALE, "sample_size": "3 seeds", "effect": "0.5"},
        {"id": "f1", "statement": "B fails", "verdict": "does not hold at this scale", "budget": SCALE},
        {"id": "n1", "statement": "C gated", "verdict": "not valid", "validity": "generator below its quality bar",
         "would_be": "holds"},
        {"id": "i1", "statement": "D open", "verdict": "inconclusive", "settle": "about 5 seeds per side (now 3)"},
        {"id": "m1", "statement": "E absent", "verdict": "not measured", "note": "no transfer table"},
        {"id": "p1", "statement": "F late", "verdict": "holds", "phase": "post-hoc", "post_hoc": "changed 2026-11-27"},
        {"id": "k1", "statement": "a check", "verdict": "holds", "group": "check"},
    ]  # fmt: skip
    return pd.DataFrame([{**defaults, **r} for r in rows], columns=COLUMNS)


def test_digest_lists_what_holds_what_does_not_and_why_the_rest_do_not_count() -> None:
    d = digest(table())
    assert [i.id for i in d.holds] == ["h1"] and [i.id for i in d.fails] == ["f1"]
    assert dict(d.counts) == {"holds": 1, "does not hold at this scale": 1, "inconclusive": 1, "not valid": 1,
                              "not measured": 1}  # fmt: skip
    why = {verdict: [(i.id, i.why) for i in items] for verdict, items in d.not_counted}
    assert why["not valid"] == [("n1", "generator below its quality bar (it would be: holds)")]
    assert why["inconclusive"] == [
        ("i1", "the interval straddles the margin; would settle: about 5 seeds per side (now 3)")
    ]
    assert why["not measured"] == [("m1", "no transfer table")]
    assert [(i.id, i.why) for i in d.post_hoc] == [("p1", "changed 2026-11-27")]


def page() -> str:
    header = {"datasets": [], "budgets": [BUDGET], "seeds": {}, "config": "c.yaml", "results": "results"}
    return html(table(), header)


def test_page_opens_with_the_digest_and_a_script_free_verdict_filter() -> None:
    text = page()
    body = text.split("<main>")[1]
    assert body.index('id="digest"') < body.index('id="filter"') < body.index('class="claims"')
    for key, label, _ in FILTERS:
        assert f'<input type="radio" class="vf" name="verdict-filter" id="vf-{key}">' in text
        assert f'<label for="vf-{key}">{label}</label>' in text
        assert f"#vf-{key}:checked ~ #claims-tables details.claim:not(.g-{key}) {{ display: none; }}" in text
    assert (
        '<details class="claim g-holds" id="h1"' in text and '<details class="claim g-fails" id="f1"' in text
    )
    assert "<script" not in text and not re.search(r"(src|href)=\"(https?:)?//", text)  # no network asset
    assert '<a href="#n1">n1</a>: generator below its quality bar (it would be: holds)' in text


def test_page_states_the_budget_once_and_words_the_control() -> None:
    text = page()
    assert text.count(BUDGET["ours"]) == 1  # in the header's list, not in the rows
    assert "training budget 1 (GANs), at the top" in text
    assert "does not hold at this scale (training budget 1 (GANs), at the top)" in text
    assert "control behaved: no effect where none was built (measured 0 [0, 0.1])" in text


def test_markdown_states_the_budget_once() -> None:
    """The Markdown view refers a row to the budget its header lists once; without the list
    (budgets not given) the row keeps its full scale text."""
    from advgen.claims.page.views import markdown

    header = f"Training budgets, this study vs the source: 1. GANs: {BUDGET['ours']} vs {BUDGET['source']}"
    text = markdown(table(), header=header, budgets=[BUDGET])
    assert text.count(BUDGET["ours"]) == 1  # in the header, not in the rows
    assert "does not hold at this scale (training budget 1 (GANs), at the top)" in text
    assert f"does not hold at this scale ({SCALE})" in markdown(table())
