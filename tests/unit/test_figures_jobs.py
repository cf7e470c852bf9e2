"""The figure table (advgen.pipeline.figures) and its job kinds (advgen.pipeline.jobkinds_figures):
each family's figures, inputs, spec and report captions, one job per family, a job of several
figures, and what an option edit reruns."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from jinja2 import Environment

from advgen.cli import main
from advgen.config import SCHEMA_DIR, spec_json, validate_config
from advgen.config_files import check_config_files
from advgen.pipeline import build, paths
from advgen.pipeline.figures import FAMILY, FIGURES, STAGE
from advgen.pipeline.jobkind import Values
from advgen.pipeline.jobkinds import BY_NAME
from advgen.pipeline.jobkinds_figures import KINDS, family_figures, figure_spec
from advgen.specs import spec_dict
from tests.jobs import job_argv, plot_argv
from tests.unit import plots_data as data

REPO = Path(__file__).resolve().parents[2]
REPORT = REPO / "workflow" / "report"


def config(name: str) -> dict:
    text = (REPO / ".test/config" / f"{name}.yaml").read_text()
    return validate_config(yaml.safe_load(text), SCHEMA_DIR / "config.schema.yaml")


def row(family: str):
    return next(f for f in FIGURES if f.family == family)


def figures_of(pipe, family: str):
    """The figures of ``family`` the config asks for (:func:`family_figures`)."""
    return family_figures(pipe, row(family))


def test_one_job_draws_every_figure_of_its_family():
    pipe = build(config("sweeps"))
    targets = set(pipe.targets())
    kind = BY_NAME["plot_inversion_restarts"]
    figures = figures_of(pipe, "inversion_restarts")
    assert pipe.jobs.each(kind) == [{}]  # one job, no wildcards
    assert len(figures) == 6 and {d.png for d in figures} <= targets
    assert figures[0].vectors == [figures[0].png.replace(".png", ".svg")]
    outputs = pipe.jobs.outputs(kind)
    assert outputs == {
        "figures": [d.png for d in figures],
        "vectors": [v for d in figures for v in d.vectors],
    }
    # the inputs are each figure's, named figure1, figure2, ...; the spec one PlotSpec per figure
    steps = [
        paths.fill(paths.INVERSION_STEPS, generator=d.wildcards["generator"], point=d.wildcards["label"])
        for d in figures
    ]
    inputs = pipe.jobs.inputs(kind, Values())
    assert inputs == {f"figure{i}": [path] for i, path in enumerate(steps, 1)}
    spec = json.loads(pipe.jobs.spec(kind, Values()))
    assert len(spec["figures"]) == 6
    first = figures[0]
    assert spec["figures"][0]["experiment"].startswith(f"{first.wildcards['generator']}, point ")
    assert first.labels == {
        "generator": first.wildcards["generator"],
        "point": first.wildcards["label"],
        "figure": "loss per restart",
    }
    # every target figure and table is drawn by exactly one job of the figure families' kinds
    drawn = [d.png for f in FIGURES if f.job != STAGE for d in family_figures(pipe, f)]
    tables = [paths.TABLE_MD.format(table=t) for t in ("sample_quality", "robustness")]
    assert sorted(drawn) == sorted(t for t in targets if t.startswith(paths.FIGURES) or t in tables)
    assert sorted(drawn) == sorted(pipe.jobs.targets(KINDS))


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
    # a family the config does not ask for has no figures and no job
    assert (
        figures_of(plots, "truncation_grid") == [] and plots.jobs.each(BY_NAME["plot_truncation_grid"]) == []
    )


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
    figures = figures_of(pipe, family)
    entries = BY_NAME[f"plot_{family}"].outputs["figures"].reports(pipe)
    assert len(entries) == len(figures) and {d.png for d in figures} <= set(pipe.targets())
    shown = {d.labels["run"] for d, entry in zip(figures, entries) if entry}
    left_out = {d.labels["run"] for d, entry in zip(figures, entries) if not entry}
    assert (shown, left_out) == FIRST_SEEDS[family]
    assert all(entry == row(family).report(d.labels) for d, entry in zip(figures, entries) if entry)
    # a config without seeds shows every run's figure
    single = build(config("generative"))
    every = BY_NAME[f"plot_{family}"].outputs["figures"].reports(single)
    assert every and all(every)


class FakeSnakemake(SimpleNamespace):
    """What ``snakemake --report`` hands a caption template: the job's wildcards and config."""


def render(template: str, **snakemake) -> str:
    return (
        Environment(trim_blocks=True, lstrip_blocks=True)
        .from_string(template)
        .render(snakemake=FakeSnakemake(**snakemake))
    )


def test_rows_hold_callables_and_inputs_are_lists():
    pipe = build(config("robustness"))
    for figure in FIGURES:
        if figure.job == STAGE:  # drawn by its stage's job: a report entry only
            assert figure.draw is None and figure.each is None
            continue
        assert callable(figure.draw) and callable(figure.each) and callable(figure.inputs), figure.family
        for d in family_figures(pipe, figure):
            assert isinstance(d.inputs, list) and all(isinstance(p, str) for p in d.inputs), figure.family


@pytest.mark.parametrize("name", ["plots", "sweeps", "robustness", "defense"])
def test_captions_render_as_the_report_renders_them(name):
    """A family job has no wildcards: its caption names none and renders from the config alone;
    a one-job-per-figure row's (or a stage job's) names only its own wildcards."""
    cfg = config(name)
    pipe = build(cfg)
    rendered = 0
    for figure in FIGURES:
        template = (REPORT / f"{figure.family}.rst").read_text()
        used = set(re.findall(r"snakemake\.wildcards\.(\w+)", template))
        if figure.job == FAMILY:
            assert not used, figure.family
        assert used <= set(figure.wildcards), figure.family
        for d in family_figures(pipe, figure):
            wildcards = SimpleNamespace(**d.wildcards) if figure.job != FAMILY else SimpleNamespace()
            text = render(template, wildcards=wildcards, config=cfg)
            assert text.strip() and "{{" not in text, figure.family
            rendered += 1
    assert rendered >= 3


def test_no_caption_file_is_written_while_the_dag_is_parsed(tmp_path, monkeypatch):
    cfg = config("plots")
    cfg["claims"] = str(REPO / cfg["claims"])  # the workflow's folder is not the scratch cwd
    monkeypatch.chdir(tmp_path)
    pipe = build(cfg)
    for kind in KINDS:
        pipe.jobs.outputs(kind)
        pipe.jobs.spec(kind, pipe.jobs.each(kind)[0]) if pipe.jobs.each(kind) else None
    for figure in FIGURES:
        figure.report()
    assert list(tmp_path.iterdir()) == []


def test_one_job_draws_several_figures_as_separate_jobs_do(tmp_path):
    tables = [tmp_path / "a.parquet", tmp_path / "b.parquet"]
    data.gan_losses().to_parquet(tables[0])
    data.gan_losses(epochs=2, vanish_from=30).to_parquet(tables[1])
    specs = [{"experiment": name, "dpi": 50, "smoothing": 3} for name in ("a", "b")]
    for table, name, spec in zip(tables, "ab", specs):
        outs = [tmp_path / "one" / f"{name}.png", tmp_path / "one" / f"{name}.svg"]
        assert main(plot_argv("gan_losses", [table], outs, spec)) == 0
    both = {
        "figures": [str(tmp_path / "both" / f"{name}.png") for name in "ab"],
        "vectors": [str(tmp_path / "both" / f"{name}.svg") for name in "ab"],
    }
    inputs = {"figure1": str(tables[0]), "figure2": str(tables[1])}
    assert main(job_argv("plot-gan-losses", {"figures": specs}, inputs, both)) == 0
    for name in ("a.png", "a.svg", "b.png", "b.svg"):
        assert (tmp_path / "both" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), name


def test_a_failing_figure_is_one_line_and_leaves_nothing(tmp_path, capsys):
    table, other = tmp_path / "losses.parquet", tmp_path / "other.parquet"
    data.gan_losses().to_parquet(table)
    data.sample_quality().to_parquet(other)
    spec = {"experiment": "x", "dpi": 50, "smoothing": 3}
    # the second figure fails: the first one's files are removed too
    outputs = {"figures": [str(tmp_path / "a.png"), str(tmp_path / "b.png")]}
    inputs = {"figure1": str(table), "figure2": str(other)}
    second = {**spec, "experiment": "y"}
    assert main(job_argv("plot-gan-losses", {"figures": [spec, second]}, inputs, outputs)) == 2
    err = capsys.readouterr().err
    assert "other.parquet" in err and len(err.strip().splitlines()) == 1
    assert not list(tmp_path.glob("*.png"))


def figure_specs(cfg: dict) -> dict[str, list[str]]:
    """Each family's figure specs (sorted JSON, its jobs' ``params``), of the families the config draws."""
    pipe = build(cfg)
    specs = {
        f.family: [spec_json(spec_dict(figure_spec(pipe, f, d.values))) for d in family_figures(pipe, f)]
        for f in FIGURES
        if f.job != STAGE
    }
    return {family: each for family, each in specs.items() if each}


def edit_option(cfg: dict, key: str, value: object) -> None:
    """Set ``key`` (``plots.<option>``, or ``gans.<option>``: of every GAN) to ``value``."""
    section, _, option = key.partition(".")
    for entry in cfg[section].values() if section == "gans" else [cfg[section]]:
        entry[option] = value


#: an option edit (key -> its new value, the test config) -> the families whose figures' specs
#: change (those that draw the option)
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
}


@pytest.mark.parametrize("edit", sorted(OPTION_EDITS))
def test_an_option_edit_changes_only_the_specs_of_the_families_that_draw_it(edit):
    """A figure's spec holds what its family draws, no other option: an edit reruns (changes the
    ``params`` of) exactly the families that draw the edited option."""
    value, name, families = OPTION_EDITS[edit]
    raw = yaml.safe_load((REPO / ".test/config" / f"{name}.yaml").read_text())
    before = figure_specs(validate_config(raw, SCHEMA_DIR / "config.schema.yaml"))
    edit_option(raw, edit, value)
    after = figure_specs(validate_config(raw, SCHEMA_DIR / "config.schema.yaml"))
    assert set(after) == set(before)
    assert {family for family in before if before[family] != after[family]} == families
    for family, each in after.items():  # each spec names only what the family draws
        keys = row(family).draw.keys
        assert all(set(json.loads(spec)) <= set(keys) for spec in each), family
