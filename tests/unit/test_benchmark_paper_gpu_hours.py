"""benchmarks/paper_gpu_hours.py: the paper DAG's training jobs, their iterations and the table."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        spec = importlib.util.spec_from_file_location(
            "paper_gpu_hours_bench", ROOT / "benchmarks" / "paper_gpu_hours.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return module


@pytest.fixture(scope="module")
def paper(bench):
    config = bench.check_config_files([ROOT / "config" / "paper.yaml"])
    jobs, others = bench.training_jobs(config)
    return config, jobs, others


def test_the_jobs_are_the_dags_training_jobs(bench, paper):
    from advgen.pipeline import build
    from advgen.pipeline.jobkinds import JOB_KINDS

    config, jobs, others = paper
    pipe = build(config)
    kinds = {k.name: k for k in JOB_KINDS}
    for kind in ("train_gan", "train_ae", "train_classifier"):
        planned = sorted(next(iter(v.values())) for v in kinds[kind].each(pipe))
        assert sorted(j["name"] for j in jobs if j["kind"] == kind) == planned
    assert "train_gan" not in others and others["attack"] == len(kinds["attack"].each(pipe))


def test_iterations_follow_each_runs_epoch(bench, paper):
    config, jobs, _ = paper
    by_name = {j["name"]: j for j in jobs}
    # the report's M1/M3: 50 epochs of 60,000 / 24 = 2,500 iterations (the report's own count)
    assert bench.iterations(by_name["mnist_m1_m3_ns"], config) == 125_000
    # CelebA's 162,770 training faces at batch 128: ceil -> 1,272 a epoch
    assert bench.iterations(by_name["celeba64_dcgan"], config) == 50 * 1_272
    # autoencoders drop the last partial batch: floor(60,000 / 64) = 937
    assert bench.iterations(by_name["mnist_ae"], config) == 20 * 937
    # a half of MNIST for the Szegedy halves, a fraction for the data-size sweep
    half = by_name["mnist_fc100_100_half_a"]
    assert bench.iterations(half, config) == half["spec"]["epochs"] * 30_000 // 50
    fraction = next(
        j for j in jobs if j["spec"].get("train_fraction") == 0.1 and j["spec"]["dataset"] == "mnist"
    )
    assert bench.iterations(fraction, config) == fraction["spec"]["epochs"] * 6_000 // 50


def test_jobs_that_differ_in_seed_epochs_or_subset_share_one_measurement(bench, paper):
    _, jobs, _ = paper
    pgd = [j for j in jobs if j["name"].startswith("mnist_cnn_madry_pgd_pgd_f")]
    assert len(pgd) >= 2 and len({bench.signature(j) for j in pgd}) == 1
    widths = [j for j in jobs if j["name"].startswith("mnist_cnn_madry_pgd_pgd_w")]
    assert len({bench.signature(j) for j in widths}) == len(widths)  # a width changes the step


def test_table_sums_the_timed_jobs_and_names_the_rest(bench, paper):
    config, jobs, _ = paper
    some = jobs[:3]
    rates = {bench.signature(some[0]): {"entry": some[0]["name"], "s_per_iter": 0.01}}
    for job in some[1:]:
        rates.setdefault(
            bench.signature(job), {"entry": job["name"], "error": "not timed: --budget-s 1 spent"}
        )
    rows, lines = bench.table(config, some, rates)
    expected = bench.iterations(some[0], config) * 0.01 / 3600
    assert rows[0]["gpu_hours"] == pytest.approx(expected)
    assert all(
        r["gpu_hours"] is None and "not timed" in r["note"] for r in rows[1:] if r["job"] != some[0]["name"]
    )
    total = next(line for line in lines if "training jobs timed" in line)
    assert f"**{expected:.2f}**" in total and f"({len(some)} runs)" in total


def test_the_paper_configs_seeds_are_its_runs_and_stack_as_on_a_gpu(bench, paper):
    """config/paper.yaml's replicated entries are expanded as the workflow expands them; with
    ``stack`` an entry's seeds are one job, timed as one stacked step of all of them."""
    config, jobs, _ = paper
    names = {j["name"] for j in jobs}
    assert {"mnist_m1_m3_ns", "mnist_m1_m3_ns_seed1", "mnist_m1_m3_ns_seed2"} <= names
    assert all(j["seeds"] == 1 for j in jobs)
    stacked, others = bench.training_jobs(config, stack=True)
    by_name = {j["name"]: j for j in stacked}
    gan = by_name["mnist_m1_m3_ns"]
    assert (gan["kind"], gan["seeds"]) == ("train_gan_seeds", 3)
    assert by_name["mnist_fc100_100_pool"]["kind"] == "train_classifier"  # the pool has no stacked form
    assert sum(j["seeds"] for j in stacked) == len(jobs)  # every run trained once, stacked or not
    assert bench.signature(gan) != bench.signature(next(j for j in jobs if j["name"] == "mnist_m1_m3_ns"))
    assert (
        "mnist_m1_m3_ns_seed1" not in by_name and others["attack"] == bench.training_jobs(config)[1]["attack"]
    )


@pytest.mark.slow
def test_a_pool_classifier_step_refreshes_its_pool(bench, paper):
    """The pool mode is timed with its adversarial pool (the step a run takes), not as a plain step."""
    config, jobs, _ = paper
    job = bench.smoke_job(next(j for j in jobs if j["spec"].get("mode") == "pool"))
    step = bench.make_step(job, config, "cpu", Path("."))
    assert step.pool is not None and step.pgd is None
    step()
    assert len(step.pool) > 0
    standard = bench.make_step(
        bench.smoke_job(next(j for j in jobs if j["spec"].get("mode") == "standard")),
        config,
        "cpu",
        Path("."),
    )
    assert standard.pool is None and standard.pgd is None


@pytest.mark.slow
@pytest.mark.parametrize("section", ["gans", "autoencoders", "classifiers"])
def test_a_stacked_job_is_timed_as_one_step_of_all_its_seeds(bench, paper, section, tmp_path):
    config, _, _ = paper
    stacked, _ = bench.training_jobs(config, stack=True)
    job = bench.smoke_job(next(j for j in stacked if j["section"] == section and j["seeds"] == 3))
    step = bench.make_step(job, config, "cpu", tmp_path)
    step()
    run = step.run
    assert len(run.seeds) == 3 and type(run).__name__.startswith("Stacked")
