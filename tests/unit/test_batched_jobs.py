"""``advgen sample-quality`` runs every row of the summary in one job: each row equals that of a job
that ran it alone, in the spec's order. ``advgen attack`` runs one attack on one classifier, on
the attack's own evaluation subset, and writes its per-example outcomes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from advgen.cli import main as advgen

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
    import torch

    from advgen.classifiers import build_classifier, save_classifier
    from advgen.classifiers.checkpoint import checkpoint_dict
    from advgen.config import dataset_spec
    from advgen.data import load_source, save_prepared

    folder = tmp_path_factory.mktemp("batched")
    spec = {
        "source": "digits",
        "image_size": 28,
        "max_train": 64,
        "max_test": 32,
        "split_seed": 0,
        "test_fraction": 0.2,
    }
    for split, name in zip(load_source(dataset_spec(spec)), ("train", "test")):
        save_prepared(split, folder / f"{name}.pt", dataset="digits", name=name, num_classes=10, spec=spec)
    torch.manual_seed(0)
    model = build_classifier("fc10", [1, 28, 28], 10, 1.0)
    kwargs = {"in_shape": [1, 28, 28], "num_classes": 10, "width": 1.0}
    save_classifier(
        folder / "clf.pt",
        checkpoint_dict(
            model, name="c", arch="fc10", arch_kwargs=kwargs, config={"arch": "fc10"}, epoch=1, rng=None
        ),
    )
    return folder


@pytest.fixture(scope="module")
def gan(files: Path) -> Path:
    """A one-epoch GAN on the split: its checkpoint folder."""
    from advgen.gan import GanOutputs, train_gan
    from advgen.gan.spec import GanSpec, complete_spec
    from advgen.specs import typed_spec

    spec = {
        "dataset": "digits",
        "generator": "mlp_small",
        "discriminator": "mlp_small",
        "z_dim": 8,
        "batch_size": 16,
        "epochs": 1,
        "grid_size": 16,
        "seed": 0,
    }
    typed = typed_spec(GanSpec, complete_spec(spec, "gan"))
    train_gan(typed, files / "train.pt", GanOutputs.under(files / "gan"))
    return files / "gan"


def attack(files: Path, out: Path, entry: dict, examples: Path | None = None) -> pd.DataFrame:
    spec = json.dumps({**entry, "device": "cpu"})
    argv = ["attack", "--classifier", "c", "--spec", spec, "--model", str(files / "clf.pt")]
    argv += ["--test", str(files / "test.pt"), "--out", str(out)]
    if examples is not None:
        argv += ["--examples", str(examples)]
    assert advgen(argv) == 0
    return pd.read_parquet(out).drop(columns="seconds")


def test_attack_job_runs_its_attack_on_its_own_subset(files: Path, tmp_path: Path) -> None:
    pgd, fgsm = (attack(files, tmp_path / f"{a['name']}.parquet", a) for a in ATTACKS)
    assert list(pgd["attack"]) == ["pgd", "pgd"] and list(pgd["eps"]) == [0.0, 0.2]
    assert list(pgd["n"]) == [20, 20] and list(fgsm["n"]) == [32, 32]  # each attack's own subset


def test_attack_job_without_its_keys_is_one_line_exit_2(files: Path, tmp_path: Path, capsys) -> None:
    spec = json.dumps({"device": "cpu"})
    argv = [
        "attack",
        "--classifier",
        "c",
        "--spec",
        spec,
        "--model",
        str(files / "clf.pt"),
        "--test",
        str(files / "test.pt"),
        "--out",
        str(tmp_path / "c.parquet"),
    ]
    assert advgen(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--spec: name: missing required key 'name'" in err[0]
    assert not (tmp_path / "c.parquet").exists()


def quality(files: Path, out: Path, rows: list[dict]) -> pd.DataFrame:
    spec = json.dumps({"classifier": "c", "n_samples": 40, "batch_size": 16, "seed": 3})
    assert (
        advgen(
            [
                "sample-quality",
                "--spec",
                spec,
                "--rows",
                json.dumps(rows),
                "--out",
                str(out),
                "--device",
                "cpu",
            ]
        )
        == 0
    )
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
        {"name": "g", **common, "model": str(gan / "checkpoint.pt"), "info": str(gan / "status.json")},
        {"name": "digits", **common, "real": str(files / "test.pt")},
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
        ("[]", "expected a non-empty JSON list"),
        ('[{"name": "g"}]', "entry 0: missing key 'dataset'"),
        (
            '[{"name": "g", "dataset": "d", "classifier": "c", "reference": "r"}]',
            "entry 0: give one of model and real",
        ),
        (
            '[{"name": "g", "dataset": "d", "classifier": "c", "reference": "r", "real": "t", "x": 1}]',
            "entry 0: unknown key 'x'",
        ),
        ("[{", "--rows: not valid JSON"),
    ],
)
def test_sample_quality_bad_rows_are_one_line_exit_2(rows: str, message: str, tmp_path: Path, capsys) -> None:
    spec = json.dumps({"classifier": "c", "seed": 0})
    out = tmp_path / "s.parquet"
    assert (
        advgen(["sample-quality", "--spec", spec, "--rows", rows, "--out", str(out), "--device", "cpu"]) == 2
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and not out.exists()


def test_attack_job_writes_per_example_outcomes_matching_its_curve(files: Path, tmp_path: Path) -> None:
    """``--examples``: one row per eps and evaluated example, ids into the test split; the same
    subset for two attacks with the same max_examples, nested for a smaller one; the counts
    rebuild the curve's accuracies."""
    import torch

    from advgen.classifiers import eval_subset
    from advgen.columns import ATTACK_EXAMPLE_COLUMNS
    from advgen.data import load_prepared

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
