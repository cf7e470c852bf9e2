"""Completed runs of the tiny configs, made once per ``pytest`` run and copied per test.

A completed run is a scratch workflow folder in which Snakemake has run a tiny config to the
end (its results and ``.snakemake/`` records). Tests never change it: they take a copy
(:func:`copy_run`, modification times and Snakemake's records kept) and edit that. Under
pytest-xdist the workers share the runs: the first worker that asks for one makes it under a
file lock in the workers' common temporary folder, the others wait for it and reuse it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from filelock import FileLock

from tests.conftest import REPO, copy_workflow, fake_advgen_workflow, snakemake


@dataclass(frozen=True)
class Run:
    folder: Path
    config: str
    env: dict[str, str] | None = None
    targets: tuple[str, ...] = ()


def inversion_block(config: dict[str, Any]) -> dict[str, Any]:
    return config["sweeps"]["inversion"]


#: the completed sweep runs: the tiny sweeps config, or it edited first (an optimizer axis of
#: one value, so that adding a second value adds points instead of renaming them)
SWEEP_RUNS: dict[str, Callable[[dict[str, Any]], None] | None] = {
    "sweeps": None,
    "sweeps_optimizer_axis": lambda c: inversion_block(c).update(optimizer=["adam"]),
}

ROBUSTNESS_CONFIG = ".test/config/robustness.yaml"


def _run_robustness(base: Path) -> Run:
    """The tiny robustness config with the real ``advgen`` (CV from ``tests/data/cv``; the CV
    data is the user's to edit, so the rows edit the tests' copy, never ``config/cv/``)."""
    wf = copy_workflow(base / "wf")
    for name in ("cv.yaml", "publications.bib", "stats.yaml"):
        shutil.copy2(REPO / "tests" / "data" / "cv" / "march2023" / name, wf / "config" / "cv" / name)
    run = Run(wf, ROBUSTNESS_CONFIG)
    snakemake(wf, "--cores", "2", "--resources", "gpu=1", "--configfile", run.config, timeout=1800)
    return run


def _run_fake(
    base: Path,
    config: str,
    upstream: tuple[str, ...],
    targets: tuple[str, ...],
    prepare: Callable[[dict[str, Any]], None] | None = None,
) -> Run:
    """A config run with the stand-in ``advgen`` (Snakemake's records only)."""
    wf, env = fake_advgen_workflow(base, upstream)
    run = Run(wf, config, env, targets)
    if prepare is not None:  # the run's config: the tiny one edited in place
        data = yaml.safe_load((wf / config).read_text())
        prepare(data)
        (wf / config).write_text(yaml.safe_dump(data, sort_keys=False))
    snakemake(wf, "--cores", "2", *targets, "--configfile", config, env=env)
    return run


GENERATIVE_RUN = ".test/config/generative.yaml"
GENERATIVE_TARGETS = ("results/sample_quality/summary.parquet", "results/data/digits/manifest.parquet")
# the stand-in advgen of tests/conftest.py, with train-gan's samples output made a folder (the
# rule's directory() output)
FAKE_ADVGEN_FOLDERS = """#!/usr/bin/env python3
import sys
from pathlib import Path
for arg in sys.argv[1:]:
    name, _, value = arg.partition("=")
    if value.startswith("results/") and not Path(value).exists():
        if name == "samples":
            Path(value).mkdir(parents=True)
        else:
            Path(value).parent.mkdir(parents=True, exist_ok=True)
            Path(value).write_text("fake\\n")
"""


def _run_generative(base: Path) -> Run:
    """The tiny generative config completed by Snakemake with the stand-in advgen: data, GANs, the
    autoencoder, the classifier and sample quality all have Snakemake's records (seconds)."""
    wf, env = fake_advgen_workflow(base, ())
    (base / "bin" / "advgen").write_text(FAKE_ADVGEN_FOLDERS)
    snakemake(wf, "--cores", "2", *GENERATIVE_TARGETS, "--configfile", GENERATIVE_RUN, env=env)
    return Run(wf, GENERATIVE_RUN, env, GENERATIVE_TARGETS)


#: the sweeps stage's inputs from the stages before it (stand-ins in the fake workflow), and its tables
SWEEPS_UPSTREAM = (
    "results/data/digits/train.pt",
    "results/data/digits/test.pt",
    "results/data/digits/manifest.parquet",
    "results/gans/tiny_gan/checkpoint.pt",
    "results/autoencoders/tiny_ae/checkpoint.pt",
    "results/classifiers/tiny_cnn/model.pt",
)
SWEEPS_TABLES = tuple(
    f"results/sweeps/{s}.parquet" for s in ("inversion", "inpainting", "interpolation", "truncation")
)


def _make(name: str, base: Path) -> Run:
    if name == "robustness":
        return _run_robustness(base)
    if name == "generative":
        return _run_generative(base)
    if name in SWEEP_RUNS:
        return _run_fake(base, ".test/config/sweeps.yaml", SWEEPS_UPSTREAM, SWEEPS_TABLES, SWEEP_RUNS[name])
    if name == "defense":
        upstream = (
            "results/data/digits/train.pt",
            "results/data/digits/test.pt",
            "results/data/digits/manifest.parquet",
            "results/gans/tiny_ns/checkpoint.pt",
            "results/autoencoders/tiny_ae/checkpoint.pt",
            "results/classifiers/tiny_fc/model.pt",
        )
        return _run_fake(base, ".test/config/defense.yaml", upstream, ("results/defense/purify.parquet",))
    raise KeyError(f"no completed run named {name!r}")


def shared_temp(factory: pytest.TempPathFactory) -> Path:
    """The temporary folder every xdist worker of this pytest run sees (its own without xdist)."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def completed(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Run]:
    """``completed(name)``: the completed run of config ``name`` (made on first use, once per
    pytest run; read-only: copy it with :func:`copy_run`)."""
    root = shared_temp(tmp_path_factory)

    def get(name: str) -> Run:
        base = root / f"completed-{name}"
        record = base / "run.json"
        with FileLock(str(root / f"completed-{name}.lock")):
            if not record.exists():
                shutil.rmtree(base, ignore_errors=True)  # a failed attempt's leftovers
                run = _make(name, base)
                fields = {"folder": str(run.folder), "config": run.config, "env": run.env}
                record.write_text(json.dumps({**fields, "targets": list(run.targets)}))
        fields = json.loads(record.read_text())
        return Run(Path(fields.pop("folder")), targets=tuple(fields.pop("targets")), **fields)

    return get


def copy_run(run: Run, dest: Path) -> Run:
    """A copy of a completed run (modification times and Snakemake's records kept)."""
    shutil.copytree(run.folder, dest / "wf", symlinks=True)
    return Run(dest / "wf", run.config, run.env, run.targets)
