"""``advgen sample-quality`` runs every row of the summary in one job: each row equals that of a job
that ran it alone, in the spec's order. ``advgen attack`` runs one attack on one classifier, on
the attack's own evaluation subset, and writes its per-example outcomes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from advgen.cli import main as advgen
from tests.jobs import job_argv
from tests.unit.gen_helpers import gan_spec, write_digits_split, write_fc10_classifier

pytestmark = pytest.mark.usefixtures("one_thread")

ATTACKS = [
    {
        "name": "pgd",
        "attack": {"attack": "PGD", "eps": [0.0, 0.2], "max_examples": 20, "params": {"steps": 3}, "seed": 3},
        "eval": {"batch_size": 8, "max_examples": 20},
    },
    {
        "name": "fgsm",
        "attack": {"attack": "FGSM", "eps": [0.1, 0.3], "max_examples": None, "params": {}, "seed": 0},
        "eval": {"batch_size": 16, "max_examples": None},
    },
]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A prepared digits train/test split and a seeded fc10 classifier."""
    folder = write_digits_split(tmp_path_factory.mktemp("batched"), max_train=64, max_test=32)
    write_fc10_classifier(folder / "clf.pt")
    return folder


@pytest.fixture(scope="module")
def gan(files: Path) -> Path:
    """A one-epoch GAN on the split: its checkpoint folder."""
    from advgen.gan.runner import GanOutputs, train_gan

    train_gan(gan_spec(epochs=1), files / "train.pt", GanOutputs.under(files / "gan"))
    return files / "gan"


def attack(files: Path, out: Path, entry: dict, examples: Path | None = None) -> pd.DataFrame:
    """The curve of ``advgen attack`` on classifier ``c`` (its per-example outcomes to ``examples``,
    else beside the curve)."""
    spec = {**entry, "classifier": "c", "device": "cpu"}
    examples = examples or out.with_suffix(".examples.parquet")
    inputs = {"model": files / "clf.pt", "test": files / "test.pt"}
    assert advgen(job_argv("attack", spec, inputs, {"curve": out, "examples": examples})) == 0
    return pd.read_parquet(out).drop(columns="seconds")


def test_attack_job_runs_its_attack_on_its_own_subset(files: Path, tmp_path: Path) -> None:
    pgd, fgsm = (attack(files, tmp_path / f"{a['name']}.parquet", a) for a in ATTACKS)
    assert list(pgd["attack"]) == ["pgd", "pgd"] and list(pgd["eps"]) == [0.0, 0.2]
    assert list(pgd["n"]) == [20, 20] and list(fgsm["n"]) == [32, 32]  # each attack's own subset


def test_attack_job_without_its_keys_is_one_line_exit_2(files: Path, tmp_path: Path, capsys) -> None:
    inputs = {"model": files / "clf.pt", "test": files / "test.pt"}
    outputs = {"curve": tmp_path / "c.parquet", "examples": tmp_path / "e.parquet"}
    assert advgen(job_argv("attack", {"device": "cpu"}, inputs, outputs)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--spec: name: missing required key 'name'" in err[0]
    assert not (tmp_path / "c.parquet").exists() and not (tmp_path / "e.parquet").exists()


def settings(**keys: object) -> dict:
    """The ``sample_quality`` section (seed filled), the schema's defaults filled in."""
    from advgen.config import complete_entry

    return complete_entry(dict(keys), "generative.schema.yaml", "sample_quality")


def quality(files: Path, out: Path, rows: list[dict]) -> pd.DataFrame:
    """``advgen sample-quality`` on ``rows`` (each: the spec's row, and its files: classifier,
    reference, and model and info, or real)."""
    keys = ("name", "dataset", "classifier_name", "real")
    spec = {
        "settings": settings(classifier="c", n_samples=40, batch_size=16, seed=3),
        "rows": [{k: row[k] for k in keys} for row in rows],
        "device": "cpu",
    }
    inputs = {
        name: [row[key] for row in rows if key in row]
        for name, key in (
            ("classifiers", "classifier"),
            ("references", "reference"),
            ("models", "model"),
            ("infos", "info"),
            ("reals", "real_file"),
        )
    }
    grids = [out.parent / f"{out.stem}_{row['name']}.png" for row in rows if row["real"]]
    assert advgen(job_argv("sample-quality", spec, inputs, {"summary": out, "grids": grids})) == 0
    return pd.read_parquet(out)


@pytest.mark.slow
def test_sample_quality_job_scores_every_row_as_lone_jobs_would(
    files: Path, gan: Path, tmp_path: Path
) -> None:
    common = {
        "dataset": "digits",
        "classifier": str(files / "clf.pt"),
        "classifier_name": "c",
        "reference": str(files / "train.pt"),
    }
    rows = [
        {
            "name": "g",
            "real": False,
            **common,
            "model": str(gan / "checkpoint.pt"),
            "info": str(gan / "status.json"),
        },
        {"name": "digits", "real": True, **common, "real_file": str(files / "test.pt")},
    ]
    together = quality(files, tmp_path / "summary.parquet", rows)
    assert list(together["model"]) == ["digits", "g"] and list(together["family"]) == [
        "real",
        "gan",
    ]  # sorted
    # the former workflow: one one-row table per job, joined by sample-quality-table
    alone = [tmp_path / f"{i}.parquet" for i in range(len(rows))]
    assert all(len(quality(files, path, [row])) == 1 for path, row in zip(alone, rows))
    assert advgen(["sample-quality-table", "--out", str(tmp_path / "joined.parquet"), *map(str, alone)]) == 0
    pd.testing.assert_frame_equal(together, pd.read_parquet(tmp_path / "joined.parquet"), check_exact=True)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("[]", "--spec: rows: [] should be non-empty"),
        ('[{"name": "g"}]', "--spec: rows.0.dataset: missing required key 'dataset'"),
        (
            '[{"name": "g", "dataset": "d", "classifier_name": "c", "real": true}]',
            "--input: 0 classifiers for 1 row(s) of the spec",
        ),
        (
            '[{"name": "g", "dataset": "d", "classifier_name": "c", "real": true, "x": 1}]',
            "--spec: rows.0.x: unknown key 'x'",
        ),
        ("[{", "--spec: not valid JSON"),
    ],
)
def test_sample_quality_bad_rows_are_one_line_exit_2(rows: str, message: str, tmp_path: Path, capsys) -> None:
    spec = json.dumps({"settings": settings(classifier="c", seed=0), "device": "cpu"})
    spec = spec[:-1] + f', "rows": {rows}}}'
    out = tmp_path / "s.parquet"
    assert advgen(job_argv("sample-quality", spec, {}, {"summary": out})) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and not out.exists(), err


def test_attack_job_writes_per_example_outcomes_matching_its_curve(files: Path, tmp_path: Path) -> None:
    """``--examples``: one row per eps and evaluated example, ids into the test split; the same
    subset for two attacks with the same max_examples, nested for a smaller one; the counts
    rebuild the curve's accuracies."""
    import torch

    from advgen.classifiers.subsets import eval_subset
    from advgen.columns import ATTACK_EXAMPLE_COLUMNS
    from advgen.data.prepared import load_prepared

    curves, outcomes = [], []
    for entry in ATTACKS:
        out, examples = tmp_path / f"{entry['name']}.parquet", tmp_path / f"{entry['name']}.examples.parquet"
        curves.append(attack(files, out, entry, examples))
        outcomes.append(pd.read_parquet(examples))
    curve, per = pd.concat(curves, ignore_index=True), pd.concat(outcomes, ignore_index=True)
    assert tuple(per.columns) == ATTACK_EXAMPLE_COLUMNS
    assert per["clean_correct"].dtype == bool and per["adv_correct"].dtype == bool
    labels = load_prepared(files / "test.pt").labels
    for row in curve.itertuples():
        rows = per[(per["attack"] == row.attack) & (per["eps"] == row.eps)]
        assert len(rows) == row.n and rows["example"].is_unique
        assert rows["adv_correct"].mean() == pytest.approx(row.robust_acc)
        assert rows["clean_correct"].mean() == pytest.approx(row.clean_acc)
    pgd = set(per.loc[per["attack"] == "pgd", "example"])
    assert pgd == set(eval_subset(labels, 20).tolist())  # the test split's indices
    assert pgd < set(per.loc[per["attack"] == "fgsm", "example"]) == set(range(len(labels)))
    assert set(eval_subset(labels, 10).tolist()) <= set(eval_subset(labels, 20).tolist())
    assert torch.equal(eval_subset(labels, 20), eval_subset(labels, 20))
