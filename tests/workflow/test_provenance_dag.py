"""The report's provenance page: a code change reruns the ``provenance`` job alone, and its page
lists what the older code built and the command that rebuilds it."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml

from advgen.provenance import CODE_ENV
from tests.conftest import job_counts, snakemake

pytestmark = pytest.mark.slow

#: two small data sets and a one-epoch GAN: the report shows its figures, so the run has a
#: provenance page (a data-only config has none)
CONFIG = {
    "seed": 0,
    "device": "cpu",
    "datasets": {"digits": {"source": "digits", "image_size": 16, "max_train": 100, "max_test": 50}},
    "gans": {
        "tiny": {
            "dataset": "digits",
            "generator": "mlp_small",
            "discriminator": "mlp_small",
            "z_dim": 8,
            "batch_size": 50,
            "epochs": 1,
            "grid_size": 4,
        }
    },
}
SUMMARY = re.compile(r"(\d+) of (\d+) checkpoints and tables under results/ were not built")


def test_code_change_reruns_the_provenance_page_only(workflow_dir: Path) -> None:
    (workflow_dir / "config" / "provenance.yaml").write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    cfg = "config/provenance.yaml"
    old, new = {CODE_ENV: "a" * 64}, {CODE_ENV: "b" * 64}
    snakemake(workflow_dir, "--cores", "2", "--configfile", cfg, env=old)
    page = workflow_dir / "results" / "provenance.html"
    landing = workflow_dir / "results" / "tables" / "provenance.rst"
    built = re.search(
        r"All (\d+) checkpoints and tables under results/ were built by the installed advgen code \(aaaa",
        landing.read_text(),
    )
    assert built, landing.read_text()
    total = int(built.group(1))
    assert "Rebuild" not in page.read_text()
    assert "Nothing to be done" in snakemake(workflow_dir, "-n", "--configfile", cfg, env=old).stdout

    # the code changed: Snakemake reruns only the page (it does not watch imported modules)
    dry = snakemake(workflow_dir, "-n", "--configfile", cfg, env=new)
    assert job_counts(dry.stdout) == {"provenance": 1, "all": 1}
    snakemake(workflow_dir, "--cores", "2", "--configfile", cfg, env=new)
    text = page.read_text()
    assert SUMMARY.search(text).groups() == (str(total), str(total))
    for output in ("results/data/digits/train.pt", "results/gans/tiny/checkpoint.pt"):
        assert f"<code>{output}</code></td><td>built by code aaaaaaaaaaaaaaaa" in text
    command = html.unescape(re.search(r"<pre>(.*)</pre>", text).group(1))
    listed = re.findall(r"<code>(results/[^<]+)</code></td><td>built by code", text)
    assert command.startswith(f"snakemake --cores all --configfile {cfg} --forcerun ")
    assert command.split("--forcerun ")[1].split() == listed and len(listed) == total
    assert "not built by the installed advgen code" in landing.read_text()

    # the printed command rebuilds them; the page then says every output is current
    snakemake(workflow_dir, *command.split()[1:], env=new)
    assert f"All {total} checkpoints" in page.read_text()
    assert "Nothing to be done" in snakemake(workflow_dir, "-n", "--configfile", cfg, env=new).stdout
