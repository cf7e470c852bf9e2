"""The claims page in headless Chromium: one line per claim, at most 8,000 px tall at 1400 px
wide, and nothing overlaps its claims at 1280 and 1920 px, closed or with every claim open.

The page is rendered here from the repository's claims file (every claim, its quote and test,
verdicts on a constructed run), so the test needs no workflow run; the demo's own page
(``$ADVGEN_CLAIMS_PAGE``, else ``demo/results/claims.html`` of ``make demo``) is measured too
where it exists. Marked ``browser``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from advgen.claims import data_header, evaluate_all
from advgen.claims.measuring.measure import Context
from advgen.claims.page.page_spec import ClaimsPageSpec, DatasetHeader
from advgen.claims.page.table import frame
from advgen.claims.page.views import html
from advgen.claims.reading.claims_file import read_claims_file
from tests.browser.test_report_browser import run_chromium

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
#: the demo's claims page must fit this many px at :data:`WIDTH` px wide with every claim closed
MAX_HEIGHT, WIDTH = 8000, 1400


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
    out.write_text(html(table, data_header(spec, results)), encoding="utf-8")
    return probed(out, folder)


def probe(page: Path, tmp_path: Path, width: int) -> dict:
    dom = run_chromium(tmp_path, page.as_uri(), f"--window-size={width},1000", "--dump-dom").stdout
    found = re.search(r'<pre id="advgen-probe"[^>]*>([^<]*)</pre>', dom)
    assert found, "the probe did not run"
    return json.loads(found.group(1))


def probed(page: Path, tmp_path: Path) -> Path:
    """A copy of ``page`` with claims_probe.js injected before its last ``</body>``."""
    script = (Path(__file__).parent / "claims_probe.js").read_text(encoding="utf-8")
    head, sep, tail = page.read_text(encoding="utf-8").rpartition("</body>")
    assert sep, f"{page}: no </body>"
    out = tmp_path / "probed_claims.html"
    out.write_text(f"{head}<script>{script}</script>{sep}{tail}", encoding="utf-8")
    return out


@pytest.mark.parametrize("width", [1280, 1920])
def test_nothing_overlaps_the_claims(page: Path, tmp_path: Path, width: int) -> None:
    found = probe(page, tmp_path, width)
    assert found["tables"] >= 3 and found["rows"] == len(
        read_claims_file(ROOT / "config" / "claims.yaml").claims
    )
    assert found["overlaps"] == [], found["overlaps"]
    assert found["cellOverlaps"] == [], found["cellOverlaps"]
    for state in ("closed", "open"):
        assert found[state]["width"] <= found["window"], f"the page ({state}) is wider than the window"


def test_each_claim_is_one_line_and_the_page_is_short(page: Path, tmp_path: Path) -> None:
    found = probe(page, tmp_path, WIDTH)
    assert max(found["lineHeights"]) < 2 * found["lineHeight"], "a claim's line wraps"
    assert found["closed"]["height"] <= MAX_HEIGHT, found["closed"]
    assert found["open"]["height"] > 2 * found["closed"]["height"], "the details do not hide the claims' text"


def test_the_demo_claims_page_is_short(tmp_path: Path) -> None:
    demo = Path(os.environ.get("ADVGEN_CLAIMS_PAGE") or ROOT / "demo" / "results" / "claims.html")
    if not demo.exists():
        pytest.skip(f"{demo} missing: run `make demo` first")
    found = probe(probed(demo, tmp_path), tmp_path, WIDTH)
    assert found["rows"] >= 1 and found["closed"]["height"] <= MAX_HEIGHT, found["closed"]
    assert found["overlaps"] == [] and found["cellOverlaps"] == []


def test_the_digest_leads_and_the_verdict_filter_filters(page: Path, tmp_path: Path) -> None:
    found = probe(page, tmp_path, 1280)
    assert found["digest"]
    f = found["filter"]
    assert 0 < f["holdRows"] < f["rows"]
    assert f["shownHolds"] == f["holdRows"] and f["shownOther"] == 0, "the filter left other verdicts shown"
    assert f["shownAll"] == f["rows"], "showing all again did not bring every row back"


def test_the_probe_sees_an_overprinted_list(page: Path, tmp_path: Path) -> None:
    """The check can fail: a label positioned over the claims (as the report's workflow graph did)."""
    text = page.read_text(encoding="utf-8")
    label = '<div style="position:absolute; top:0; left:0; width:100%; height:4000px">graph label</div>'
    bad = tmp_path / "overprinted.html"
    bad.write_text(text.replace("</main>", f"</main>{label}"), encoding="utf-8")
    found = probe(bad, tmp_path, 1280)
    assert "closed: div" in found["overlaps"] and "open: div" in found["overlaps"]
