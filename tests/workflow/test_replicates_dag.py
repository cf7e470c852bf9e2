"""``seeds`` / ``replicates`` in the workflow: one training job per seed (the first seed's run keeps
the entry's name), lists take every run, a sweep on a replicated classifier runs on each run."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import snakemake
from tests.workflow.test_reruns import jobs_for

CONFIG = ".test/config/replicates.yaml"


def test_dry_run_schedules_one_job_per_seed(workflow_dir: Path) -> None:
    out = snakemake(workflow_dir, "-n", "--configfile", CONFIG).stdout
    assert jobs_for(out, "train_gan") == ["gan=tiny_ns", "gan=tiny_ns_seed1"]
    assert jobs_for(out, "train_ae") == ["ae=tiny_ae", "ae=tiny_ae_seed7"]
    # the capacity sweep on tiny_clf: each point on each run, width 1 being the run itself
    assert jobs_for(out, "train_classifier") == [
        "classifier=tiny_clf",
        "classifier=tiny_clf_seed2",
        "classifier=tiny_clf_seed2_standard_w0p5",
        "classifier=tiny_clf_standard_w0p5",
        "classifier=tiny_plain",
    ]
    assert jobs_for(out, "robustness_sweep") == ["sweep=capacity"]
    sweep = json.loads(re.search(r"robustness-sweep --spec '(\{.*?\})'", out).group(1))
    assert sweep["sweep"] == "capacity"
    assert {name: point["seed"] for name, point in sweep["points"].items()} == {
        "tiny_clf": 1,
        "tiny_clf_standard_w0p5": 1,
        "tiny_clf_seed2": 2,
        "tiny_clf_seed2_standard_w0p5": 2,
    }
    # the attack list names tiny_clf: every run of it, then tiny_plain (one job per classifier and attack)
    assert jobs_for(out, "attack") == [
        "classifier=tiny_clf, attack=fgsm",
        "classifier=tiny_clf_seed2, attack=fgsm",
        "classifier=tiny_plain, attack=fgsm",
    ]
    # sample quality scores every run under the first seed's classifier
    rows = json.loads(re.search(r"sample-quality --spec '(\{.*?\})'", out).group(1))["rows"]
    assert [r["name"] for r in rows] == [
        "tiny_ns",
        "tiny_ns_seed1",
        "tiny_ae",
        "tiny_ae_seed7",
        "digits",
    ]
    assert {r["classifier_name"] for r in rows} == {"tiny_clf"}
    # each run trains with its own seed
    specs = re.findall(r"train-gan --spec '(\{.*?\})'", out)
    assert sorted(json.loads(s)["gan"]["seed"] for s in specs) == [0, 1]


def test_seed_base_moves_every_run_onto_fresh_seeds(workflow_dir: Path) -> None:
    """``--config seed_base=100``: the same jobs, every run named and seeded 100 further on, the
    references (the sample-quality classifier, the attack's list) following their runs."""
    base = snakemake(workflow_dir, "-n", "--configfile", CONFIG).stdout
    out = snakemake(workflow_dir, "-n", "--configfile", CONFIG, "--config", "seed_base=100").stdout
    assert jobs_for(out, "train_gan") == ["gan=tiny_ns", "gan=tiny_ns_seed101"]
    assert jobs_for(out, "train_ae") == ["ae=tiny_ae", "ae=tiny_ae_seed107"]
    assert jobs_for(out, "attack") == [
        "classifier=tiny_clf, attack=fgsm",
        "classifier=tiny_clf_seed102, attack=fgsm",
        "classifier=tiny_plain, attack=fgsm",
    ]
    specs = re.findall(r"train-gan --spec '(\{.*?\})'", out)
    assert sorted(json.loads(s)["gan"]["seed"] for s in specs) == [100, 101]
    specs = re.findall(r"train-classifier --spec '(\{.*?\})'", out)
    assert sorted(json.loads(s)["classifier"]["seed"] for s in specs) == [100, 101, 101, 102, 102]
    rows = json.loads(re.search(r"sample-quality --spec '(\{.*?\})'", out).group(1))["rows"]
    assert {r["classifier_name"] for r in rows} == {"tiny_clf"}
    count = re.compile(r"^total\s+(\d+)$", re.M)
    assert count.search(out).group(1) == count.search(base).group(1)
