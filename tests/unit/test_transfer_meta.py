"""``advgen transfer`` with the spec's ``meta``: the capacity transfer matrix carries source / target widths."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from advgen.classifiers import save_classifier, train_classifier
from advgen.cli import main as cli_main
from advgen.data import load_prepared
from tests.jobs import job_argv
from tests.unit.gen_helpers import tiny_split  # noqa: F401  (fixture)
from tests.unit.test_classifiers import spec

pytestmark = pytest.mark.usefixtures("one_thread")


def test_transfer_meta_columns(tiny_split: Path, tmp_path: Path) -> None:  # noqa: F811
    train = load_prepared(tiny_split / "train.pt")
    models = []
    for name, width in (("w1", 0.25), ("w2", 0.5)):
        ckpt, _ = train_classifier(spec(arch="fc100_100", width=width, epochs=1), train, train, name=name)
        save_classifier(tmp_path / f"{name}.pt", ckpt)
        models.append(str(tmp_path / f"{name}.pt"))
    job = {
        "transfer": {"classifiers": ["w1", "w2"], "attacks": ["fgsm"], "eps": 0.2, "noise_seed": 0},
        "attacks": {"fgsm": {"attack": "FGSM", "params": {}, "seed": 0}},
        "eval": {"max_examples": 20, "batch_size": 20},
        "device": "cpu",
    }
    out = tmp_path / "t.parquet"

    def argv(meta: dict) -> list[str]:
        inputs = {"models": models, "test": tiny_split / "test.pt"}
        return job_argv("transfer", {**job, "meta": meta}, inputs, {"table": out})

    meta = {"w1": {"width": 0.25}, "w2": {"width": 0.5}}
    assert cli_main(argv(meta)) == 0
    table = pd.read_parquet(out)
    assert set(table["target_width"]) == {0.25, 0.5}
    assert (table["source_width"] == table["source"].map({"w1": 0.25, "w2": 0.5})).all()
    assert cli_main(argv({"w3": {"width": 1}})) == 2


def test_transfer_within_one_matrix_per_seed(tiny_split: Path, tmp_path: Path) -> None:  # noqa: F811
    """The capacity matrix per seed (spec ``transfer.within``): sources and targets of one seed,
    a ``seed`` column instead of source_seed / target_seed, each seed's rows those of its own matrix."""
    train = load_prepared(tiny_split / "train.pt")
    models, meta = {}, {}
    for seed in (0, 1):
        for width in (0.25, 0.5):
            name = f"w{width:g}_seed{seed}".replace(".", "p")
            ckpt, _ = train_classifier(
                spec(arch="fc100_100", width=width, epochs=1, seed=seed), train, train, name=name
            )
            save_classifier(tmp_path / f"{name}.pt", ckpt)
            models[name] = str(tmp_path / f"{name}.pt")
            meta[name] = {"width": width, "mode": "standard", "seed": seed}
    job = {
        "transfer": {"classifiers": ["w1", "w2"], "attacks": ["fgsm"], "eps": 0.2, "noise_seed": 0},
        "attacks": {"fgsm": {"attack": "FGSM", "params": {}, "seed": 0}},
        "eval": {"max_examples": 20, "batch_size": 20},
        "device": "cpu",
    }

    def transfer(names: list[str], spec_: dict, meta_: dict, out: Path) -> int:
        """The matrix of the models ``names`` (sorted, as the workflow gives them)."""
        settings = dict(spec_["transfer"], classifiers=names)
        inputs = {"models": [models[n] for n in names], "test": tiny_split / "test.pt"}
        return cli_main(
            job_argv("transfer", {**spec_, "transfer": settings, "meta": meta_}, inputs, {"table": out})
        )

    within = dict(job, transfer=dict(job["transfer"], within="seed"))
    assert transfer(sorted(models), within, meta, tmp_path / "all.parquet") == 0
    table = pd.read_parquet(tmp_path / "all.parquet")
    assert list(table.columns) == [
        "source",
        "attack",
        "kind",
        "target",
        "eps",
        "n",
        "error",
        "source_mode",
        "source_width",
        "target_mode",
        "target_width",
        "seed",
    ]
    assert len(table) == 2 * (2 * 3 * 2)  # per seed: 2 sources x 3 kinds x 2 targets
    assert (table["source"].map(lambda n: meta[n]["seed"]) == table["seed"]).all()
    assert (table["target"].map(lambda n: meta[n]["seed"]) == table["seed"]).all()
    # seed 1's rows are the matrix of its models alone
    ones = sorted(n for n in models if meta[n]["seed"] == 1)
    alone = {n: {k: v for k, v in meta[n].items() if k != "seed"} for n in ones}
    assert transfer(ones, job, alone, tmp_path / "one.parquet") == 0
    expected = pd.read_parquet(tmp_path / "one.parquet")
    got = table[table["seed"] == 1].drop(columns="seed").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)
    no_seed = {n: alone.get(n, meta[n]) for n in models}
    assert transfer(sorted(models), within, no_seed, tmp_path / "bad.parquet") == 2
