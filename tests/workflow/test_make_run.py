"""`make run` leaves the checkout's tracked files alone and records the config it ran with, which
`make report` then uses (or refuses in one line); the README's refresh is its own target.

The run is the Makefile's own recipe on a tiny config in a scratch git checkout whose ``.venv`` is
this test process's (tests/workflow/make_checkout.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, copy_workflow, tool_env
from tests.workflow.make_checkout import fake_venv

TINY = ".test/config/data.yaml"


def make(checkout: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = tool_env({"CORES": "2"})
    env["PATH"] = f"{checkout / '.venv' / 'bin'}:{env['PATH']}"
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def git(checkout: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=checkout,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A committed scratch checkout (the workflow, Makefile, README and docs/default_run) and its venv."""
    root = copy_workflow(tmp_path_factory.mktemp("make_run") / "checkout")
    for name in ("Makefile", "pyproject.toml", "README.md", ".gitignore"):
        shutil.copy2(REPO / name, root / name)
    shutil.copytree(REPO / "docs" / "default_run", root / "docs" / "default_run")
    fake_venv(root)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "checkout")
    return root


@pytest.mark.slow
def test_a_run_changes_no_tracked_file_and_the_report_uses_its_config(checkout: Path) -> None:
    run = make(checkout, "run", f"CONFIG={TINY}")
    assert run.returncode == 0, run.stdout + run.stderr
    assert (checkout / "results" / "report.html").is_file()
    total = int(re.search(r"^total +(\d+)$", run.stdout + run.stderr, re.M).group(1))
    assert f"advgen: {total} of {total} jobs done, done" in run.stdout + run.stderr  # the progress lines
    assert (checkout / "results" / "run_config.txt").read_text(encoding="utf-8") == f"{TINY}\n"
    assert git(checkout, "status", "--porcelain", "--untracked-files=no") == ""
    assert git(checkout, "status", "--porcelain") == ""  # what it wrote is ignored too

    report = make(checkout, "report")  # no CONFIG: the recorded one
    assert report.returncode == 0, report.stdout + report.stderr
    assert f"--configfile {checkout / TINY}" in report.stdout
    refused = refusal(make(checkout, "report", "CONFIG=config/config.yaml"))
    said = f'make report: . was run with CONFIG="{TINY}" (./results/run_config.txt), not CONFIG="config/config.yaml"'
    assert refused == [said]
    published = make(checkout, "publish-default-run")  # not a run of the default config
    assert (
        published.returncode == 2 and "make publish-default-run: results/ is not a run of" in published.stderr
    )
    assert git(checkout, "status", "--porcelain") == ""


def test_the_run_recipe_on_the_default_config_writes_no_tracked_file(checkout: Path) -> None:
    """`make -n run` on the default config: the commands it would run write in WORKDIR's results/
    alone (Snakemake's own outputs, results/, logs/, .snakemake/, are ignored by git); the README's
    refresh is `make publish-default-run`."""
    dry = make(checkout, "-n", "run")
    assert dry.returncode == 0, dry.stderr
    assert "README.md" not in dry.stdout and "docs/default_run" not in dry.stdout
    publish = make(checkout, "-n", "publish-default-run")
    assert "--readme README.md" in publish.stdout and "docs/default_run/claims.parquet" in publish.stdout


def refusal(result: subprocess.CompletedProcess[str]) -> list[str]:
    """A refused make target's lines on stderr, without make's own ``make: *** [...] Error 2``
    (``make[1]: ***`` where the test runs under make, as ``make test`` runs it)."""
    assert result.returncode == 2, result.stdout + result.stderr
    return [
        line for line in result.stderr.strip().splitlines() if not re.match(r"make(\[\d+\])?: \*\*\* ", line)
    ]


def test_a_report_without_a_record_names_the_config_it_needs(checkout: Path) -> None:
    (checkout / "demo" / "results").mkdir(parents=True, exist_ok=True)
    lines = refusal(make(checkout, "report", "WORKDIR=demo"))
    assert lines == [
        "make report: demo/results/run_config.txt does not say which config demo was run with: "
        "make report WORKDIR=demo CONFIG=<its config files> (the demo: CONFIG=config/demo.yaml)"
    ]
