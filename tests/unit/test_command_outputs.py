"""The sweep and sample-quality commands write what they wrote before they became thin:
tables of tiny seeded runs against ``tests/data/command_outputs/``, which the
commands wrote before their logic moved to ``advgen.sweeps.points`` and
``advgen.metrics.sample_quality``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden import command_outputs as tool

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "command_outputs"


@pytest.mark.slow
def test_invert_interpolate_inpaint_sample_quality_tables_are_unchanged(tmp_path):
    tool.write(tmp_path)
    # exact on the machine that wrote them; a loose tolerance absorbs other CPUs' float kernels
    assert tool.compare(GOLDEN, tmp_path, rtol=1e-4) == []


def test_compare_reports_a_changed_table(tmp_path):
    import pandas as pd

    for name in tool.TABLES:
        frame = pd.read_parquet(GOLDEN / name)
        if name == "inpaint.parquet":
            frame.loc[0, "mse_hidden"] += 1.0
        frame.to_parquet(tmp_path / name)
    problems = tool.compare(GOLDEN, tmp_path, rtol=1e-4)
    assert len(problems) == 1 and problems[0].startswith("inpaint.parquet")
