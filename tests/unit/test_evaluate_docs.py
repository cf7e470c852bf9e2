"""docs/evaluate.md's examples: the Python one runs as written (a small CNN on the shipped
MNIST sample, CPU), and each ``advgen evaluate`` line of the shell one parses."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pandas as pd
import pytest

from advgen.cli import build_parser
from advgen.robustness.evaluation_table import COLUMNS, FILES

DOC = Path(__file__).parents[2] / "docs" / "evaluate.md"
pytestmark = pytest.mark.usefixtures("one_thread")


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.S | re.M)


def test_the_python_example_runs_and_writes_its_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (code,) = blocks("python")
    assert len(code.strip().splitlines()) <= 14  # a short example
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(code, str(DOC), "exec"), scope)
    assert "robust_acc" in capsys.readouterr().out
    table = pd.read_parquet(tmp_path / "my_eval" / FILES["table"])
    assert list(table.columns) == COLUMNS and len(table) == 1
    row = table.iloc[0]
    assert row["classifier"] == "my_cnn" and row["attack"] == "AutoAttack-standard" and row["n"] == 50
    assert (
        row["clean_acc"] > 0.7 and row["robust_acc"] < row["clean_acc"]
    )  # the CNN learned; the attack bites
    assert scope["result"].masking["check"].size == 6
    assert (tmp_path / "my_eval" / FILES["html"]).is_file()


def test_the_command_lines_parse() -> None:
    (shell,) = blocks("bash")
    text = shell.replace("\\\n", " ")
    lines = [line for line in text.splitlines() if line.startswith("advgen evaluate")]
    assert len(lines) == 2
    for line in lines:
        args = build_parser("evaluate").parse_args(shlex.split(line)[1:])
        assert args.model.endswith((":Net", ":make_net"))
