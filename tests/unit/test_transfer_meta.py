"""The transfer matrix as the workflow makes it: ``advgen transfer-source`` per source model,
then ``advgen transfer`` (or ``transfer-capacity``) with the spec's ``meta``: the capacity
transfer matrix carries source / target widths, one matrix per seed (``within``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from advgen.classifiers.checkpoint import save_classifier
from advgen.classifiers.training import train_classifier
from advgen.cli import main as cli_main
from advgen.data.prepared import load_prepared
from tests.jobs import job_argv
from tests.unit.gen_helpers import tiny_split  # noqa: F401  (fixture)
from tests.unit.test_classifiers import spec

pytestmark = pytest.mark.usefixtures("one_thread")

SOURCE = {
    "attacks": {"fgsm": {"attack": "FGSM", "params": {}, "seed": 0}},
    "eps": 0.2,
    "noise_seed": 0,
    "eval": {"max_examples": 20, "batch_size": 20},
    "device": "cpu",
}


def source_tables(
    models: dict[str, str], groups: list[list[str]], test: Path, folder: Path
) -> dict[str, Path]:
    """Each model's rows (``advgen transfer-source``) on the models of its group, name order."""
    out = {}
    for group in groups:
        names = sorted(group)
        for source in names:
            out[source] = folder / f"{source}.parquet"
            job = {**SOURCE, "source": source, "targets": names}
            inputs = {"models": [models[n] for n in names], "test": test}
            assert cli_main(job_argv("transfer-source", job, inputs, {"table": out[source]})) == 0
    return out


def table(command: str, tables: dict[str, Path], spec: dict, out: Path) -> int:
    """``advgen <command>`` (a transfer table) over ``tables`` in name order."""
    names = sorted(tables)
    job = {"sources": names, **spec}
    return cli_main(job_argv(command, job, {"tables": [tables[n] for n in names]}, {"table": out}))


def test_transfer_meta_columns(tiny_split: Path, tmp_path: Path) -> None:  # noqa: F811
    train = load_prepared(tiny_split / "train.pt")
    models = {}
    for name, width in (("w1", 0.25), ("w2", 0.5)):
        ckpt, _ = train_classifier(spec(arch="fc100_100", width=width, epochs=1), train, train, name=name)
        save_classifier(tmp_path / f"{name}.pt", ckpt)
        models[name] = str(tmp_path / f"{name}.pt")
    tables = source_tables(models, [list(models)], tiny_split / "test.pt", tmp_path)
    out = tmp_path / "t.parquet"
    meta = {"w1": {"width": 0.25}, "w2": {"width": 0.5}}
    assert table("transfer-capacity", tables, {"meta": meta}, out) == 0
    matrix = pd.read_parquet(out)
    assert set(matrix["target_width"]) == {0.25, 0.5}
    assert (matrix["source_width"] == matrix["source"].map({"w1": 0.25, "w2": 0.5})).all()
    out.unlink()
    assert table("transfer-capacity", tables, {"meta": {"w3": {"width": 1}}}, out) == 2
    assert not out.exists()


def test_transfer_within_one_matrix_per_seed(tiny_split: Path, tmp_path: Path) -> None:  # noqa: F811
    """The capacity matrix per seed (spec ``within``): sources and targets of one seed, a
    ``seed`` column instead of source_seed / target_seed, each seed's rows those of its own matrix."""
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
    seeds = [[n for n in models if meta[n]["seed"] == seed] for seed in (0, 1)]
    tables = source_tables(models, seeds, tiny_split / "test.pt", tmp_path)
    assert table("transfer-capacity", tables, {"within": "seed", "meta": meta}, tmp_path / "all.parquet") == 0
    matrix = pd.read_parquet(tmp_path / "all.parquet")
    assert list(matrix.columns) == [
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
    assert len(matrix) == 2 * (2 * 3 * 2)  # per seed: 2 sources x 3 kinds x 2 targets
    # seed 0's rows, then seed 1's (not name order: w0p25_seed1 < w0p5_seed0)
    assert list(matrix["source"].drop_duplicates()) == [
        "w0p25_seed0",
        "w0p5_seed0",
        "w0p25_seed1",
        "w0p5_seed1",
    ]
    assert (matrix["source"].map(lambda n: meta[n]["seed"]) == matrix["seed"]).all()
    assert (matrix["target"].map(lambda n: meta[n]["seed"]) == matrix["seed"]).all()
    # seed 1's rows are the matrix of its models alone
    ones = {n: tables[n] for n in seeds[1]}
    alone = {n: {k: v for k, v in meta[n].items() if k != "seed"} for n in ones}
    assert table("transfer-capacity", ones, {"meta": alone}, tmp_path / "one.parquet") == 0
    expected = pd.read_parquet(tmp_path / "one.parquet")
    got = matrix[matrix["seed"] == 1].drop(columns="seed").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)
    no_seed = {n: alone.get(n, meta[n]) for n in models}
    assert (
        table("transfer-capacity", tables, {"within": "seed", "meta": no_seed}, tmp_path / "bad.parquet") == 2
    )
