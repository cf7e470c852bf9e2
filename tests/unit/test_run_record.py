"""advgen.run_record in-process: every hostile or broken record of tests/workflow/test_make_report.py
(which runs a few of them through make) is one line naming the record and its line, status 2,
and runs nothing; a good record hands Snakemake the config files as arguments."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from advgen import run_record
from tests.conftest import REPO
from tests.workflow.test_make_report import BROKEN, PAYLOADS


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder standing for the checkout make runs in (its config/config.yaml)."""
    (tmp_path / "config").mkdir()
    shutil.copy(REPO / "config" / "config.yaml", tmp_path / "config" / "config.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def report() -> list[str]:
    """``make report WORKDIR=broken`` (a Snakemake that is never reached)."""
    return [
        "report",
        "--workdir",
        "broken",
        "--snakemake",
        "/nonexistent/snakemake",
        "--snakefile",
        "Snakefile",
    ]


def one_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = run_record.main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_shell_in_the_record_runs_nothing(checkout: Path, tmp_path: Path, payload: str, capsys) -> None:
    marker = tmp_path / "marker"
    workdir = checkout / "broken" / "results"
    workdir.mkdir(parents=True)
    (workdir / "run_config.txt").write_text(PAYLOADS[payload].format(m=marker) + "\n")
    line = one_line(capsys, report())
    assert line.startswith("make report: broken/results/run_config.txt:"), line
    assert not marker.exists()


@pytest.mark.parametrize("case", BROKEN)
def test_a_missing_or_broken_results_folder_is_one_line(checkout: Path, case: str, capsys) -> None:
    make_state, named = BROKEN[case]
    make_state(checkout)
    line = one_line(capsys, report())
    assert line.startswith("make report: ") and named in line, line


def test_a_config_given_that_is_not_the_recorded_one_is_one_line(checkout: Path, capsys) -> None:
    (checkout / "broken" / "results").mkdir(parents=True)
    (checkout / "broken" / "results" / "run_config.txt").write_text("config/config.yaml\n")
    line = one_line(capsys, [*report(), "--config", "config/other.yaml"])
    assert line == (
        'make report: broken was run with CONFIG="config/config.yaml" (broken/results/run_config.txt), '
        'not CONFIG="config/other.yaml"'
    )


def test_a_good_record_hands_snakemake_the_files_as_arguments(checkout: Path, tmp_path: Path, capsys) -> None:
    """The recorded files, absolute, one argument each, to the program named (here a script that
    records its arguments), never through a shell."""
    (checkout / "run" / "results").mkdir(parents=True)
    (checkout / "run" / "results" / "run_config.txt").write_text("config/config.yaml\n")
    fake = tmp_path / "snakemake"
    fake.write_text(
        f"#!{sys.executable}\nimport sys, json\nopen('args.json', 'w').write(json.dumps(sys.argv[1:]))\n"
    )
    fake.chmod(0o755)
    argv = [
        "report",
        "--workdir",
        "run",
        "--snakemake",
        str(fake),
        "--snakefile",
        "/s/Snakefile",
        "--cores",
        "2",
    ]
    assert run_record.main(argv) == 0, capsys.readouterr().err
    import json

    args = json.loads((checkout / "run" / "args.json").read_text())
    assert args == [
        "-s",
        "/s/Snakefile",
        "--cores",
        "2",
        "--configfile",
        str(checkout / "config" / "config.yaml"),
    ] + [
        "--report",
        "results/report.html",
    ]


def test_make_run_writes_the_record_it_reads(checkout: Path) -> None:
    assert run_record.main(["write", "--workdir", "w", "config/config.yaml"]) == 0
    assert (checkout / "w" / "results" / "run_config.txt").read_text() == "config/config.yaml\n"
    assert run_record.read_record(checkout / "w") == ["config/config.yaml"]
    assert run_record.main(["check", "--workdir", "w", "config/config.yaml"]) == 0


def test_a_fuzzed_record_is_a_list_of_config_files_or_one_line(checkout: Path, capsys) -> None:
    """Seeded random records (bytes, text, shell metacharacters, the names of real files among
    them): the reader returns config files that exist, or raises one line naming the record; the
    report never runs anything for a record it refused."""
    import random

    from advgen.errors import AdvgenError

    rng = random.Random(85)
    alphabet = [
        "config/config.yaml",
        "$(",
        ")",
        "`",
        ";",
        "&",
        "|",
        "\n",
        "\r",
        "\t",
        " ",
        "\x00",
        "\xff",
        "é",
        "-",
    ]
    workdir = checkout / "fuzz"
    (workdir / "results").mkdir(parents=True)
    record = workdir / "results" / "run_config.txt"
    for _ in range(300):
        if rng.random() < 0.3:
            record.write_bytes(rng.randbytes(rng.randrange(0, 200)))
        else:
            record.write_text(
                "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12))), errors="surrogateescape"
            )
        try:
            configs = run_record.read_record(workdir)
        except AdvgenError as exc:
            assert "\n" not in str(exc) and str(exc).startswith(f"{record}"), repr(str(exc))
            continue
        assert configs is None or all(Path(c).is_file() for c in configs)
