"""Robustness figures and the Markdown summary tables on tiny synthetic tables."""

from __future__ import annotations

import pytest

from advgen.errors import AdvgenError
from advgen.plots import robustness, tables
from tests.unit import plots_data as data


def outs(tmp_path, stem):
    return [tmp_path / f"{stem}.png", tmp_path / f"{stem}.svg"]


def check(paths):
    for p in paths:
        data.assert_figure(p)


def test_accuracy_curves_one_panel_per_attack(tmp_path):
    paths = outs(tmp_path, "curves")
    robustness.accuracy_curves(data.attack_table(), paths, dpi=60)
    check(paths)
    text = paths[1].read_text()
    assert all(f">{a}<" in text for a in ("fgsm", "pgd", "deepfool"))


def test_transfer_heatmap_annotates_values(tmp_path):
    paths = outs(tmp_path, "transfer")
    robustness.transfer_heatmaps(data.transfer_table(), paths, dpi=60)
    check(paths)
    text = paths[1].read_text()
    assert ">0.95<" in text and "noise: half_a" in text


def test_minimal_perturbation_bars(tmp_path):
    paths = outs(tmp_path, "minimal")
    robustness.minimal_perturbation(data.minimal_table(), paths, dpi=60)
    check(paths)
    assert ">0.120<" in paths[1].read_text()


@pytest.mark.parametrize("sweep", ["capacity", "data_size"])
def test_sweep_curves(tmp_path, sweep):
    paths = outs(tmp_path, sweep)
    robustness.sweep_curves(data.robustness_sweep(sweep), paths, sweep=sweep, dpi=60)
    check(paths)
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
    assert "## pgd, linf norm" in text
    assert "| clean | eps=0 | eps=0.1 |" in text
    assert "| cnn_small | 0.980 | 0.980 | 0.133 |" in text
    assert "lbfgs: mean ‖r‖₂/‖x‖₂" in text and "| fc100 | 0.0500 | – |" in text
