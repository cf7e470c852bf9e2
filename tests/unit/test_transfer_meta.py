"""``advgen transfer --meta``: the capacity transfer matrix carries source / target widths."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from advgen.classifiers import save_classifier, train_classifier
from advgen.cli import main as cli_main
from advgen.data import load_prepared
from tests.unit.gen_helpers import tiny_split  # noqa: F401  (fixture)
from tests.unit.test_classifiers import spec

pytestmark = pytest.mark.usefixtures("one_thread")


def test_transfer_meta_columns(tiny_split: Path, tmp_path: Path) -> None:  # noqa: F811
    train = load_prepared(tiny_split / "train.pt")
    models = []
    for name, width in (("w1", 0.25), ("w2", 0.5)):
        ckpt, _ = train_classifier(spec(arch="fc100_100", width=width, epochs=1), train, train, name=name)
        save_classifier(tmp_path / f"{name}.pt", ckpt)
        models.append(f"{name}={tmp_path / name}.pt")
    job = {
        "transfer": {"eps": 0.2, "noise_seed": 0},
        "attacks": {"fgsm": {"attack": "FGSM", "seed": 0}},
        "eval": {"max_examples": 20, "batch_size": 20},
        "device": "cpu",
    }
    out = tmp_path / "t.parquet"
    base = [
        "transfer",
        "--spec",
        json.dumps(job),
        "--models",
        *models,
        "--test",
        str(tiny_split / "test.pt"),
        "--out",
        str(out),
    ]
    meta = {"w1": {"width": 0.25}, "w2": {"width": 0.5}}
    assert cli_main([*base, "--meta", json.dumps(meta)]) == 0
    table = pd.read_parquet(out)
    assert set(table["target_width"]) == {0.25, 0.5}
    assert (table["source_width"] == table["source"].map({"w1": 0.25, "w2": 0.5})).all()
    assert cli_main([*base, "--meta", json.dumps({"w3": {"width": 1}})]) == 2
