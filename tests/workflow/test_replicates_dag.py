"""``seeds`` / ``replicates`` in the workflow: one training job per seed (the first seed's run keeps
the entry's name), lists take every run, a sweep on a replicated classifier runs on each run."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import snakemake
from tests.workflow.test_reruns import jobs_for

CONFIG = ".test/config/replicates.yaml"


def specs_of(dry_run_stdout: str, command: str) -> list[dict]:
    """The ``--spec`` JSON of each scheduled ``advgen COMMAND`` job, in the dry run's order."""
    return [json.loads(s) for s in re.findall(rf"{command} --spec '(\{{.*?\}})'", dry_run_stdout)]


def spec_of(dry_run_stdout: str, command: str) -> dict:
    """The ``--spec`` JSON of the first scheduled ``advgen COMMAND`` job."""
    return specs_of(dry_run_stdout, command)[0]


def assert_seeded_runs(dry_run_stdout: str, seed_base: int) -> None:
    """One training job per seed (the first seed's run keeps the entry's name, the others are named
    by their seed moved by ``seed_base``); the attack list names tiny_clf: every run of it, then
    tiny_plain (one job per classifier and attack)."""
    assert jobs_for(dry_run_stdout, "train_gan") == ["gan=tiny_ns", f"gan=tiny_ns_seed{seed_base + 1}"]
    assert jobs_for(dry_run_stdout, "train_ae") == ["ae=tiny_ae", f"ae=tiny_ae_seed{seed_base + 7}"]
    assert jobs_for(dry_run_stdout, "attack") == [
        "classifier=tiny_clf, attack=fgsm",
        f"classifier=tiny_clf_seed{seed_base + 2}, attack=fgsm",
        "classifier=tiny_plain, attack=fgsm",
    ]


def test_dry_run_schedules_one_job_per_seed(workflow_dir: Path) -> None:
    out = snakemake(workflow_dir, "-n", "--configfile", CONFIG).stdout
    assert_seeded_runs(out, 0)
    # the capacity sweep on tiny_clf: each point on each run, width 1 being the run itself
    assert jobs_for(out, "train_classifier") == [
        "classifier=tiny_clf",
        "classifier=tiny_clf_seed2",
        "classifier=tiny_clf_seed2_standard_w0p5",
        "classifier=tiny_clf_standard_w0p5",
        "classifier=tiny_plain",
    ]
    assert jobs_for(out, "robustness_sweep") == ["sweep=capacity"]
    sweep = spec_of(out, "robustness-sweep")
    assert sweep["sweep"] == "capacity"
    points = {spec["point"]: spec["classifier"] for spec in specs_of(out, "robustness-sweep-point")}
    assert sorted(points) == sweep["points"]
    assert {name: point["seed"] for name, point in points.items()} == {
        "tiny_clf": 1,
        "tiny_clf_standard_w0p5": 1,
        "tiny_clf_seed2": 2,
        "tiny_clf_seed2_standard_w0p5": 2,
    }
    # sample quality scores every run under the first seed's classifier
    rows = spec_of(out, "sample-quality")["rows"]
    assert [r["name"] for r in rows] == [
        "tiny_ns",
        "tiny_ns_seed1",
        "tiny_ae",
        "tiny_ae_seed7",
        "digits",
    ]
    assert {r["classifier_name"] for r in rows} == {"tiny_clf"}
    # each run trains with its own seed
    assert sorted(s["gan"]["seed"] for s in specs_of(out, "train-gan")) == [0, 1]


def test_seed_base_moves_every_run_onto_fresh_seeds(workflow_dir: Path) -> None:
    """``--config seed_base=100``: the same jobs, every run named and seeded 100 further on, the
    references (the sample-quality classifier, the attack's list) following their runs."""
    base = snakemake(workflow_dir, "-n", "--configfile", CONFIG).stdout
    out = snakemake(workflow_dir, "-n", "--configfile", CONFIG, "--config", "seed_base=100").stdout
    assert_seeded_runs(out, 100)
    assert sorted(s["gan"]["seed"] for s in specs_of(out, "train-gan")) == [100, 101]
    assert sorted(s["classifier"]["seed"] for s in specs_of(out, "train-classifier")) == [
        100,
        101,
        101,
        102,
        102,
    ]
    rows = spec_of(out, "sample-quality")["rows"]
    assert {r["classifier_name"] for r in rows} == {"tiny_clf"}
    count = re.compile(r"^total\s+(\d+)$", re.M)
    assert count.search(out).group(1) == count.search(base).group(1)
