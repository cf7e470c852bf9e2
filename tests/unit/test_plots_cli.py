"""The figure families' commands (``advgen plot-<family>``, a job kind each), ``advgen plot
--list`` and ``advgen summary-table``: formats by suffix, errors."""

from __future__ import annotations

import pytest

from advgen.cli import main
from tests.jobs import job_argv, plot_argv
from tests.unit import plots_data as data


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
    no_title = '{"dpi": 50, "figures": [{}], "smoothing": 3}'
    assert main(plot_argv("gan_losses", [table], [tmp_path / "a.png"], no_title)) == 2
    assert "experiment" in capsys.readouterr().err
    assert (
        main(plot_argv("gan_losses", [tmp_path / "none.parquet"], [tmp_path / "a.png"], {"experiment": "x"}))
        == 2
    )
    assert "none.parquet" in capsys.readouterr().err
    # a key the family does not draw, a figure without its spec, a copy of no figure
    other = '{"cdf_panels": 3, "dpi": 50, "figures": [{"experiment": "x"}], "smoothing": 3}'
    assert main(plot_argv("gan_losses", [table], [tmp_path / "a.png"], other)) == 2
    assert "cdf_panels" in capsys.readouterr().err
    spec = {"dpi": 50, "figures": [{"experiment": "x"}], "smoothing": 3}
    two = {"figures": [str(tmp_path / "a.png"), str(tmp_path / "b.png")]}
    argv = job_argv("plot-gan-losses", spec, {"figure1": str(table)}, two)
    assert main(argv) == 2
    assert "2 figures=PATH for 1 figures in the spec" in capsys.readouterr().err
    stray = {"figures": str(tmp_path / "a.png"), "vectors": str(tmp_path / "c.svg")}
    argv = job_argv("plot-gan-losses", spec, {"figure1": str(table)}, stray)
    assert main(argv) == 2
    assert "is the copy of no figure" in capsys.readouterr().err
    assert not list(tmp_path.glob("a.*"))


def test_gan_loss_comparison_needs_one_label_per_input(tmp_path, capsys):
    table = tmp_path / "losses.parquet"
    data.gan_losses().to_parquet(table)
    info = {name: {"loss": "non_saturating", "unroll_k": 0} for name in "ab"}
    spec = {"labels": ["a", "b"], "info": info}
    assert main(plot_argv("gan_loss_comparison", [table], [tmp_path / "a.png"], spec)) == 2
    assert "1 input(s) but 2 label(s)" in capsys.readouterr().err


@pytest.mark.parametrize("table", ["sample_quality", "robustness"])
def test_summary_table_command(tmp_path, table):
    src = tmp_path / "in.parquet"
    (data.sample_quality() if table == "sample_quality" else data.attack_table()).to_parquet(src)
    out = tmp_path / "tables" / f"{table}.md"
    assert main(["summary-table", "--table", table, "--input", str(src), "--out", str(out)]) == 0
    assert out.read_text().startswith("# ")
