"""The claims page in headless Chromium: nothing overlaps its tables at 1280 and 1920 px.

The page is rendered here from the repository's claims file (every claim, its quote and test,
verdicts on a constructed run), so the test needs no workflow run. Marked ``browser``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from advgen.claims import Context, data_header, evaluate_all, frame, html, read_claims_file
from advgen.claims.page_spec import ClaimsPageSpec, DatasetHeader
from tests.browser.test_report_browser import run_chromium

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("claims")
    results = folder / "results"
    (results / "robustness").mkdir(parents=True)
    rows = [
        ("std", a, e, acc, 360)
        for a in ("fgsm", "pgd40", "autoattack", "spatial")
        for e, acc in ((0.1, 0.4), (0.25, 0.05), (0.3, 0.01), (1.0, 0.3))
    ]
    rows += [("pgd", a, 0.3, acc, 360) for a, acc in (("pgd40", 0.41), ("autoattack", 0.38), ("fgsm", 0.6))]
    pd.DataFrame(rows, columns=["classifier", "attack", "eps", "robust_acc", "n"]).assign(
        clean_acc=0.98, success_rate=0.9, mean_adv_confidence=0.7, attack_type="X"
    ).to_parquet(results / "robustness" / "attacks.parquet")
    claims = read_claims_file(ROOT / "config" / "claims.yaml").claims
    ctx = Context(results, {"standard_cnn": ["std"], "pgd_cnn": ["pgd"], "fgsm_cnn": ["pgd"]})
    table = frame(evaluate_all(claims, ctx))
    assert (table["verdict"] != "not measured").sum() >= 5
    mnist = DatasetHeader(
        source="mnist_sample", image_size=28, test_fraction=0.2, max_train=None, max_test=None
    )
    spec = ClaimsPageSpec(
        roles={"standard_cnn": ("std",)},
        produced=(),
        datasets={"mnist": mnist},
        seeds={"standard_cnn": {"std": 0}},
        generators=(),
        budgets={},
        config="config",
    )
    out = folder / "claims.html"
    text = html(table, data_header(spec, results))
    probe = (Path(__file__).parent / "claims_probe.js").read_text(encoding="utf-8")
    out.write_text(text.replace("</body>", f"<script>{probe}</script></body>"), encoding="utf-8")
    return out


@pytest.mark.parametrize("width", [1280, 1920])
def test_nothing_overlaps_the_claims_tables(page: Path, tmp_path: Path, width: int) -> None:
    dom = run_chromium(tmp_path, page.as_uri(), f"--window-size={width},1000", "--dump-dom").stdout
    found = re.search(r'<pre id="advgen-probe"[^>]*>([^<]*)</pre>', dom)
    assert found, "the probe did not run"
    probe = json.loads(found.group(1))
    assert probe["tables"] >= 3 and probe["rows"] == len(
        read_claims_file(ROOT / "config" / "claims.yaml").claims
    )
    assert probe["overlaps"] == [], probe["overlaps"]
    assert probe["cellOverlaps"] == []
    assert probe["width"] <= probe["window"], "the page is wider than the window"


def test_the_digest_leads_and_the_verdict_filter_filters(page: Path, tmp_path: Path) -> None:
    dom = run_chromium(tmp_path, page.as_uri(), "--window-size=1280,1000", "--dump-dom").stdout
    probe = json.loads(re.search(r'<pre id="advgen-probe"[^>]*>([^<]*)</pre>', dom).group(1))
    assert probe["digest"]
    f = probe["filter"]
    assert 0 < f["holdRows"] < f["rows"]
    assert f["shownHolds"] == f["holdRows"] and f["shownOther"] == 0, "the filter left other verdicts shown"
    assert f["shownAll"] == f["rows"], "showing all again did not bring every row back"


def test_the_probe_sees_an_overprinted_table(page: Path, tmp_path: Path) -> None:
    """The check can fail: a label positioned over the table (as the report's workflow graph did)."""
    text = page.read_text(encoding="utf-8")
    label = '<div style="position:absolute; top:0; left:0; width:100%; height:4000px">graph label</div>'
    bad = tmp_path / "overprinted.html"
    bad.write_text(text.replace("</main>", f"</main>{label}"), encoding="utf-8")
    dom = run_chromium(tmp_path, bad.as_uri(), "--window-size=1280,1000", "--dump-dom").stdout
    probe = json.loads(re.search(r'<pre id="advgen-probe"[^>]*>([^<]*)</pre>', dom).group(1))
    assert "div" in probe["overlaps"]
