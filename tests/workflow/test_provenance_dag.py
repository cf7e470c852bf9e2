"""The report's provenance page: a code change reruns the ``provenance`` job alone, and its page
lists what the older code built and the command that rebuilds it."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from advgen.provenance import CODE_ENV
from tests.conftest import job_counts, snakemake

pytestmark = pytest.mark.slow


def test_code_change_reruns_the_provenance_page_only(workflow_dir: Path) -> None:
    cfg = str(workflow_dir / ".test" / "config" / "data.yaml")
    old, new = {CODE_ENV: "a" * 64}, {CODE_ENV: "b" * 64}
    snakemake(workflow_dir, "--cores", "2", "--configfile", cfg, env=old)
    page = workflow_dir / "results" / "provenance.html"
    landing = workflow_dir / "results" / "tables" / "provenance.rst"
    assert "All 8 checkpoints and tables under results/ were built by the installed advgen code (aaaa" in (
        landing.read_text()
    )
    assert "Rebuild" not in page.read_text()
    assert "Nothing to be done" in snakemake(workflow_dir, "-n", "--configfile", cfg, env=old).stdout

    # the code changed: Snakemake reruns only the page (it does not watch imported modules)
    dry = snakemake(workflow_dir, "-n", "--configfile", cfg, env=new)
    assert job_counts(dry.stdout) == {"provenance": 1, "all": 1}
    snakemake(workflow_dir, "--cores", "2", "--configfile", cfg, env=new)
    text = page.read_text()
    assert (
        "8 of 8 checkpoints and tables under results/ were not built by the installed advgen code (bbbb"
        in text
    )
    assert "<code>results/data/digits/train.pt</code></td><td>built by code aaaaaaaaaaaaaaaa" in text
    command = html.unescape(re.search(r"<pre>(.*)</pre>", text).group(1))
    first = "results/claims/report_facts.parquet"
    assert command.startswith(f"snakemake --cores all --configfile .test/config/data.yaml --forcerun {first}")
    assert command.endswith("results/tables/claims.parquet")
    assert "not built by the installed advgen code" in landing.read_text()

    # the printed command rebuilds them; the page then says every output is current
    snakemake(workflow_dir, *command.split()[1:], env=new)
    assert "All 8 checkpoints" in page.read_text()
    assert "Nothing to be done" in snakemake(workflow_dir, "-n", "--configfile", cfg, env=new).stdout
