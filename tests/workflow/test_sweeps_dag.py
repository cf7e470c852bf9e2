"""Sweeps in the DAG: one job per (sweep, generator, grid point), and an edit reruns only
the points it touches and the aggregate of their sweep.

The jobs run through a stand-in ``advgen`` that only creates the files it is asked to
write (every ``results/...`` argument that does not exist yet), so Snakemake records real
metadata (params, inputs) in seconds. Upstream checkpoints come from the same stand-in
(or already exist), so the test does not depend on the other stages' training speed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import edited_config, fake_advgen_workflow, job_counts, snakemake
from tests.workflow.completed_runs import SWEEPS_TABLES, SWEEPS_UPSTREAM

CONFIG = ".test/config/sweeps.yaml"
UPSTREAM, TARGETS = SWEEPS_UPSTREAM, SWEEPS_TABLES


@pytest.fixture
def fake_workflow(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    return fake_advgen_workflow(tmp_path, UPSTREAM)


def dry_run(wf: Path, env: dict[str, str], config: str = CONFIG) -> dict[str, int]:
    return job_counts(snakemake(wf, "-n", *TARGETS, "--configfile", config, env=env).stdout)


def edit_config(wf: Path, edit) -> str:
    """The config with its ``sweeps`` section changed by ``edit``: its path in ``wf``."""
    return edited_config(wf, CONFIG, "sweeps", edit)


def test_one_job_per_sweep_generator_and_point(fake_workflow):
    wf, env = fake_workflow
    counts = dry_run(wf, env)
    # inversion: the GAN's 2 restarts (random init only) and the AE's 2 x 2 inits; inpainting:
    # 3 masks per generator (drawn in the job); interpolation: one latent path per generator;
    # truncation: 2 psi per generator
    assert counts == {"invert": 6, "inpaint": 6, "interpolate": 2, "truncation": 4, "aggregate_sweep": 4}


@pytest.mark.slow
def test_editing_a_sweep_reruns_only_its_jobs(fake_workflow):
    wf, env = fake_workflow
    assert shutil.which("advgen", path=env["PATH"]).startswith(str(wf.parent))  # the stand-in runs
    snakemake(wf, "--cores", "2", *TARGETS, "--configfile", CONFIG, env=env)
    assert dry_run(wf, env) == {}  # a no-op rerun schedules nothing

    # one list entry of a sweep: the new points (restarts 3: the GAN's one init, the AE's two)
    # and the sweep's aggregate; the points of restarts 1 are untouched
    config = edit_config(wf, lambda s: s["inversion"].update(restarts=[1, 3]))
    assert dry_run(wf, env, config) == {"invert": 3, "aggregate_sweep": 1}
    # a mask's size key: the pepper points only (one per generator)
    config = edit_config(wf, lambda s: s["inpainting"].update(pepper_fraction=0.5))
    assert dry_run(wf, env, config) == {"inpaint": 2, "aggregate_sweep": 1}

    # dropping a generator from a sweep only re-aggregates the jobs that remain
    config = edit_config(wf, lambda s: s["truncation"].update(generators=["tiny_gan"]))
    assert dry_run(wf, env, config) == {"aggregate_sweep": 1}
