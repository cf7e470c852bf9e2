"""Seeds stacked in the workflow (``stack_seeds: always`` on a CPU): one ``train_*_seeds`` job per
entry and a ``collect_*_seed`` job per run write every run's outputs where the per-seed jobs
write them, equal to the per-seed runs up to float rounding of the batched kernels; a stacked
job killed after an epoch resumes under Snakemake (advgen.pipeline.stacking)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import torch
import yaml
from filelock import FileLock

from advgen.checkpoints import load_torch
from tests.conftest import copy_workflow, snakemake
from tests.workflow.completed_runs import shared_temp
from tests.workflow.test_reruns import jobs_for

CONFIG = ".test/config/replicates.yaml"
RUNS = {
    "gans": ("tiny_ns", "tiny_ns_seed1"),
    "autoencoders": ("tiny_ae", "tiny_ae_seed7"),
    # the entry's runs, then its capacity sweep's width-0.5 point of each run (one stacked job too)
    "classifiers": ("tiny_clf", "tiny_clf_seed2", "tiny_clf_standard_w0p5", "tiny_clf_seed2_standard_w0p5"),
}
TARGETS = tuple(
    f"results/{section}/{run}/{leaf}"
    for section, leaf in (
        ("gans", "status.json"),
        ("autoencoders", "metrics.json"),
        ("classifiers", "history.parquet"),
    )
    for run in RUNS[section]
)


def clock(key: object) -> bool:
    """A wall-clock value (``seconds``, ``*_seconds``), which no two runs share."""
    return str(key).endswith("seconds")


def _run(folder: Path, *extra: str, check: bool = True, env: dict[str, str] | None = None):
    return snakemake(folder, *TARGETS, "--cores", "2", "--configfile", CONFIG, *extra, check=check, env=env)


def comparable_gan(config: Path) -> None:
    """The GAN's discriminator without dropout, with the default study's recipe (spectral norm):
    stacked, every seed draws its own dropout masks, so a run with dropout equals its per-seed run in
    distribution only (tests/unit/test_gan_replicates.py covers that case); without it, up to
    rounding. Spectral norm stacks: each seed's D updates its own power-iteration vectors."""
    data = yaml.safe_load(config.read_text())
    data["gans"]["tiny_ns"]["discriminator_kwargs"] = {"dropout": 0.0}
    data["gans"]["tiny_ns"]["recipe"] = {"spectral_norm": True}
    config.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.fixture(scope="session")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The per-seed and the stacked run of the replicates config's trainings, and the stacked dry
    run: made once per pytest run, the xdist workers sharing it (read-only: tests copy it)."""
    root = shared_temp(tmp_path_factory)
    base = root / "stacked-seeds"
    per_seed, stacked, dry = base / "per_seed", base / "stacked", base / "dry_run.txt"
    with FileLock(str(root / "stacked-seeds.lock")):
        if not dry.exists():
            shutil.rmtree(base, ignore_errors=True)  # a failed attempt's leftovers
            for wf in (copy_workflow(per_seed), copy_workflow(stacked)):
                comparable_gan(wf / CONFIG)
            _run(per_seed)
            out = _run(stacked, "-n", "--config", "stack_seeds=always").stdout
            _run(stacked, "--config", "stack_seeds=always")
            dry.write_text(out)
    return per_seed, stacked, dry.read_text()


def _float64(value) -> torch.Tensor:
    """A tensor's float64 copy, or a number's or a (read-only) numpy array's."""
    if isinstance(value, torch.Tensor):
        return value.detach().to(torch.float64)
    return torch.tensor(value, dtype=torch.float64)


def _close(a, b, what: str, rtol: float, atol: float) -> None:
    torch.testing.assert_close(
        _float64(a),
        _float64(b),
        rtol=rtol,
        atol=atol,
        equal_nan=True,
        msg=what,
    )


def _same_tree(a, b, what: str, rtol: float, atol: float) -> None:
    """Equal nested checkpoints / JSON: the same keys, strings, ints and shapes; floats and float
    tensors within ``rtol`` / ``atol``; wall-clock values and provenance left out."""
    if isinstance(a, dict):
        assert set(a) == set(b), what
        for k in a:
            if not clock(k) and k != "provenance":
                _same_tree(a[k], b[k], f"{what}.{k}", rtol, atol)
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), what
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same_tree(x, y, f"{what}[{i}]", rtol, atol)
    elif isinstance(a, torch.Tensor) and a.is_floating_point():
        assert a.shape == b.shape, what
        _close(a, b, what, rtol, atol)
    elif isinstance(a, torch.Tensor):
        assert torch.equal(a, b), what
    elif isinstance(a, float):
        _close(a, b, what, rtol, atol)
    else:
        assert a == b, what


def _compare(per_seed: Path, stacked: Path, section: str, rtol: float, atol: float) -> None:
    for run in RUNS[section]:
        a, b = per_seed / "results" / section / run, stacked / "results" / section / run
        files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file()), run
        for rel in files:
            what = f"{section}/{run}/{rel}"
            if rel.suffix == ".pt":
                _same_tree(load_torch(a / rel), load_torch(b / rel), what, rtol, atol)
            elif rel.suffix == ".parquet":
                x, y = pd.read_parquet(a / rel), pd.read_parquet(b / rel)
                assert list(x.columns) == list(y.columns) and len(x) == len(y), what
                for col in x.columns:
                    if clock(col):
                        continue
                    if not pd.api.types.is_numeric_dtype(x[col]) or pd.api.types.is_bool_dtype(x[col]):
                        assert x[col].equals(y[col]), f"{what}.{col}"
                    else:
                        _close(x[col].to_numpy(), y[col].to_numpy(), f"{what}.{col}", rtol, atol)
            elif rel.suffix == ".json":
                _same_tree(
                    json.loads((a / rel).read_text()), json.loads((b / rel).read_text()), what, rtol, atol
                )


def test_one_stacked_job_per_entry_and_a_collect_job_per_run(both):
    _, stacked, dry = both
    assert jobs_for(dry, "train_gan_seeds") == ["entry=tiny_ns"]
    assert jobs_for(dry, "train_ae_seeds") == ["entry=tiny_ae"]
    assert jobs_for(dry, "train_classifier_seeds") == ["entry=tiny_clf", "entry=tiny_clf_standard_w0p5"]
    assert jobs_for(dry, "collect_classifier_seed") == [
        f"classifier={run}" for run in sorted(RUNS["classifiers"])
    ]
    assert jobs_for(dry, "train_classifier") == []
    assert jobs_for(dry, "train_gan") == [] and jobs_for(dry, "train_ae") == []
    assert not list((stacked / "results" / "stacked").glob("*/*.resume"))  # resume state gone once written
    # nothing left to do: the collected copies are newer than the bundles they came from
    again = _run(stacked, "-n", "--config", "stack_seeds=always")
    assert "Nothing to be done" in again.stdout + again.stderr


def test_stacked_classifiers_equal_their_per_seed_runs(both):
    per_seed, stacked, _ = both
    _compare(per_seed, stacked, "classifiers", rtol=1e-5, atol=1e-6)


def test_stacked_autoencoders_equal_their_per_seed_runs(both):
    """Batch norm amplifies rounding: biases before it get only rounding-level gradients."""
    per_seed, stacked, _ = both
    _compare(per_seed, stacked, "autoencoders", rtol=5e-3, atol=1e-3)


def test_stacked_gans_equal_their_per_seed_runs(both):
    """Adam turns rounding-level gradient differences into steps of up to its lr (2e-4 here): the
    weights agree within 10 x lr over 8 iterations (tests/unit/test_gan_replicates.py)."""
    per_seed, stacked, _ = both
    _compare(per_seed, stacked, "gans", rtol=5e-3, atol=2e-3)
    grids = sorted(p.name for p in (stacked / "results/gans/tiny_ns_seed1/samples").glob("epoch_*"))
    assert grids == ["epoch_001.png", "epoch_002.png"]


@pytest.mark.slow
def test_a_killed_stacked_job_resumes_under_snakemake(both, tmp_path):
    """The stacked classifier job dying after epoch 1 fails, Snakemake deletes its bundle but keeps
    the resume state beside it; the rerun continues from epoch 1 and writes what the
    uninterrupted stacked run wrote."""
    _, stacked, _ = both
    wf = copy_workflow(tmp_path / "wf")
    runs = RUNS["classifiers"][:2]  # the entry's own runs
    target = tuple(f"results/classifiers/{run}/history.parquet" for run in runs)
    args = ("--cores", "1", "--configfile", CONFIG, "--config", "stack_seeds=always")
    proc = snakemake(wf, *target, *args, env={"ADVGEN_STOP_AFTER_EPOCHS": "1"}, check=False)
    assert proc.returncode != 0
    assert (wf / "results/stacked/classifiers/tiny_clf.resume/stacked.pt").exists()
    assert not (wf / "results/stacked/classifiers/tiny_clf").exists()
    snakemake(wf, *target, *args)
    assert "resuming from" in (wf / "logs/train_classifier_seeds/tiny_clf.log").read_text()
    for run in runs:
        a, b = (pd.read_parquet(w / f"results/classifiers/{run}/history.parquet") for w in (stacked, wf))
        kept = [c for c in a.columns if not clock(c)]
        pd.testing.assert_frame_equal(a[kept], b[kept], check_exact=False, rtol=1e-6)


@pytest.mark.slow
def test_a_seed_added_to_a_stacked_entry_retrains_the_entry_and_collects_every_run(both, tmp_path):
    """docs/reruns.md: a stacked entry is one job, so a new seed reruns it (every seed) and every
    run's collect job, and so does its sweep point's stacked job (a new seed there too); the other
    stacked entries stay."""
    _, stacked, _ = both
    wf = tmp_path / "wf"
    shutil.copytree(stacked, wf, symlinks=True)  # modification times and Snakemake's records kept
    config = yaml.safe_load((wf / CONFIG).read_text())
    config["classifiers"]["tiny_clf"]["replicates"] = 3
    (wf / CONFIG).write_text(yaml.safe_dump(config, sort_keys=False))
    targets = (*TARGETS, "results/classifiers/tiny_clf_seed3/history.parquet")
    dry = snakemake(
        wf, *targets, "-n", "--cores", "2", "--configfile", CONFIG, "--config", "stack_seeds=always"
    )
    assert jobs_for(dry.stdout, "train_classifier_seeds") == [
        "entry=tiny_clf",
        "entry=tiny_clf_standard_w0p5",
    ]
    assert jobs_for(dry.stdout, "collect_classifier_seed") == [
        "classifier=tiny_clf",
        "classifier=tiny_clf_seed2",
        "classifier=tiny_clf_seed2_standard_w0p5",
        "classifier=tiny_clf_seed3",
        "classifier=tiny_clf_standard_w0p5",
    ]
    assert jobs_for(dry.stdout, "train_gan_seeds") == [] and jobs_for(dry.stdout, "train_ae_seeds") == []
