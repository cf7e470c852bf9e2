"""Stacked autoencoder seeds write what sequential runs write (within float tolerance), also across a stop."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from advgen.ae.replicates import train_autoencoder_replicates
from advgen.ae.train import AeOutputs
from advgen.checkpoints import load_torch
from advgen.training.resume import TrainingStopped
from tests.unit.gen_helpers import (  # noqa: F401  (fixtures)
    DEVICES,
    ae_spec,
    assert_within_seed_spread,
    layout_querying_batch_norm,
    losses,
    tiny_split,
)

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


def _train(root, tag, spec, mode, seeds, device="cpu"):
    outputs = [AeOutputs.under(root / f"{tag}_{s}") for s in seeds]
    train_autoencoder_replicates(
        spec, seeds, root / "train.pt", root / "test.pt", outputs, mode=mode, device=device
    )
    return outputs


@pytest.mark.parametrize("device", DEVICES)
def test_the_default_studys_autoencoder_levers_stack_within_rounding(tiny_split, caplog, device):
    """config/config.yaml's autoencoders (bfloat16 autocast, fused Adam, latent forcing; the conv
    model's weights channels_last): stacked under autocast's casts made explicit, each seed's 20
    steps stay within a tenth of the distance between two seeds of its own sequential run, column
    by column."""
    spec = ae_spec(
        epochs=5, batch_size=24, latent_forcing=True, lr=1e-4, speed={"autocast": "bf16", "fused_adam": True}
    )
    seeds = SEEDS[:2]
    with caplog.at_level("INFO", logger="advgen.ae.replicates"):
        stacked = _train(tiny_split, "stacked", spec, "stacked", seeds, device)
    assert f"stacked on {device}" in caplog.text
    assert "sequentially" not in caplog.text and "one after another" not in caplog.text
    sequential = _train(tiny_split, "seq", spec, "sequential", seeds, device)
    assert_within_seed_spread(stacked, sequential)
    metrics = [json.loads(o.metrics.read_text()) for o in stacked]
    assert all(
        m["speed"] == {"autocast": "bf16", "channels_last": False, "fused_adam": True} for m in metrics
    )


def test_autoencoder_seeds_whose_casts_differ_under_vmap_train_sequentially(tiny_split, caplog, monkeypatch):
    from advgen.training import explicit_autocast

    table = {k: v for k, v in explicit_autocast.POLICIES["cpu"].items() if k != "conv2d"}
    monkeypatch.setitem(explicit_autocast.POLICIES, "cpu", table)
    spec = ae_spec(epochs=2, batch_size=24, speed={"autocast": "bf16"})
    with caplog.at_level("WARNING", logger="advgen.ae.replicates"):
        fallback = _train(tiny_split, "fallback", spec, "stacked", SEEDS[:2])
    assert "conv2d #" in caplog.text and "train the replicates sequentially" in caplog.text
    sequential = _train(tiny_split, "seq", spec, "sequential", SEEDS[:2])
    for a, b in zip(fallback, sequential, strict=True):
        assert np.array_equal(losses([a])[1], losses([b])[1])


@pytest.mark.parametrize("default_layout", [False, True], ids=["cpu_layout", "cuda_layout"])
def test_an_autoencoder_batch_norm_that_asks_its_inputs_layout(
    tiny_split, caplog, monkeypatch, default_layout
):
    """The conv autoencoder's NHWC weights under a batch norm that asks an NHWC input's layout, as
    CUDA's does (emulated: tests/unit/gen_helpers.py): in the per-seed layout the seeds train one
    after another, as their own jobs would; in the default layout (CUDA's) they train stacked."""
    from advgen.training import stacked as stacked_module

    layout_querying_batch_norm(monkeypatch)
    if default_layout:
        monkeypatch.setattr(stacked_module, "DEFAULT_LAYOUT_DEVICES", frozenset({"cuda", "cpu"}))
    spec = ae_spec(epochs=5, batch_size=24, latent_forcing=True, lr=1e-4)
    with caplog.at_level("INFO", logger="advgen.ae.replicates"):
        runs = _train(tiny_split, "stacked", spec, "stacked", SEEDS[:2])
    assert ("NYI: querying is_contiguous inside of vmap" in caplog.text) is not default_layout
    assert ("the seeds train one after another" in caplog.text) is not default_layout
    sequential = _train(tiny_split, "seq", spec, "sequential", SEEDS[:2])
    if not default_layout:
        for a, b in zip(runs, sequential, strict=True):
            assert np.array_equal(losses([a])[1], losses([b])[1])
    else:
        assert_within_seed_spread(runs, sequential)
