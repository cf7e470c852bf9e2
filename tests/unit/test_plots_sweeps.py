"""Sweep figures on tiny synthetic tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from advgen.plots import sweeps
from tests.unit import plots_data as data


def test_inversion_restarts(tmp_path):
    paths = data.figure_paths(tmp_path, "restarts")
    sweeps.inversion_restarts(data.inversion_steps(), paths, experiment="gan / point abc", images=2, dpi=60)
    data.assert_figures(paths)
    text = paths[1].read_text()
    assert "restart 0 (best)" in text and "test image 7" in text and "test image 14" not in text


@pytest.mark.parametrize(
    ("draw", "table", "options", "shown"),
    [
        (sweeps.inversion_summary, data.inversion_table, {}, "5 restarts"),
        # the third class in the middle is written out
        (sweeps.interpolation_labels, data.interpolation_frames, {"experiment": "ae"}, ">4<"),
        # psi = inf is drawn last, labelled "none"
        (sweeps.truncation_curves, data.truncation_table, {}, ">none<"),
    ],
    ids=["inversion_summary", "interpolation_labels", "truncation_curves"],
)
def test_sweep_figure_shows(tmp_path, draw, table, options, shown):
    paths = data.figure_paths(tmp_path, draw.__name__)
    draw(table(), paths, **options, dpi=60)
    data.assert_figures(paths)
    assert shown in paths[1].read_text()


def test_inpainting_errors_and_ci(tmp_path):
    mean, half = sweeps.mean_ci(data.inpainting_table()["mse_hidden"].iloc[:2])
    assert half > 0 and math.isfinite(mean)
    paths = data.figure_paths(tmp_path, "inp")
    sweeps.inpainting_errors(data.inpainting_table(), paths, dpi=60)
    data.assert_figures(paths)
    text = paths[1].read_text()
    assert text.index(">pepper<") < text.index(">square<") < text.index(">crosswalk<")  # ordered by error


def test_inversion_summary_with_a_second_setting_axis(tmp_path):
    """A sweep over init (random vs encoder) next to restarts labels each box with both."""
    table = data.inversion_table()
    table = pd.concat([table.assign(init="random"), table.assign(init="encoder")], ignore_index=True)
    paths = [tmp_path / "inv2.png"]
    sweeps.inversion_summary(table, paths, dpi=60)
    data.assert_figure(paths[0])
