"""Stacked autoencoder seeds write what sequential runs write (within float tolerance), also across a stop."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import torch

from advgen.ae import AeOutputs
from advgen.ae.replicates import train_autoencoder_replicates
from advgen.checkpoints import load_torch
from advgen.training import TrainingStopped
from tests.unit.gen_helpers import ae_spec, tiny_split  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("one_thread")

SEEDS = (0, 3, 5)


def _outputs(root, tag):
    return [AeOutputs.under(root / f"{tag}_{s}") for s in SEEDS]


def _close(a, b, what, atol=0.0):
    """Equal to 1 % of the quantity's scale (plus ``atol``).

    The stacked convolutions round differently from the per-seed ones. Adam turns rounding-level
    differences of near-zero gradients into steps of up to ``lr`` (the conv biases before batch
    norm get only such gradients), and the moment term (fourth powers of the codes) amplifies the
    rest over 20 steps. The tests train with a small ``lr`` to keep that drift small; a seed's
    outputs swapped with another seed's differ far more.
    """
    a = torch.as_tensor(a).detach().to(torch.float64)
    b = torch.as_tensor(b).detach().to(torch.float64)
    scale = float(b.abs().max()) if b.numel() else 0.0
    torch.testing.assert_close(a, b, rtol=0, atol=1e-2 * scale + atol + 1e-6, msg=what)


def _assert_same(stacked, sequential):
    for a, b in zip(stacked, sequential, strict=True):
        for f in ("losses", "latent_cdf"):
            pa, pb = pd.read_parquet(getattr(a, f)), pd.read_parquet(getattr(b, f))
            assert list(pa.columns) == list(pb.columns) and len(pa) == len(pb)
            for col in pb.columns:
                _close(pa[col].to_numpy().copy(), pb[col].to_numpy().copy(), f"{f}.{col}")
        ca, cb = load_torch(a.checkpoint), load_torch(b.checkpoint)
        assert ca["epoch"] == cb["epoch"] and ca["config"] == cb["config"] and ca["status"] == cb["status"]
        lr = cb["config"]["lr"]
        for k, v in cb["state"].items():
            _close(ca["state"][k], v, k, atol=10 * lr)
        assert ca["optimizer"]["state"].keys() == cb["optimizer"]["state"].keys()
        for idx, st in cb["optimizer"]["state"].items():
            assert torch.equal(ca["optimizer"]["state"][idx]["step"], st["step"])
        assert torch.equal(ca["rng"]["torch"], cb["rng"]["torch"])
        assert torch.equal(ca["data_rng"], cb["data_rng"])
        ma, mb = json.loads(a.metrics.read_text()), json.loads(b.metrics.read_text())
        for k in ("status", "epochs_completed", "iterations", "params", "resumed_from_epochs"):
            assert ma[k] == mb[k] or k == "resumed_from_epochs", k
        _close(ma["test_mse"], mb["test_mse"], "test_mse")
        assert a.novel.exists() and a.reconstructions.exists()


def test_three_stacked_seeds_equal_three_sequential_runs(tiny_split):
    spec = ae_spec(epochs=5, batch_size=24, latent_forcing=True, lr=1e-4)  # 4 steps an epoch, 20 steps
    stacked = _outputs(tiny_split, "stacked")
    train_autoencoder_replicates(
        spec, SEEDS, tiny_split / "train.pt", tiny_split / "test.pt", stacked, mode="stacked"
    )
    sequential = _outputs(tiny_split, "seq")
    train_autoencoder_replicates(
        spec, SEEDS, tiny_split / "train.pt", tiny_split / "test.pt", sequential, mode="sequential"
    )
    _assert_same(stacked, sequential)
    assert json.loads(stacked[0].metrics.read_text())["iterations"] == 20


def test_stacked_seeds_resumed_after_a_stop_equal_sequential_runs(tiny_split):
    spec = ae_spec(epochs=5, batch_size=24, lr=1e-4)
    stacked, resume = _outputs(tiny_split, "stacked"), tiny_split / "resume" / "stacked.pt"
    args = (spec, SEEDS, tiny_split / "train.pt", tiny_split / "test.pt", stacked)
    with pytest.raises(TrainingStopped):
        train_autoencoder_replicates(*args, mode="stacked", resume=resume, stop_after_epochs=2)
    assert resume.exists() and not stacked[0].checkpoint.exists()
    train_autoencoder_replicates(*args, mode="stacked", resume=resume)
    assert not resume.exists()
    sequential = _outputs(tiny_split, "seq")
    train_autoencoder_replicates(
        spec, SEEDS, tiny_split / "train.pt", tiny_split / "test.pt", sequential, mode="sequential"
    )
    _assert_same(stacked, sequential)
    assert [json.loads(o.metrics.read_text())["resumed_from_epochs"] for o in stacked] == [[2]] * 3
