"""tests/compare_outputs.py: equal folders pass, a renamed figure passes, any changed byte fails."""

from __future__ import annotations

import shutil

import pandas as pd
import torch

from tests.compare_outputs import compare


def make_run(root, value=1.0, figure="ffe894f927.png"):
    results = root / "cfg" / "results"
    (results / "figures" / "sweeps").mkdir(parents=True)
    pd.DataFrame({"x": [value, 2.0]}).to_parquet(results / "table.parquet")
    torch.save({"kind": "k", "w": torch.tensor([value]), "config": {"a": 1}}, results / "model.pt")
    (results / "figures" / "sweeps" / figure).write_bytes(b"\x89PNG fake image")
    return root


def test_equal_folders_and_renamed_figures_pass(tmp_path):
    before = make_run(tmp_path / "a")
    after = make_run(tmp_path / "b", figure="restarts-5_init-random.png")
    assert compare(before, after) == []


def test_a_changed_table_checkpoint_or_figure_fails(tmp_path):
    before = make_run(tmp_path / "a")
    after = make_run(tmp_path / "b", value=1.5)
    problems = compare(before, after)
    assert any("table.parquet" in p for p in problems) and any("model.pt" in p for p in problems)
    (after / "cfg/results/figures/sweeps/ffe894f927.png").write_bytes(b"other")
    assert any("no byte-identical figure" in p for p in compare(before, after))
    shutil.rmtree(after / "cfg/results/figures")
    assert any("no byte-identical figure" in p for p in compare(before, after))
