"""Robustness figures and the Markdown summary tables on tiny synthetic tables."""

from __future__ import annotations

import pytest

from advgen.errors import AdvgenError
from advgen.plots import robustness, tables
from tests.unit import plots_data as data


def test_accuracy_curves_one_panel_per_attack(tmp_path):
    paths = data.figure_paths(tmp_path, "curves")
    robustness.accuracy_curves(data.attack_table(), paths, dpi=60)
    data.assert_figures(paths)
    text = paths[1].read_text()
    assert all(f">{a}<" in text for a in ("fgsm", "pgd", "deepfool"))


def test_transfer_heatmap_annotates_values(tmp_path):
    paths = data.figure_paths(tmp_path, "transfer")
    robustness.transfer_heatmaps(data.transfer_table(), paths, dpi=60)
    data.assert_figures(paths)
    text = paths[1].read_text()
    assert ">0.95<" in text and "noise: half_a" in text


def test_minimal_perturbation_bars(tmp_path):
    paths = data.figure_paths(tmp_path, "minimal")
    robustness.minimal_perturbation(data.minimal_table(), paths, dpi=60)
    data.assert_figures(paths)
    assert ">0.120<" in paths[1].read_text()


@pytest.mark.parametrize("sweep", ["capacity", "data_size"])
def test_sweep_curves(tmp_path, sweep):
    paths = data.figure_paths(tmp_path, sweep)
    robustness.sweep_curves(data.robustness_sweep(sweep), paths, sweep=sweep, dpi=60)
    data.assert_figures(paths)
    with pytest.raises(AdvgenError, match="unknown robustness sweep"):
        robustness.sweep_curves(data.robustness_sweep(sweep), paths, sweep="depth")


def test_sample_quality_markdown():
    text = tables.sample_quality(data.sample_quality())
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    assert lines[0].startswith("| model | family | FID")
    assert lines[1].startswith("| digits | real | 0.000")  # the reference first
    assert "| 2/10 |" in lines[2] and "mode_collapse" in lines[2]


def test_robustness_markdown():
    text = tables.robustness(data.attack_table(), data.minimal_table())
    assert "## pgd, L∞ norm" in text and "## deepfool, L2 norm" in text
    assert "| clean | eps=0.1 |" in text and "eps=0 " not in text  # eps 0 equals clean: left out
    assert "| cnn_small | 0.980 | 0.133 |" in text
    assert "lbfgs: mean ‖r‖₂/‖x‖₂" in text and "| fc100 | 0.0500 | – |" in text


def test_robustness_markdown_aggregates_seeds_and_keeps_an_eps_0_that_differs():
    text = tables.robustness(data.seeded_attack_table())
    section = text.split("## fgsm, L∞ norm")[1].split("##")[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    assert rows[0] == "| classifier | clean | eps=0.1 | eps=0.2 |"
    # the model's mean and t-interval over its three seeds above its runs, cut to [0, 1]
    assert rows[1].startswith("| cnn_pgd | 0.950 | ")  # one run: no aggregate row
    assert rows[2].startswith(
        "| **cnn_small**: mean of 3 seeds [95 % t-interval] | **0.970** [0.945, 0.995] |"
    )
    assert [r.split(" | ")[0] for r in rows[3:]] == ["| cnn_small", "| cnn_small_seed1", "| cnn_small_seed2"]
    assert "**0.019** [0.000, 0.037]" in rows[2]  # the interval's lower end cut at 0
    spatial = text.split("## spatial_random")[1].split("##")[0]
    assert spatial.startswith(", rotation and translation: eps 1 = ±30°, ±3 px")
    assert "| clean | eps=0 | eps=1 |" in spatial  # the random transform at eps 0 is not the clean input here
