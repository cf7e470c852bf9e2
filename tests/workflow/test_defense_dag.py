"""The defense stage in the DAG: its jobs, and an edit reruns only the jobs it affects.

Jobs run through a stand-in ``advgen`` that only creates the ``results/...`` files it is
asked to write, so Snakemake records real metadata (params, inputs) in seconds; upstream
checkpoints are stand-ins too (older than everything after), so the test does not depend on
the other stages' training speed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import copy_workflow, edited_config, fake_advgen_workflow, job_counts, snakemake

CONFIG = ".test/config/defense.yaml"
UPSTREAM = (
    "results/data/digits/train.pt",
    "results/data/digits/test.pt",
    "results/data/digits/manifest.parquet",
    "results/gans/tiny_ns/checkpoint.pt",
    "results/gans/tiny_mse/checkpoint.pt",
    "results/autoencoders/tiny_ae/checkpoint.pt",
    "results/classifiers/tiny_fc/model.pt",
    "results/classifiers/tiny_fc_pgd/model.pt",
)
TABLES = ["results/defense/purify.parquet", "results/defense/probe.parquet", "results/defense/flip.parquet"]


@pytest.fixture
def fake_workflow(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    return fake_advgen_workflow(tmp_path, UPSTREAM)


def dry_run(wf: Path, env: dict[str, str], config: str = CONFIG, targets=TABLES) -> dict[str, int]:
    return job_counts(snakemake(wf, "-n", *targets, "--configfile", config, env=env).stdout)


def edit_config(wf: Path, edit) -> str:
    """The config with its ``defense`` section changed by ``edit``: its path in ``wf``."""
    return edited_config(wf, CONFIG, "defense", edit)


def test_jobs_of_the_defense_stage(fake_workflow):
    wf, env = fake_workflow
    # purify: one job per (purifier, point) (bare, gan's 4 points, recon) and their table; one job for
    # the probes (2 D + 1 control + 2 classifiers) and one for the flips of both probed GANs
    assert dry_run(wf, env) == {
        "purify": 6,
        "purify_table": 1,
        "probe_discriminator": 1,
        "flip_discriminator": 1,
    }


@pytest.mark.slow
def test_default_config_schedules_tables_and_figures(tmp_path):
    wf = copy_workflow(tmp_path / "wf")
    out = snakemake(wf, "-n", "--quiet", "rules", "--configfile", "config/config.yaml").stdout
    counts = dict(re.findall(r"^(\w+)\s+(\d+)$", out, re.M))
    for rule in (
        "purify",
        "purify_table",
        "probe_discriminator",
        "flip_discriminator",
        "plot_defense_purify_eps",
        "plot_defense_purify_cost",
        "plot_defense_probe",
        "plot_defense_flip",
        "masking_checks",
        "masking_table",
    ):
        assert int(counts.get(rule, 0)) >= 1, rule
    # one masking-checks job per check (six) of each AutoAttack-attacked CNN and each purifier
    assert int(counts["masking_checks"]) == 6 * (
        3 + len(yaml.safe_load((wf / "config/config.yaml").read_text())["defense"]["purify"]["purifiers"])
    )


@pytest.mark.slow
def test_an_edit_reruns_only_the_jobs_it_affects(fake_workflow):
    wf, env = fake_workflow
    snakemake(wf, "--cores", "2", *TABLES, "--configfile", CONFIG, env=env)
    assert dry_run(wf, env) == {}

    # a new R in the trade-off grid computes its two new points (L2_R3, L4_R3) and the table
    config = edit_config(wf, lambda d: d["purify"]["purifiers"]["gan"]["tradeoff"].update(restarts=[1, 2, 3]))
    assert dry_run(wf, env, config) == {"purify": 2, "purify_table": 1}
    # removing one recomputes the table alone
    config = edit_config(wf, lambda d: d["purify"]["purifiers"]["gan"]["tradeoff"].update(restarts=[1]))
    assert dry_run(wf, env, config) == {"purify_table": 1}

    # the adaptive attacks' settings rerun every purify job (they share the eps grid and seed)
    config = edit_config(wf, lambda d: d["purify"].update(eot_samples=3))
    assert dry_run(wf, env, config) == {"purify": 6, "purify_table": 1}

    # a probe setting reruns the probe job only; a flip setting the flip job only
    config = edit_config(wf, lambda d: d["probe"].update(eps=[0.1, 0.2]))
    assert dry_run(wf, env, config) == {"probe_discriminator": 1}
    config = edit_config(wf, lambda d: d["probe"]["flip"].update(eps_max=0.4))
    assert dry_run(wf, env, config) == {"flip_discriminator": 1}

    # dropping a control reruns the probe job (its table holds every source)
    config = edit_config(wf, lambda d: d["probe"].update(controls=[]))
    assert dry_run(wf, env, config) == {"probe_discriminator": 1}
