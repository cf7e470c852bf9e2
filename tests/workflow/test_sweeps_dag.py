"""Sweeps in the DAG: one job per grid point, and an edit reruns only the affected points.

The jobs run through a stand-in ``advgen`` that only creates the files it is asked to
write (every ``results/...`` argument that does not exist yet), so Snakemake records real
metadata (params, inputs) in seconds. Upstream checkpoints come from the same stand-in
(or already exist), so the test does not depend on the other stages' training speed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import fake_advgen_workflow, job_counts, snakemake

CONFIG = ".test/config/sweeps.yaml"
UPSTREAM = (
    "results/data/digits/train.pt",
    "results/data/digits/test.pt",
    "results/data/digits/manifest.parquet",
    "results/gans/tiny_gan/checkpoint.pt",
    "results/autoencoders/tiny_ae/checkpoint.pt",
    "results/classifiers/tiny_cnn/model.pt",
)
TARGETS = [f"results/sweeps/{s}.parquet" for s in ("inversion", "inpainting", "interpolation", "truncation")]


@pytest.fixture
def fake_workflow(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    return fake_advgen_workflow(tmp_path, UPSTREAM)


def dry_run(wf: Path, env: dict[str, str], config: str = CONFIG) -> dict[str, int]:
    return job_counts(snakemake(wf, "-n", *TARGETS, "--configfile", config, env=env).stdout)


def edit_config(wf: Path, edit) -> str:
    config = yaml.safe_load((wf / CONFIG).read_text())
    edit(config["sweeps"])
    path = wf / ".test/config/sweeps_edited.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return str(path.relative_to(wf))


def test_one_job_per_grid_point(fake_workflow):
    wf, env = fake_workflow
    counts = dry_run(wf, env)
    # inversion: gan x {1,5} x random + ae x {1,5} x {random,encoder}; inpainting: 2 x 3 masks;
    # interpolation: one point per generator; truncation: 2 x {0.5, none}; masks: one set per kind
    assert counts == {
        "invert": 6, "inpaint": 6, "sweep_masks": 3, "interpolate": 2, "truncation": 4, "aggregate_sweep": 4,
    }  # fmt: skip


@pytest.mark.slow
def test_editing_one_list_entry_reruns_only_the_affected_points(fake_workflow):
    wf, env = fake_workflow
    assert shutil.which("advgen", path=env["PATH"]).startswith(str(wf.parent))  # the stand-in runs
    snakemake(wf, "--cores", "2", *TARGETS, "--configfile", CONFIG, env=env)
    assert dry_run(wf, env) == {}  # a no-op rerun schedules nothing

    # one list entry: restarts 5 -> 3 adds 3 inversion points (gan random, ae random, ae encoder)
    config = edit_config(wf, lambda s: s["inversion"].update(restarts=[1, 3]))
    assert dry_run(wf, env, config) == {"invert": 3, "aggregate_sweep": 1}

    # a mask parameter touches only the points (and the mask set) of that mask
    config = edit_config(wf, lambda s: s["inpainting"].update(pepper_fraction=0.5))
    assert dry_run(wf, env, config) == {"sweep_masks": 1, "inpaint": 2, "aggregate_sweep": 1}

    # a new psi adds one truncation job per generator, nothing else
    config = edit_config(wf, lambda s: s["truncation"].update(psi=[0.5, 1.0, None]))
    assert dry_run(wf, env, config) == {"truncation": 2, "aggregate_sweep": 1}

    # removing a list entry only re-aggregates the points that remain
    config = edit_config(wf, lambda s: s["inpainting"].update(mask=["pepper", "square"]))
    assert dry_run(wf, env, config) == {"aggregate_sweep": 1}
