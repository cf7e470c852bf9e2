"""The HTML report opens in headless Chromium (Debian's `chromium`) and its figures show.

Checks ``$ADVGEN_REPORT``, else ``results/report.html`` of this checkout, else the demo's
(``demo/results/report.html``, ``make demo``), else a report built here from the tiny
``.test/config/plots.yaml`` run (a couple of minutes on 2 cores). The landing page must show the
main numbers (advgen.findings) and the claims page must be a result inside the report.
Marked ``browser`` (not in ``make test``); CI runs ``pytest -m browser tests/browser``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import REPO, copy_workflow, snakemake

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--virtual-time-budget=20000",
)


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    pytest.fail("headless Chromium not found: `apt-get install -y chromium` (Debian)")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    given = os.environ.get("ADVGEN_REPORT")
    if given:
        return Path(given)
    for built in (REPO / "results" / "report.html", REPO / "demo" / "results" / "report.html"):
        if built.exists():
            return built
    wf = copy_workflow(tmp_path_factory.mktemp("report") / "wf")
    snakemake(
        wf,
        "--cores",
        "2",
        "--configfile",
        ".test/config/plots.yaml",
        "--report",
        "results/report.html",
        "--report-after-run",
        timeout=1800,
    )
    return wf / "results" / "report.html"


def run_chromium(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"  # a fresh profile per run
    return subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )


def probed_copy(report: Path, tmp_path: Path) -> Path:
    """A copy of the report with tests/browser/report_probe.js injected before the last </body>."""
    html = report.read_text(encoding="utf-8")
    probe = (Path(__file__).parent / "report_probe.js").read_text(encoding="utf-8")
    head, sep, tail = html.rpartition("</body>")
    assert sep, f"{report}: no </body>"
    out = tmp_path / "probed_report.html"
    out.write_text(f"{head}<script>{probe}</script>{sep}{tail}", encoding="utf-8")
    return out


def test_report_loads_and_every_figure_decodes(report, tmp_path):
    assert report.exists(), f"{report} missing: run `make report` first"
    page = probed_copy(report, tmp_path).as_uri()
    dom = run_chromium(tmp_path, page, "--dump-dom").stdout
    found = re.search(r'<pre id="advgen-probe">([^<]*)</pre>', dom)
    assert found, "the report's scripts did not run (no probe output in the DOM)"
    probe = json.loads(found.group(1))
    assert probe["appChildren"] >= 1, "the report app rendered nothing"
    assert probe["figures"] >= 1, "the report holds no figure"
    assert probe["failed"] == [] and probe["decoded"] == probe["figures"]
    assert re.search(r'<img src="data:image/png', dom), "opening a figure shows no <img>"
    for category in ("Generative", "Robustness"):
        assert f">{category}<" in dom  # the navbar lists the stages (rendered by the app)


def test_report_opens_on_the_main_numbers_and_carries_the_claims_page(report, tmp_path):
    dom = run_chromium(tmp_path, probed_copy(report, tmp_path).as_uri(), "--dump-dom").stdout
    probe = json.loads(re.search(r'<pre id="advgen-probe">([^<]*)</pre>', dom).group(1))
    assert probe["findings"] == 1, "the landing page has no robustness table (clean and robust accuracy)"
    assert probe["generators"] == 1, "the landing page has no table of the generators' scores"
    assert probe["verdicts"] == 1, "the landing page has no table of the verdict counts"
    assert probe["claimsCategory"] and probe["claimsLink"], (
        "the landing page does not link the Claims category"
    )
    assert probe["claimsPages"] == 1 and probe["claimsDigest"] == 1, (
        "the claims page is not inside the report"
    )


@pytest.mark.parametrize("fixed", [True, False])
def test_the_landing_page_starts_at_the_top_of_the_window(report, tmp_path, fixed):
    """A landing page taller than the window starts at its top (workflow/report/workflow.rst's
    style); without that style Snakemake's centred box cuts its top off (the check can fail)."""
    page = probed_copy(report, tmp_path)
    rule = "align-items: safe center; justify-content: safe center;"
    text = page.read_text(encoding="utf-8")
    assert rule in text
    if not fixed:
        page.write_text(text.replace(rule, ""), encoding="utf-8")
    dom = run_chromium(tmp_path, page.as_uri(), "--window-size=1400,500", "--dump-dom").stdout
    probe = json.loads(re.search(r'<pre id="advgen-probe">([^<]*)</pre>', dom).group(1))
    assert (probe["landingTop"] >= 0) is fixed, probe["landingTop"]


def test_report_screenshot_is_not_blank(report, tmp_path):
    from PIL import Image

    shot = tmp_path / "report.png"
    run_chromium(
        tmp_path, probed_copy(report, tmp_path).as_uri(), "--window-size=1400,1000", f"--screenshot={shot}"
    )
    with Image.open(shot) as img:
        arr = np.asarray(img.convert("L"), dtype=float)
    assert arr.shape == (1000, 1400)
    content = arr[:, 300:]  # right of the navbar: the opened figure
    assert content.std() > 10 and (content < 200).mean() > 0.005, "the opened figure did not render"
