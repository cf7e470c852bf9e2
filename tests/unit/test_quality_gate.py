"""The quality gate: bars per generator role (sample_quality.bars), the summary's gate columns,
and the overview figure that shows them beside the samples."""

from __future__ import annotations

import copy
import math

import pandas as pd
import pytest

from advgen.config import load_yaml, schema_path
from advgen.errors import ConfigError
from advgen.metrics.gate import METRICS, failures, gate
from advgen.pipeline import build
from advgen.pipeline.check import checked_pipeline
from tests.conftest import REPO

ROW = {"fid": 75.12, "modes": 8, "mean_max_prob": 0.673, "min_class_fraction": 0.01, "status": "ok"}


def test_failures_name_the_metric_its_value_and_the_bound():
    assert failures(ROW, {"fid": 40, "modes": 9}) == ["fid 75.1 > 40", "classes 8 < 9"]
    assert failures(ROW, {"fid": 80, "modes": 8, "mean_max_prob": 0.6}) == []
    assert failures({**ROW, "status": "mode_collapse"}, {"no_collapse": True}) == ["mode_collapse"]
    assert failures({**ROW, "status": "mode_collapse"}, {"no_collapse": False}) == []
    assert failures({**ROW, "fid": math.nan}, {"fid": 40}) == ["fid nan > 40"]  # NaN never passes
    assert failures({"test_mse": 0.0123}, {"test_mse": 0.02}) == []
    pr = {**ROW, "precision": 0.71, "recall": 0.42}  # Kynkäänniemi et al. 2019: at least
    assert failures(pr, {"precision": 0.7, "recall": 0.5}) == ["recall 0.42 < 0.5"]
    with pytest.raises(KeyError, match="fidd"):
        failures(ROW, {"fidd": 1})


def test_gate_columns_pass_fail_and_no_bar():
    assert gate(ROW, None) == {"gate": "", "gate_failures": ""}
    assert gate(ROW, {"ns_gan": {"fid": 120}}) == {"gate": "pass", "gate_failures": ""}
    both = gate(ROW, {"report_gan": {"fid": 40, "modes": 9}, "ns_gan": {"fid": 50}})
    assert both == {"gate": "fail", "gate_failures": "fid 75.1 > 50; fid 75.1 > 40; classes 8 < 9"}


def test_the_schema_bar_names_the_gate_metrics():
    bar = load_yaml(schema_path("generative.schema.yaml"))["$defs"]["bar"]["properties"]
    assert set(bar) == set(METRICS)


def _config():
    from advgen.config_files import check_config_files

    return check_config_files([str(REPO / "config" / "config.yaml")])


def test_every_default_run_of_a_role_with_bars_gets_them():
    pipe = checked_pipeline([REPO / "config" / "config.yaml"])
    rows = {r.row.name: r for r in pipe.generative.scored_rows()}
    bar = {"fid": 50, "modes": 9}  # one bar for every generator whose samples a claim reads
    assert rows["mnist_report_seed2002"].row.bars == {"report_gan": bar}
    assert rows["mnist_mse"].row.bars == {"mse_gan": bar} and rows["mnist_ns_seed2001"].row.bars == {
        "ns_gan": bar
    }
    assert rows["mnist_ae_forced"].row.bars == {"ae_forced": bar}
    assert rows["mnist_ae"].row.bars == {"ae": {"test_mse": 0.02}}
    assert rows["mnist"].row.real and rows["mnist"].row.bars is None  # the real test digits
    assert rows["mnist"].grid == "results/sample_quality/real_mnist.png"
    assert pipe.generative.real_grids() == ["results/sample_quality/real_mnist.png"]


@pytest.mark.parametrize(
    ("bars", "message"),
    [
        ({"nope": {"fid": 1}}, "sample_quality.bars.nope: unknown role"),
        (
            {"standard_cnn": {"fid": 1}},
            "sample_quality.bars.standard_cnn: the role's run 'mnist_cnn_small'",
        ),
    ],
)
def test_a_bar_of_an_unknown_or_non_generator_role_is_refused(bars, message):
    config = copy.deepcopy(_config())
    config["sample_quality"]["bars"] = bars
    with pytest.raises(ConfigError, match=message):
        build(config)


def _summary() -> pd.DataFrame:
    rows = [
        ("mnist", "real", 1.3, 10, 0.94, "", "", ""),
        ("g_seed0", "gan", 35.0, 10, 0.85, "report_gan", "pass", ""),
        ("g_seed1", "gan", 75.1, 8, 0.7, "report_gan", "fail", "fid 75.1 > 40; classes 8 < 9"),
        ("a_seed0", "autoencoder", 60.0, 10, 0.71, "ae_forced", "pass", ""),
    ]
    cols = ["model", "family", "fid", "modes", "mean_max_prob", "roles", "gate", "gate_failures"]
    return pd.DataFrame(rows, columns=cols)


def test_overview_notes_say_the_gate_and_how_many_runs_pass():
    from advgen.plots.overview import gate_lines, scores

    s = _summary()
    assert scores(s, "g_seed0") == "FID 35.0, 10 classes >= 5 %, max-prob 0.85"
    assert gate_lines(s, "g_seed0", "report_gan") == ["gate: pass (1 of 2 runs of report_gan pass)"]
    assert gate_lines(s, "g_seed1", "report_gan") == [
        "gate: FAIL (1 of 2 runs of report_gan pass)",
        "fid 75.1 > 40",
        "classes 8 < 9",
    ]
    assert gate_lines(s, "mnist", "report_gan") == ["gate: no bar declared"]


def test_overview_figure_and_landing_page(tmp_path):
    import base64

    from docutils.core import publish_parts

    from advgen.plots import overview
    from tests.unit import plots_data as data

    samples = tmp_path / "samples"
    samples.mkdir()
    for e in (1, 2):
        data.write_grid_png(samples / f"epoch_{e:03d}.png", seed=e)
    real = data.write_grid_png(tmp_path / "real.png", seed=7)
    novel = data.write_grid_png(tmp_path / "novel.png", seed=8)
    png = tmp_path / "overview.png"
    panels = [("report_gan", "g_seed1", "gans", samples), ("ae_forced", "a_seed0", "autoencoders", novel)]
    overview.overview(_summary(), real, panels, [png], scale=1, dpi=60)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rst = tmp_path / "generators.rst"
    overview.landing_rst(png, rst)
    html = publish_parts(rst.read_text(), writer="html")["html_body"]
    src = html.split('src="')[1].split('"')[0]
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.split(",", 1)[1]) == png.read_bytes()
