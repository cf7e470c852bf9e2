"""The sweep and sample-quality commands write what they wrote before they became thin
(issue 14): tables of tiny seeded runs against ``tests/data/command_outputs/``, which the
commands wrote before their logic moved to ``advgen.sweeps.points`` and
``advgen.metrics.sample_quality``."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
GOLDEN = HERE.parent / "data" / "command_outputs"


def _tool():
    spec = importlib.util.spec_from_file_location("command_outputs", HERE.parent / "golden" / "command_outputs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_invert_interpolate_inpaint_sample_quality_tables_are_unchanged(tmp_path):
    tool = _tool()
    tool.write(tmp_path)
    # exact on the machine that wrote them; a loose tolerance absorbs other CPUs' float kernels
    assert tool.compare(GOLDEN, tmp_path, rtol=1e-4) == []


def test_compare_reports_a_changed_table(tmp_path):
    import pandas as pd

    tool = _tool()
    for name in tool.TABLES:
        frame = pd.read_parquet(GOLDEN / name)
        if name == "inpaint.parquet":
            frame.loc[0, "mse_hidden"] += 1.0
        frame.to_parquet(tmp_path / name)
    problems = tool.compare(GOLDEN, tmp_path, rtol=1e-4)
    assert len(problems) == 1 and problems[0].startswith("inpaint.parquet")
