"""One job per figure family (advgen.pipeline.figures): each family's figures, inputs, ``advgen
plot`` groups and report captions, and the several-figure ``advgen plot`` call."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from jinja2 import Environment

from advgen.cli import main
from advgen.config import SCHEMA_DIR, validate_config
from advgen.pipeline import build, paths
from advgen.pipeline.figures import FIGURES, caption, fill_caption
from tests.unit import plots_data as data

REPO = Path(__file__).resolve().parents[2]
REPORT = REPO / "workflow" / "report"


def config(name: str) -> dict:
    text = (REPO / ".test/config" / f"{name}.yaml").read_text()
    return validate_config(yaml.safe_load(text), SCHEMA_DIR / "config.schema.yaml")


def row(family: str):
    return next(f for f in FIGURES if f.family == family)


def test_one_job_draws_every_figure_of_its_family():
    pipe = build(config("sweeps"))
    targets = set(pipe.targets())
    job = pipe.figures.job(row("inversion_restarts"))
    assert len(job.figures) == 6 and {d.png for d in job.figures} <= targets
    assert job.figures[0].vectors == [job.figures[0].png.replace(".png", ".svg")]
    # the inputs are each figure's, in order; the arguments one --input/--out/--spec group per figure
    steps = [pipe.figures.inversion_steps(SimpleNamespace(**d.wildcards)) for d in job.figures]
    assert job.inputs == list(dict.fromkeys(steps))  # a generator's steps file once, however many points
    assert job.arguments.count("--input") == job.arguments.count("--spec") == 6
    first = job.figures[0]
    assert job.arguments[:6] == ["--input", steps[0], "--out", first.png, first.vectors[0], "--spec"]
    spec = json.loads(first.spec)
    assert spec["experiment"].startswith(f"{first.wildcards['generator']}, point ")
    assert first.labels == {
        "generator": first.wildcards["generator"],
        "point": first.wildcards["label"],
        "figure": "loss per restart",
    }
    # every target figure is drawn by exactly one family job
    drawn = [d.png for f in FIGURES for d in pipe.figures.job(f).figures]
    assert sorted(drawn) == sorted(t for t in targets if t.startswith(paths.FIGURES))


def test_a_figure_with_several_inputs_and_a_family_shared_input():
    pipe = build(config("sweeps"))
    grid = pipe.figures.job(row("truncation_grid"))
    assert [d.inputs for d in grid.figures] == [
        pipe.figures.truncation_samples(SimpleNamespace(generator=g)) for g in ("tiny_ae", "tiny_gan")
    ]
    assert len(grid.inputs) == sum(len(d.inputs) for d in grid.figures)
    once = build(config("plots")).figures.job(row("gan_grad_norms"))
    assert once.inputs == [paths.GAN_LOSSES.format(gan="tiny_gan")]
    # a family the config does not ask for has no figures (and so no rule)
    assert build(config("plots")).figures.job(row("truncation_grid")).figures == []


class FakeSnakemake(SimpleNamespace):
    """What ``snakemake --report`` hands a caption template: the job's wildcards and config."""


def render(template: str, **snakemake) -> str:
    return (
        Environment(trim_blocks=True, lstrip_blocks=True)
        .from_string(template)
        .render(snakemake=FakeSnakemake(**snakemake))
    )


@pytest.mark.parametrize("name", ["plots", "sweeps", "robustness"])
def test_filled_captions_render_as_the_per_figure_jobs_did(name):
    cfg = config(name)
    pipe = build(cfg)
    filled = 0
    for figure in FIGURES:
        template = (REPORT / f"{figure.family}.rst").read_text()
        for d in pipe.figures.job(figure).figures:
            before = render(template, wildcards=SimpleNamespace(**d.wildcards), config=cfg)
            after = render(fill_caption(template, d.wildcards), wildcards=SimpleNamespace(), config=cfg)
            assert after == before, (figure.family, d.name)
            filled += "snakemake.wildcards" in template
    assert filled >= 2  # the robustness config: its two sweep figures


def test_caption_files(tmp_path):
    pipe = build(config("plots"))
    losses = pipe.figures.job(row("gan_losses")).figures[0]
    path = Path(caption(losses, REPORT, tmp_path))
    assert path == tmp_path / "gan_losses" / "tiny_gan.rst" and path.is_absolute()
    assert '"tiny_gan"' in path.read_text() and "snakemake.wildcards" not in path.read_text()
    os.utime(path, (0, 0))
    assert (
        caption(losses, REPORT, tmp_path) == str(path) and path.stat().st_mtime == 0
    )  # unchanged: not rewritten
    curves = pipe.figures.job(row("robustness_curves")).figures[0]
    assert (
        caption(curves, REPORT, tmp_path) == "../report/robustness_curves.rst"
    )  # no wildcard: the family's own


def test_fill_caption_errors():
    with pytest.raises(KeyError, match="x.rst: the figure has no wildcard 'ae'"):
        fill_caption("{{ snakemake.wildcards.ae }}", {"gan": "g"}, "x.rst")
    with pytest.raises(ValueError, match="snakemake.wildcards.<name>"):
        fill_caption('{{ snakemake.wildcards["gan"] }}', {"gan": "g"})


def test_plot_command_draws_several_figures_as_separate_calls_do(tmp_path):
    tables = [tmp_path / "a.parquet", tmp_path / "b.parquet"]
    data.gan_losses().to_parquet(tables[0])
    data.gan_losses(epochs=2, vanish_from=30).to_parquet(tables[1])
    specs = [json.dumps({"experiment": name, "dpi": 50, "smoothing": 3}) for name in ("a", "b")]
    args = []
    for table, name, spec in zip(tables, "ab", specs):
        outs = [str(tmp_path / "one" / f"{name}.png"), str(tmp_path / "one" / f"{name}.svg")]
        assert (
            main(["plot", "--family", "gan_losses", "--input", str(table), "--out", *outs, "--spec", spec])
            == 0
        )
        args += [
            "--input",
            str(table),
            "--out",
            *(o.replace("/one/", "/both/") for o in outs),
            "--spec",
            spec,
        ]
    assert main(["plot", "--family", "gan_losses", *args]) == 0
    for name in ("a.png", "a.svg", "b.png", "b.svg"):
        assert (tmp_path / "both" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), name


def test_plot_command_group_errors_are_one_line_and_leave_nothing(tmp_path, capsys):
    table = tmp_path / "losses.parquet"
    data.gan_losses().to_parquet(table)
    spec = '{"experiment": "x", "dpi": 50}'
    two = [
        "--input",
        str(table),
        "--out",
        str(tmp_path / "a.png"),
        "--input",
        str(table),
        "--out",
        str(tmp_path / "b.png"),
    ]
    assert main(["plot", "--family", "gan_losses", *two, "--spec", spec]) == 2
    assert "--input, --out and --spec come in one group per figure: got 2, 2 and 1" in capsys.readouterr().err
    # the second figure fails: the first one's files are removed too
    missing = tmp_path / "none.parquet"
    args = [
        "--input",
        str(table),
        "--out",
        str(tmp_path / "a.png"),
        "--spec",
        spec,
        "--input",
        str(missing),
        "--out",
        str(tmp_path / "b.png"),
        "--spec",
        spec,
    ]
    assert main(["plot", "--family", "gan_losses", *args]) == 2
    err = capsys.readouterr().err
    assert "none.parquet: table not found" in err and len(err.strip().splitlines()) == 1
    assert not list(tmp_path.glob("*.png"))
