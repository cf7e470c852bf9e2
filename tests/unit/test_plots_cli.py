"""The figure families' commands (``advgen plot-<family>``, a job kind each), ``advgen plot
--list`` and ``advgen summary-table``: renderers, formats by suffix, errors."""

from __future__ import annotations

import pytest

from advgen.cli import main
from advgen.pipeline.figures import FIGURES
from tests.jobs import job_argv, plot_argv
from tests.unit import plots_data as data


def test_every_family_has_a_caption_and_a_stage():
    from pathlib import Path

    report = Path(__file__).resolve().parents[2] / "workflow" / "report"
    for row in FIGURES:
        assert row.category in {"Generative", "Sweeps", "Robustness", "Defense", "Tables"}
        assert (report / f"{row.family}.rst").exists(), f"caption of {row.family}"


def test_plot_list_names_each_family_and_its_command(capsys):
    assert main(["plot", "--list"]) == 0
    out = capsys.readouterr().out
    assert "gan_losses" in out and "plot-gan-losses" in out and "table-robustness" in out


def test_plot_command_writes_each_format(tmp_path):
    table = tmp_path / "losses.parquet"
    data.gan_losses().to_parquet(table)
    out = [tmp_path / "f.png", tmp_path / "f.svg", tmp_path / "f.pdf"]
    spec = {"experiment": "digits_ns", "dpi": 50, "smoothing": 3}
    assert main(plot_argv("gan_losses", [table], out, spec)) == 0
    assert out[2].read_bytes().startswith(b"%PDF")
    for p in out[:2]:
        data.assert_figure(p)


def test_plot_command_errors_are_one_line(tmp_path, capsys):
    table = tmp_path / "losses.parquet"
    data.gan_losses().to_parquet(table)
    assert main(plot_argv("gan_losses", [table], [tmp_path / "a.jpg"], {"experiment": "x"})) == 2
    assert "unsupported figure format 'jpg'" in capsys.readouterr().err
    assert main(plot_argv("gan_losses", [table], [tmp_path / "a.png"], {})) == 2
    assert "lacks key 'experiment'" in capsys.readouterr().err
    assert (
        main(plot_argv("gan_losses", [tmp_path / "none.parquet"], [tmp_path / "a.png"], {"experiment": "x"}))
        == 2
    )
    assert "none.parquet" in capsys.readouterr().err
    # a key the family does not draw, a figure without its spec, a copy of no figure
    assert (
        main(plot_argv("gan_losses", [table], [tmp_path / "a.png"], {"experiment": "x", "cdf_panels": 3}))
        == 2
    )
    assert "figure family gan_losses draws no 'cdf_panels'" in capsys.readouterr().err
    two = {"figures": [str(tmp_path / "a.png"), str(tmp_path / "b.png")]}
    argv = job_argv("plot-gan-losses", {"figures": [{"experiment": "x"}]}, {"figure1": str(table)}, two)
    assert main(argv) == 2
    assert "2 figures=PATH for 1 figures in the spec" in capsys.readouterr().err
    stray = {"figures": str(tmp_path / "a.png"), "vectors": str(tmp_path / "c.svg")}
    argv = job_argv("plot-gan-losses", {"figures": [{"experiment": "x"}]}, {"figure1": str(table)}, stray)
    assert main(argv) == 2
    assert "is the copy of no figure" in capsys.readouterr().err
    assert not list(tmp_path.glob("a.*"))


def test_gan_loss_comparison_needs_one_label_per_input(tmp_path, capsys):
    table = tmp_path / "losses.parquet"
    data.gan_losses().to_parquet(table)
    assert main(plot_argv("gan_loss_comparison", [table], [tmp_path / "a.png"], {"labels": ["a", "b"]})) == 2
    assert "1 input(s) but 2 label(s)" in capsys.readouterr().err


@pytest.mark.parametrize("table", ["sample_quality", "robustness"])
def test_summary_table_command(tmp_path, table):
    src = tmp_path / "in.parquet"
    (data.sample_quality() if table == "sample_quality" else data.attack_table()).to_parquet(src)
    out = tmp_path / "tables" / f"{table}.md"
    assert main(["summary-table", "--table", table, "--input", str(src), "--out", str(out)]) == 0
    assert out.read_text().startswith("# ")


def test_a_spec_without_plot_options_draws_with_the_configs_defaults(tmp_path):
    # the defaults are stated once, in the schemas: a spec that leaves the options out draws
    # exactly what the workflow draws from the validated (default-filled) config
    from pathlib import Path

    from advgen.config import load_yaml, validate_config
    from advgen.pipeline.figures import BY_FAMILY
    from advgen.plots.spec import option_defaults

    repo = Path(__file__).resolve().parents[2]
    config = validate_config(load_yaml(repo / ".test" / "config" / "generative.yaml"))
    gan = next(iter(config["gans"].values()))
    draw = BY_FAMILY["gan_grad_norms"].draw
    assert draw is not None
    named = {"experiment": "x", **config["plots"], **gan}
    full_spec = {k: v for k, v in named.items() if k in draw.keys}  # what the family draws
    assert set(full_spec) == {"experiment", "dpi", "smoothing", "vanishing_threshold", "vanishing_patience"}
    assert {k: option_defaults()[k] for k in full_spec if k != "experiment"} == {
        k: v for k, v in full_spec.items() if k != "experiment"
    }
    table = tmp_path / "losses.parquet"
    data.gan_losses().to_parquet(table)
    figures = {}
    for name, spec in (("bare", {"experiment": "x"}), ("full", full_spec)):
        figures[name] = tmp_path / f"{name}.svg"
        assert main(plot_argv("gan_grad_norms", [table], [figures[name]], spec)) == 0
    assert figures["bare"].read_bytes() == figures["full"].read_bytes()
