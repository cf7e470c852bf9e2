"""The defense stage's job functions (advgen.defense.purify_job, advgen.probe.jobs) called as a
library, on the tiny checkpoints of test_defense_commands: tables, seeding per entry, errors."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from advgen.defense import plan
from advgen.defense.adaptive import AdaptiveBudget
from advgen.defense.purify import IdentityPurifier
from advgen.defense.purify_job import job_attacks, job_budget, purify_job
from advgen.defense.tables import FLIP_COLUMNS, PURIFY_COLUMNS
from advgen.errors import ConfigError
from advgen.probe.columns import COLUMNS as PROBE_COLUMNS
from advgen.probe.jobs import flip_job, probe_job
from tests.unit.defense_helpers import purify_spec
from tests.unit.test_defense_commands import cfg, files  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow  # the fixtures train a tiny GAN and classifier (seconds)


def _job(job):
    return dataclasses.replace(job, device="cpu")


def test_job_budget_and_attacks():
    spec = purify_spec(attacks=["fgsm"], adaptive_steps=3, eot_samples=2, operating=True)
    assert job_budget(spec, "spec") == AdaptiveBudget.legacy(spec)
    assert job_budget(spec, '{"steps": 7}').steps == 7
    assert job_budget(purify_spec(budget={"restarts": 2}), None).restarts == 2
    with pytest.raises(ConfigError, match="--budget: unknown key"):
        job_budget(spec, '{"nope": 1}')
    # nothing is adaptive against no purifier; "spec" keeps the spec's attacks only
    assert job_attacks(spec, IdentityPurifier(), "all") == ["fgsm"]
    assert job_attacks(purify_spec(attacks=["fgsm", "pgd"]), IdentityPurifier(), "spec") == ["fgsm", "pgd"]


def test_purify_job_of_the_bare_classifier(cfg, files):  # noqa: F811
    job = _job(plan.of(cfg).purify_jobs()["none"]["bare"])
    table = purify_job(job, classifier=str(files["c"]), images=str(files["test"]), budget="spec")
    assert list(table.columns) == list(PURIFY_COLUMNS)
    assert set(table["point"]) == {"bare"} and {"fgsm", "pgd"} <= set(table["attack"])
    again = purify_job(job, classifier=str(files["c"]), images=str(files["test"]), budget="spec")
    timing = [c for c in table.columns if "seconds" in c]
    pd.testing.assert_frame_equal(table.drop(columns=timing), again.drop(columns=timing))


def test_the_workflow_runs_each_point_as_its_own_job(cfg):
    """advgen.pipeline.jobkinds_defense: one purify job per (purifier, point), its spec that
    point's with the config's device, and the table job reads them in point order."""
    from advgen import paths
    from advgen.pipeline import build
    from advgen.pipeline.jobkind import ONCE, Values
    from advgen.pipeline.jobkinds_defense import every_point, purify_spec, purify_tables

    pipe = build(cfg)
    expected = plan.of(cfg).purify_jobs()
    assert every_point(pipe) == [
        Values(purifier=name, point=point) for name, points in expected.items() for point in points
    ]
    for values in every_point(pipe):
        spec = expected[values.purifier][values.point]
        assert purify_spec(pipe, values) == dataclasses.replace(spec, device=pipe.study.device)
    assert purify_tables(pipe, ONCE[0]) == {
        "tables": [
            paths.fill(paths.PURIFY, purifier=name, point=point)
            for name, points in expected.items()
            for point in points
        ]
    }


def test_probe_job_rows_and_missing_checkpoints(cfg, files):  # noqa: F811
    job = _job(plan.of(cfg).probe_job())
    gans, classifiers = {"g": str(files["g"])}, {"c": str(files["c"])}
    table = probe_job(
        job, gans=gans, classifiers=classifiers, train=str(files["train"]), test=str(files["test"])
    )
    assert list(table.columns) == list(PROBE_COLUMNS)
    assert list(dict.fromkeys(zip(table["family"], table["source"]))) == plan.of(cfg).probe_sources()
    with pytest.raises(ConfigError, match="--classifiers: no checkpoint for classifier source 'c'"):
        probe_job(job, gans=gans, classifiers={}, train=str(files["train"]), test=str(files["test"]))


def test_flip_job_tables_and_missing_checkpoints(cfg, files):  # noqa: F811
    job = _job(plan.of(cfg).flip_job())
    table, summary = flip_job(job, gans={"g": str(files["g"])}, images=str(files["test"]))
    assert list(table.columns) == list(FLIP_COLUMNS) and set(table["gan"]) == {"g"}
    assert list(summary["gan"]) == ["g"]
    with pytest.raises(ConfigError, match="--gans: no checkpoint for g"):
        flip_job(job, gans={}, images=str(files["test"]))
