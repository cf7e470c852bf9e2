"""The figure families' job kinds (:mod:`advgen.pipeline.figure_kinds`): each family's figures,
inputs, spec and report captions, one job per family, a job of several figures, and what an
option edit reruns."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from jinja2 import Environment

from advgen import paths
from advgen.cli import main
from advgen.config import SCHEMA_DIR, validate_config
from advgen.config_files import check_config_files
from advgen.pipeline import build
from advgen.pipeline.figure_kinds import draws_figures
from advgen.pipeline.jobkind import Output, Values
from advgen.pipeline.jobkinds import BY_NAME, JOB_KINDS
from tests.jobs import job_argv, plot_argv
from tests.unit import plots_data as data

REPO = Path(__file__).resolve().parents[2]
REPORT = REPO / "workflow" / "report"
#: the figure families' job kinds
FIGURE_KINDS = [kind for kind in JOB_KINDS if draws_figures(kind)]


def config(name: str) -> dict:
    text = (REPO / ".test/config" / f"{name}.yaml").read_text()
    return validate_config(yaml.safe_load(text), SCHEMA_DIR / "config.schema.yaml")


def report_entries(pipe, kind) -> list[tuple[Values, str, dict]]:
    """Every report entry of ``kind``'s jobs: (the job's wildcard values, the file, the entry)."""
    out = []
    for values in pipe.jobs.each(kind):
        files = kind.files(pipe, values)
        for name, value in kind.outputs.items():
            if isinstance(value, Output) and value.report is not None:
                out.append((values, files[name][0], dict(value.report)))
            elif isinstance(value, Output) and value.reports is not None:
                out += [(values, f, dict(e)) for f, e in zip(files[name], value.reports(pipe), strict=True)]
    return out


def test_one_job_draws_every_figure_of_its_family():
    pipe = build(config("sweeps"))
    targets = set(pipe.targets())
    kind = BY_NAME["plot_inversion_restarts"]
    assert pipe.jobs.each(kind) == [{}]  # one job, no wildcards
    outputs = pipe.jobs.outputs(kind)
    pngs = outputs["figures"]
    assert len(pngs) == 6 and set(pngs) <= targets
    assert outputs["vectors"] == [png.replace(".png", ".svg") for png in pngs]
    # the inputs are each figure's, named figure1, figure2, ...; the spec's figures one row each
    points = [png.removesuffix(".png").split("/")[-2:] for png in pngs]
    steps = [paths.fill(paths.INVERSION_STEPS, generator=g, point=p) for g, p in points]
    assert pipe.jobs.inputs(kind, Values()) == {f"figure{i}": [path] for i, path in enumerate(steps, 1)}
    spec = json.loads(pipe.jobs.spec(kind, Values()))
    assert set(spec) == {"figures", "inversion_images", "dpi"} and len(spec["figures"]) == 6
    assert spec["figures"][0] == {
        "experiment": f"{points[0][0]}, point {points[0][1]}",
        "point": points[0][1],
    }
    entries = kind.outputs["figures"].reports(pipe)
    assert entries[0]["labels"] == {
        "generator": points[0][0],
        "point": points[0][1],
        "figure": "loss per restart",
    }
    # every target figure and table is drawn by exactly one job of the figure families' kinds
    drawn = pipe.jobs.targets(FIGURE_KINDS)
    tables = [paths.TABLE_MD.format(table=t) for t in ("sample_quality", "robustness")]
    assert len(drawn) == len(set(drawn))
    assert sorted(drawn) == sorted(t for t in targets if t.startswith(paths.FIGURES) or t in tables)


def test_a_figure_with_several_inputs_and_a_family_shared_input():
    pipe = build(config("sweeps"))
    grid = pipe.jobs.inputs(BY_NAME["plot_truncation_grid"], Values())
    assert grid == {
        f"figure{i}": [
            paths.fill(paths.TRUNCATION_SAMPLES, generator=g, point=p) for p in ("psi-0.5", "default")
        ]
        for i, g in enumerate(("tiny_ae", "tiny_gan"), 1)
    }
    plots = build(config("plots"))
    once = plots.jobs.inputs(BY_NAME["plot_gan_grad_norms"], Values())
    assert once == {"figure1": [paths.GAN_LOSSES.format(gan="tiny_gan")]}
    # a family the config does not ask for has no job
    assert plots.jobs.each(BY_NAME["plot_truncation_grid"]) == []


#: a per-run family of the replicates config -> (its runs the report shows, those it leaves out)
FIRST_SEEDS = {
    "gan_losses": ({"tiny_ns"}, {"tiny_ns_seed1"}),  # replicates: 2
    "gan_samples": ({"tiny_ns"}, {"tiny_ns_seed1"}),
    "ae_latent_cdf": ({"tiny_ae"}, {"tiny_ae_seed7"}),  # seeds: [3, 7]
}


@pytest.mark.parametrize("family", sorted(FIRST_SEEDS))
def test_the_report_shows_the_figures_of_each_entrys_first_seed_only(family):
    """Every seed's figure is drawn; the report shows the first seed's (the run that keeps the
    entry's name, advgen.replicates), an empty report entry leaving the other seeds' out."""
    pipe = build(check_config_files([str(REPO / ".test/config/replicates.yaml")]))
    kind = BY_NAME[f"plot_{family}"]
    pngs = pipe.jobs.outputs(kind)["figures"]
    entries = kind.outputs["figures"].reports(pipe)
    assert len(entries) == len(pngs) and set(pngs) <= set(pipe.targets())
    run = {png: png.split("/")[-2] for png in pngs}  # results/figures/<folder>/<run>/<name>.png
    assert {run[p] for p, entry in zip(pngs, entries) if entry} == FIRST_SEEDS[family][0]
    assert {run[p] for p, entry in zip(pngs, entries) if not entry} == FIRST_SEEDS[family][1]
    assert all(entry["labels"]["run"] == run[p] for p, entry in zip(pngs, entries) if entry)
    # a config without seeds shows every run's figure
    every = kind.outputs["figures"].reports(build(config("generative")))
    assert every and all(every)


class FakeSnakemake(SimpleNamespace):
    """What ``snakemake --report`` hands a caption template: the job's wildcards and config."""


def render(template: str, **snakemake) -> str:
    return (
        Environment(trim_blocks=True, lstrip_blocks=True)
        .from_string(template)
        .render(snakemake=FakeSnakemake(**snakemake))
    )


def test_every_family_has_a_caption_and_a_category():
    for kind in FIGURE_KINDS:
        family = kind.name.removeprefix("plot_")
        assert (REPORT / f"{family}.rst").exists(), f"caption of {family}"
        assert kind.help.split("/")[0].split(":")[0] in {
            "Generative",
            "Sweeps",
            "Robustness",
            "Defense",
            "Tables",
        }


@pytest.mark.parametrize("name", ["plots", "sweeps", "robustness", "defense"])
def test_captions_render_as_the_report_renders_them(name):
    """A family job has no wildcards: its caption names none and renders from the config alone;
    a one-job-per-figure kind's (or a stage job's) names only its own wildcards."""
    cfg = config(name)
    pipe = build(cfg)
    rendered = 0
    for kind in JOB_KINDS:
        for values, _, entry in report_entries(pipe, kind):
            if not entry:
                continue
            template = (REPORT / entry["caption"].removeprefix("../report/")).read_text()
            used = set(re.findall(r"snakemake\.wildcards\.(\w+)", template))
            assert used <= set(kind.wildcards), kind.name
            text = render(template, wildcards=SimpleNamespace(**values), config=cfg)
            assert text.strip() and "{{" not in text, kind.name
            rendered += 1
    assert rendered >= 3


def test_no_caption_file_is_written_while_the_dag_is_parsed(tmp_path, monkeypatch):
    cfg = config("plots")
    cfg["claims"] = str(REPO / cfg["claims"])  # the workflow's folder is not the scratch cwd
    monkeypatch.chdir(tmp_path)
    pipe = build(cfg)
    for kind in FIGURE_KINDS:
        pipe.jobs.outputs(kind)
        report_entries(pipe, kind)
        for values in pipe.jobs.each(kind):
            pipe.jobs.spec(kind, values)
    assert list(tmp_path.iterdir()) == []


def test_one_job_draws_several_figures_as_separate_jobs_do(tmp_path):
    tables = [tmp_path / "a.parquet", tmp_path / "b.parquet"]
    data.gan_losses().to_parquet(tables[0])
    data.gan_losses(epochs=2, vanish_from=30).to_parquet(tables[1])
    for table, name in zip(tables, "ab"):
        outs = [tmp_path / "one" / f"{name}.png", tmp_path / "one" / f"{name}.svg"]
        assert (
            main(plot_argv("gan_losses", [table], outs, {"experiment": name, "dpi": 50, "smoothing": 3})) == 0
        )
    both = {
        "figures": [str(tmp_path / "both" / f"{name}.png") for name in "ab"],
        "vectors": [str(tmp_path / "both" / f"{name}.svg") for name in "ab"],
    }
    inputs = {"figure1": str(tables[0]), "figure2": str(tables[1])}
    spec = {"figures": [{"experiment": "a"}, {"experiment": "b"}], "dpi": 50, "smoothing": 3}
    assert main(job_argv("plot-gan-losses", spec, inputs, both)) == 0
    for name in ("a.png", "a.svg", "b.png", "b.svg"):
        assert (tmp_path / "both" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), name


def test_a_failing_figure_is_one_line_and_leaves_nothing(tmp_path, capsys):
    table, other = tmp_path / "losses.parquet", tmp_path / "other.parquet"
    data.gan_losses().to_parquet(table)
    data.sample_quality().to_parquet(other)
    # the second figure fails: the first one's files are removed too
    outputs = {"figures": [str(tmp_path / "a.png"), str(tmp_path / "b.png")]}
    inputs = {"figure1": str(table), "figure2": str(other)}
    spec = {"figures": [{"experiment": "x"}, {"experiment": "y"}], "dpi": 50, "smoothing": 3}
    assert main(job_argv("plot-gan-losses", spec, inputs, outputs)) == 2
    err = capsys.readouterr().err
    assert "other.parquet" in err and len(err.strip().splitlines()) == 1
    assert not list(tmp_path.glob("*.png"))


def figure_specs(cfg: dict) -> dict[str, list[str]]:
    """Each family's job specs (sorted JSON, its jobs' ``params``), of the families the config draws."""
    pipe = build(cfg)
    specs = {kind.name: [pipe.jobs.spec(kind, v) for v in pipe.jobs.each(kind)] for kind in FIGURE_KINDS}
    return {name: each for name, each in specs.items() if each}


def edit_option(cfg: dict, key: str, value: object) -> None:
    """Set ``key`` (``plots.<option>``, or ``gans.<option>``: of every GAN) to ``value``."""
    section, _, option = key.partition(".")
    for entry in cfg[section].values() if section == "gans" else [cfg[section]]:
        entry[option] = value


#: an option edit (key -> its new value, the test config) -> the families whose specs change
#: (those that draw the option: docs/reruns.md)
OPTION_EDITS = {
    "plots.smoothing": (4, "plots", {"gan_losses", "gan_grad_norms", "gan_loss_comparison", "ae_losses"}),
    "plots.cdf_panels": (3, "plots", {"ae_latent_cdf"}),
    "plots.sample_panels": (2, "plots", {"gan_samples"}),
    "plots.sample_scale": (
        3,
        "plots",
        {"gan_samples", "ae_samples", "ae_reconstructions", "generators_overview"},
    ),
    "plots.inversion_images": (2, "sweeps", {"inversion_restarts"}),
    "plots.interpolation_pairs": (2, "sweeps", {"interpolation_labels"}),
    "gans.vanishing_patience": (7, "plots", {"gan_grad_norms"}),
    # every figure draws at its resolution; the Markdown tables and the landing page do not
    "plots.dpi": (
        61,
        "robustness",
        {"robustness_curves", "minimal_perturbation", "transfer", "robustness_sweep"},
    ),
    "plots.vector_formats": (["pdf"], "plots", set()),  # the outputs change, no spec
}


@pytest.mark.parametrize("edit", sorted(OPTION_EDITS))
def test_an_option_edit_changes_only_the_specs_of_the_families_that_draw_it(edit):
    """A family's spec holds what it draws, no other option: an edit reruns (changes the
    ``params`` of) exactly the families that draw the edited option."""
    value, name, families = OPTION_EDITS[edit]
    raw = yaml.safe_load((REPO / ".test/config" / f"{name}.yaml").read_text())
    before = figure_specs(validate_config(raw, SCHEMA_DIR / "config.schema.yaml"))
    edit_option(raw, edit, value)
    after = figure_specs(validate_config(raw, SCHEMA_DIR / "config.schema.yaml"))
    assert set(after) == set(before)
    changed = {kind.removeprefix("plot_") for kind in before if before[kind] != after[kind]}
    assert changed == families
