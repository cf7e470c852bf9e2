"""The claims page's layout (advgen.claims.page.html): one line per claim with its details behind a
``<details>`` element (no script), the dated changes once at the end behind a link, and every
column of the verdict table reachable (a column the table gains shows without a page change)."""

from __future__ import annotations

import re

import pandas as pd

from advgen.claims.page.html import WORDED, change_log, row_columns
from advgen.claims.page.table import COLUMNS
from advgen.claims.page.views import html
from tests.unit.test_claims_digest import BUDGET, table

HEADER = {"datasets": [], "budgets": [BUDGET], "seeds": {}, "config": "c.yaml", "results": "results"}
CHANGES = (
    "2026-11-20: 0.1 → 0 (the source gives no number; ours is any effect); "
    "2026-11-21: noise → other_class (a digit of another class)"
)


def claims_of(page: str) -> dict[str, str]:
    """Each claim's ``<details>`` element by id."""
    found = re.findall(r'(<details class="claim [^"]*" id="([^"]+)".*?</dl>\n</details>)', page, re.S)
    return {claim_id: text for text, claim_id in found}


def test_each_claim_is_one_line_and_its_details_open_without_a_script() -> None:
    rows = table().assign(fragile=["deciding adjusted p 0.02", "", "", "", "", "", ""])
    page = html(rows, HEADER)
    claims = claims_of(page)
    assert list(claims) == list(rows["id"])
    for claim_id, text in claims.items():
        summary = re.search(r"<summary>(.*?)</summary>", text, re.S)
        assert summary and "<br>" not in summary.group(1)
        assert len(re.findall(r"<span[ >]", summary.group(1))) == 4  # id, statement, effect, verdict
        assert f'<span class="id">{claim_id}</span>' in summary.group(1)
    h1 = claims["h1"]
    assert "A holds" in h1.split("</summary>")[0] and "0.5" in h1.split("</summary>")[0]
    assert "holds · fragile" in h1.split("</summary>")[0]
    assert '<dt>verdict</dt><dd><span class="v v-holds">holds; FRAGILE (deciding adjusted p 0.02)' in h1
    assert "<script" not in page and not re.search(r"<details[^>]* open", page)  # every claim starts closed


def test_change_histories_are_listed_once_at_the_end_behind_a_link() -> None:
    rows = table()
    rows.loc[rows["id"] == "h1", "changes"] = CHANGES
    assert change_log(next(rows.itertuples())) == CHANGES.split("; 2026-11-21: ")[0:1] + [
        "2026-11-21: noise → other_class (a digit of another class)"
    ]  # a "; " inside a change's reason does not split it
    page = html(rows, HEADER)
    body, history = page.split('<section id="changes">')
    assert "2026-11-20: 0.1 → 0" not in body and 'href="#changes-h1"' in claims_of(body)["h1"]
    assert "changed 2 times, last 2026-11-21" in claims_of(body)["h1"]
    entry = re.search(r'<details class="history" id="changes-h1">(.*?)</details>', history, re.S)
    assert entry and '<a href="#h1"' in entry.group(1) and entry.group(1).count("<li>") == 2
    assert history.count('<details class="history"') == 1  # only claims that changed


def test_a_column_the_verdict_table_gains_shows_in_the_details() -> None:
    rows = table().assign(control_calibration=["calibrated: 0.05 [0.01, 0.1]", "", "", "", "", "", ""])
    page = html(rows, HEADER)
    assert "<th>control_calibration</th><td>calibrated: 0.05 [0.01, 0.1]</td>" in claims_of(page)["h1"]
    assert "<th>control_calibration</th>" not in claims_of(page)["f1"]  # an empty value is left out
    named = dict(row_columns(next(rows.itertuples())))
    assert named["group"] == "source" and "statement" not in named and "changes" not in named
    assert WORDED <= set(COLUMNS)  # the columns the details word are the table's


def test_every_column_of_a_row_is_worded_or_listed() -> None:
    rows = table()
    full = pd.DataFrame([{c: f"value-of-{c}" for c in COLUMNS}])
    listed = {name for name, _ in row_columns(next(full.itertuples()))}
    assert listed | WORDED == set(COLUMNS)
    assert len(claims_of(html(rows, HEADER))) == len(rows)
