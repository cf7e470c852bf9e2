"""`make report` and `make publish-default-run` on results folders that are missing, partial,
broken or hostile: one line naming what is wrong, exit status 2, no traceback, and nothing from a
file runs (advgen.run_record reads results/run_config.txt; no file's text reaches a shell line).

The results folder is data a user may receive from someone else: its ``run_config.txt`` holding
shell (``$(...)``, backquotes, ``;``, a newline, an option), and every other file of it that a
target reads holding shell too, must create no marker file. Each case runs the Makefile's own
recipe in a scratch checkout (tests/workflow/test_make_run.py's, with this process's programs).
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pandas as pd
import pytest

from tests.workflow.test_make_run import TINY, checkout, make, refusal  # noqa: F401  (checkout: a fixture)

#: shell a results file may hold, each creating ``{m}`` if it ran
PAYLOADS = {
    "command substitution": "$(touch {m})",
    "backquotes": "`touch {m}`",
    "semicolon": "config/config.yaml; touch {m}",
    "and": "config/config.yaml && touch {m}",
    "quotes": '"; touch {m}; echo "',
    "make function": "$(shell touch {m})",
    "make variable": "$$(touch {m})",
    "newline": "config/config.yaml\n$(touch {m})",
    "option": "--touch",
    "pipe": "x | touch {m}",
}


def results_with(checkout: Path, name: str, record: str | bytes | None) -> Path:
    """A WORKDIR ``name`` in the checkout with a results folder and ``record`` as its run_config.txt."""
    workdir = checkout / name
    shutil.rmtree(workdir, ignore_errors=True)
    (workdir / "results").mkdir(parents=True)
    if record is not None:
        path = workdir / "results" / "run_config.txt"
        path.write_bytes(record if isinstance(record, bytes) else record.encode())
    return workdir


@pytest.mark.parametrize(
    "payload",
    ["command substitution", *(pytest.param(p, marks=pytest.mark.slow) for p in ("backquotes", "newline"))],
)
def test_shell_in_the_record_runs_nothing(checkout: Path, tmp_path: Path, payload: str) -> None:
    """Through make (every payload, in-process: tests/unit/test_run_record.py)."""
    marker = tmp_path / "marker"
    text = PAYLOADS[payload].format(m=marker)
    results_with(checkout, "hostile", text + "\n")
    lines = refusal(make(checkout, "report", "WORKDIR=hostile"))
    assert len(lines) == 1 and lines[0].startswith("make report: hostile/results/run_config.txt:"), lines
    assert "is not a config file" in lines[0] or "No such file" in lines[0] or "control character" in lines[0]
    assert not marker.exists()
    assert not (checkout / "hostile" / "results" / "report.html").exists()


def test_shell_in_the_record_runs_nothing_in_publish_default_run(checkout: Path, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    (checkout / "results").mkdir(exist_ok=True)
    record = checkout / "results" / "run_config.txt"
    before = record.read_bytes() if record.exists() else None
    try:
        record.write_text(f"config/config.yaml $(touch {marker})\n")
        lines = refusal(make(checkout, "publish-default-run"))
        assert len(lines) == 1 and "make publish-default-run: results/run_config.txt:1:" in lines[0], lines
        assert not marker.exists()
    finally:
        if before is None:
            record.unlink()
        else:
            record.write_bytes(before)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    s.close()


#: (a WORKDIR's state made in the checkout, the words the one line names)
BROKEN = {
    "no such folder": (lambda c: None, "WORKDIR=broken: no such folder"),
    "a file": (lambda c: (c / "broken").write_text("x"), "WORKDIR=broken: no such folder"),
    "no results folder": (lambda c: (c / "broken").mkdir(), "broken has no results/ folder"),
    "record names a missing file": (
        lambda c: results_with(c, "broken", "config/nope.yaml\n"),
        "broken/results/run_config.txt:1: config file 'config/nope.yaml': No such file",
    ),
    "record names a folder": (
        lambda c: results_with(c, "broken", "config\n"),
        "broken/results/run_config.txt:1: config file 'config' is not a regular file",
    ),
    "record not UTF-8": (
        lambda c: results_with(c, "broken", b"config/\xff.yaml\n"),
        "broken/results/run_config.txt: byte 7: not valid UTF-8",
    ),
    "record a folder": (
        lambda c: (results_with(c, "broken", None) / "results" / "run_config.txt").mkdir(),
        "broken/results/run_config.txt: is not a regular file",
    ),
    "record a FIFO": (
        lambda c: _fifo(results_with(c, "broken", None) / "results" / "run_config.txt"),
        "broken/results/run_config.txt: is not a regular file",
    ),
    "record a socket": (
        lambda c: _socket(results_with(c, "broken", None) / "results" / "run_config.txt"),
        "broken/results/run_config.txt: is not a regular file",
    ),
    "record too long": (
        lambda c: results_with(c, "broken", "config/config.yaml\n" * 100),
        "broken/results/run_config.txt: 100 lines, more than the 64",
    ),
    "record names a broken config": (
        lambda c: (c / "bad.yaml").write_text("seed: [\n") and results_with(c, "broken", "bad.yaml\n"),
        "bad.yaml:2:1: YAML syntax error",
    ),
    "record empty, no CONFIG": (
        lambda c: results_with(c, "broken", "\n"),
        "broken/results/run_config.txt does not say which config broken was run with",
    ),
}


@pytest.mark.parametrize(
    "case",
    [
        "no such folder",
        "record a FIFO",
        *(
            pytest.param(c, marks=pytest.mark.slow)
            for c in ("no results folder", "record names a broken config")
        ),
    ],
)
def test_a_missing_or_broken_results_folder_is_one_line(checkout: Path, case: str) -> None:
    """Through make (every case, in-process: tests/unit/test_run_record.py)."""
    make_state, named = BROKEN[case]
    target = checkout / "broken"
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    else:
        target.unlink(missing_ok=True)
    make_state(checkout)
    result = make(checkout, "report", "WORKDIR=broken")
    lines = refusal(result)
    assert len(lines) == 1 and lines[0].startswith("make report: "), result.stderr
    assert named in lines[0], lines[0]
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.slow  # Snakemake builds the DAG of the tiny config (10-30 s on 2 busy cores)
def test_a_partial_results_folder_is_one_line_and_its_log(checkout: Path, tmp_path: Path) -> None:
    """A run's results with parts missing and the rest holding shell: Snakemake cannot make the
    report; its output goes to logs/make_report.log, one line quotes its error, nothing runs."""
    marker = tmp_path / "marker"
    # a config whose report includes the pages below (a data-only one plans none of them)
    workdir = results_with(checkout, "partial", ".test/config/robustness.yaml\n")
    shell = f"$(touch {marker}) `touch {marker}`; touch {marker}\n"
    for name in ("tables/findings.rst", "tables/claims.md", "claims.html", "provenance.html"):
        (workdir / "results" / name).parent.mkdir(parents=True, exist_ok=True)
        (workdir / "results" / name).write_text(shell)
    pd.DataFrame({"id": [shell], "verdict": [shell]}).to_parquet(
        workdir / "results" / "tables" / "claims.parquet"
    )
    result = make(checkout, "report", "WORKDIR=partial")
    lines = refusal(result)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        "make report: Snakemake could not make the report of partial (exit status 1): "
    )
    assert lines[0].endswith("(its output: partial/logs/make_report.log)")
    assert "Traceback" not in result.stdout + result.stderr
    assert (workdir / "logs" / "make_report.log").read_text()
    assert not marker.exists()


@pytest.mark.slow  # advgen claims on the default run's table (a few seconds)
def test_shell_in_every_file_publish_default_run_reads_runs_nothing(checkout: Path, tmp_path: Path) -> None:
    """make publish-default-run reads results/run_config.txt, results/tables/claims.parquet (through
    advgen claims) and copies results/figures/generators_overview.png: shell in every text cell of
    the table and in the figure's bytes is text in the README and the page, and runs nothing."""
    from tests.conftest import REPO

    marker = tmp_path / "marker"
    shell = f"$(touch {marker}) `touch {marker}`; touch {marker} && $$(touch {marker})"
    results = checkout / "results"
    (results / "tables").mkdir(parents=True, exist_ok=True)
    (results / "figures").mkdir(parents=True, exist_ok=True)
    (results / "run_config.txt").write_text("config/config.yaml\n")
    table = pd.read_parquet(REPO / "docs" / "default_run" / "claims.parquet")
    for column in ("statement", "quote", "paper_value", "note", "effect", "sides", "control", "validity"):
        table[column] = shell
    table.to_parquet(results / "tables" / "claims.parquet")
    (results / "figures" / "generators_overview.png").write_text(shell)
    round2 = Path("docs", "rounds", "round2")  # the previous round's table (PREVIOUS_ROUND), beside each row
    (checkout / round2).mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / round2 / "claims_xeone.parquet", checkout / round2)
    try:
        result = make(checkout, "publish-default-run")
        assert result.returncode == 0, result.stdout + result.stderr
        assert not marker.exists()
        assert shell in (checkout / "docs" / "default_run" / "claims.md").read_text()
    finally:
        shutil.rmtree(results)
