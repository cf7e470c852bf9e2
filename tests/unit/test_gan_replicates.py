"""Stacked GAN seeds write what sequential runs write (within float tolerance), also across a stop."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from advgen.checkpoints import load_torch
from advgen.errors import AdvgenError
from advgen.gan.replicates import train_gan_replicates
from advgen.gan.runner import GanOutputs
from advgen.training.resume import TrainingStopped
from tests.unit.gen_helpers import (  # noqa: F401  (fixtures)
    DEVICES,
    assert_within_seed_spread,
    gan_spec,
    layout_querying_batch_norm,
    losses,
    tiny_split,
)

pytestmark = pytest.mark.usefixtures("one_thread")

SEEDS = (0, 3, 5)
#: 96 images at batch 24: 4 iterations an epoch, 20 in 5 epochs; dropout off (stacked dropout draws
#: other masks than the sequential runs: test_dropout_gans_stack_and_resume_exactly)
SPEC = {"batch_size": 24, "epochs": 5, "discriminator_kwargs": {"dropout": 0.0}}
#: DCGAN's conv generator at 28 px and 4 base channels, alone and with its discriminator
TINY_DCGAN_G = {"batch_size": 24, "generator": "dcgan28", "generator_kwargs": {"ngf": 4}}
TINY_DCGAN = {**TINY_DCGAN_G, "discriminator": "dcgan28", "discriminator_kwargs": {"ndf": 4}}


def _outputs(root, tag, seeds=SEEDS):
    return [GanOutputs.under(root / f"{tag}_{s}") for s in seeds]


def _close(a, b, what, atol=1e-4):
    """Equal within float tolerance (0.5 %, plus ``atol``).

    The stacked matmuls round differently from the per-seed ones, and Adam turns rounding-level
    differences of near-zero gradients into steps of up to ``lr``; over 20 iterations of 2 D
    updates, 2 unrolled D steps and a G update the losses drift by up to ~1e-3 relative. Another
    seed's values differ far more (checked below).
    """
    a = torch.as_tensor(a).detach().to(torch.float64)
    b = torch.as_tensor(b).detach().to(torch.float64)
    torch.testing.assert_close(a, b, rtol=5e-3, atol=atol, msg=what)


def _assert_same(stacked, sequential, before_batch_norm=()):
    """``before_batch_norm``: state keys of biases of layers followed by batch norm and of the
    running means that track them. Batch norm removes them, so they get only rounding-level gradients, which Adam
    turns into steps of up to ``lr`` in either run: over 20 steps they may differ by 40 x ``lr``.
    """
    for a, b in zip(stacked, sequential, strict=True):
        pa, pb = pd.read_parquet(a.losses), pd.read_parquet(b.losses)
        assert list(pa.columns) == list(pb.columns) and len(pa) == len(pb) == 20
        for col in pb.columns:
            _close(pa[col].to_numpy().copy(), pb[col].to_numpy().copy(), f"losses.{col}")
        ca, cb = load_torch(a.checkpoint), load_torch(b.checkpoint)
        assert (ca["epoch"], ca["iteration"], ca["config"]) == (cb["epoch"], cb["iteration"], cb["config"])
        lr = max(cb["config"]["lr_g"], cb["config"]["lr_d"])
        for net in ("G", "D", "G_ema"):
            assert (ca[net] is None) == (cb[net] is None)
            for k, v in (cb[net] or {}).items():
                _close(ca[net][k], v, f"{net}.{k}", atol=(40 if k in before_batch_norm else 10) * lr)
        for opt in ("opt_g", "opt_d"):
            for idx, st in cb[opt]["state"].items():
                assert torch.equal(ca[opt]["state"][idx]["step"], st["step"])
                scale = float(st["exp_avg"].abs().max())
                _close(
                    ca[opt]["state"][idx]["exp_avg"], st["exp_avg"], f"{opt}.{idx}", atol=1e-2 * scale + 1e-6
                )
        assert torch.equal(ca["rng"]["torch"], cb["rng"]["torch"])
        assert torch.equal(ca["data_rng"], cb["data_rng"])
        sa, sb = json.loads(a.status.read_text()), json.loads(b.status.read_text())
        for k in ("status", "flags", "params", "epochs_completed", "iterations", "diverged_iteration"):
            assert sa[k] == sb[k], k
        for ea, eb in zip(sa["epochs"], sb["epochs"], strict=True):
            _close(ea["diversity"], eb["diversity"], "diversity")
        assert sorted(p.name for p in a.samples.iterdir()) == sorted(p.name for p in b.samples.iterdir())
        assert not a.resume.exists()


def _train(root, tag, spec, mode, seeds=SEEDS, **kwargs):
    out = _outputs(root, tag, seeds)
    train_gan_replicates(spec, seeds, root / "train.pt", out, mode=mode, **kwargs)
    return out


def test_three_stacked_seeds_equal_three_sequential_runs_with_unrolling_and_ema(tiny_split):
    spec = gan_spec(**SPEC, unroll_k=2, g_ema=0.9, d_steps=2)
    stacked = _train(tiny_split, "stacked", spec, "stacked")
    _assert_same(stacked, _train(tiny_split, "seq", spec, "sequential"))
    # the seeds trained apart: another seed's losses differ far beyond the tolerance
    first, second = (pd.read_parquet(o.losses)["d_loss"].to_numpy() for o in stacked[:2])
    assert abs(first - second).max() > 1e-2


def test_fused_adam_gans_stack_as_their_sequential_runs(tiny_split):
    """The ``fused_adam`` lever (the default study's GANs without a recipe) stacks: Adam's update is
    elementwise, one fused kernel over the stacked tensors updates every seed as its own would."""
    spec = gan_spec(**SPEC, speed={"fused_adam": True})
    stacked = _train(tiny_split, "stacked", spec, "stacked")
    _assert_same(stacked, _train(tiny_split, "seq", spec, "sequential"))
    assert json.loads(stacked[0].status.read_text())["speed"]["fused_adam"] is True


def test_spectral_norm_gans_stack_as_their_sequential_runs(tiny_split):
    """The default study's recipe (spectral norm in D, Miyato et al. 2018, with fused Adam and
    first-order unrolling) stacks: each seed's D runs its own power iteration on its own vectors."""
    spec = gan_spec(**SPEC, recipe={"spectral_norm": True}, speed={"fused_adam": True}, unroll_k=2)
    stacked = _train(tiny_split, "stacked", spec, "stacked")
    sequential = _train(tiny_split, "seq", spec, "sequential")
    _assert_same(stacked, sequential)
    for a, b in zip(stacked, sequential, strict=True):
        da, db = load_torch(a.checkpoint)["D"], load_torch(b.checkpoint)["D"]
        vectors = [k for k in db if k.endswith(("._u", "._v"))]
        assert vectors and all(torch.allclose(da[k], db[k], rtol=1e-3, atol=1e-5) for k in vectors)


def test_batch_norm_gans_stack_with_each_seeds_running_statistics(tiny_split):
    spec = gan_spec(
        **TINY_DCGAN,
        epochs=5,
        unroll_k=1,
        g_ema=0.9,
    )
    stacked = _train(tiny_split, "stacked", spec, "stacked")
    sequential = _train(tiny_split, "seq", spec, "sequential")
    pre_bn = ("fc.0.bias", "fc.1.running_mean", "deconv.0.bias", "deconv.1.running_mean")
    _assert_same(stacked, sequential, (*pre_bn, "body.2.bias", "body.3.running_mean"))


def test_stacked_seeds_resumed_after_a_stop_equal_sequential_runs(tiny_split):
    spec = gan_spec(**SPEC, loss="mse")
    with pytest.raises(TrainingStopped):
        _train(tiny_split, "stacked", spec, "stacked", stop_after_epochs=2)
    assert (tiny_split / "stacked_0" / "resume" / "stacked.pt").exists()
    stacked = _train(tiny_split, "stacked", spec, "stacked")
    _assert_same(stacked, _train(tiny_split, "seq", spec, "sequential"))
    assert [json.loads(o.status.read_text())["resumed_from_epochs"] for o in stacked] == [[2]] * 3


def test_dropout_gans_stack_and_resume_exactly(tiny_split):
    """The report's pair keeps M3's dropout: every seed draws its own masks (vmap randomness
    "different", from the global RNG, which the stacked resume state keeps)."""
    spec = gan_spec(**{**SPEC, "epochs": 3, "discriminator_kwargs": {}})
    assert spec.discriminator_kwargs == {} and spec.discriminator == "mlp_small"
    whole = _train(tiny_split, "whole", spec, "stacked")
    with pytest.raises(TrainingStopped):
        _train(tiny_split, "cut", spec, "stacked", stop_after_epochs=1)
    resumed = _train(tiny_split, "cut", spec, "stacked")
    for a, b in zip(whole, resumed, strict=True):
        pa, pb = pd.read_parquet(a.losses), pd.read_parquet(b.losses)
        pd.testing.assert_frame_equal(pa, pb)
        assert pa[["g_loss", "d_loss"]].abs().max().max() < 100
    first, second = (pd.read_parquet(o.losses)["d_loss"].to_numpy() for o in whole[:2])
    assert abs(first - second).max() > 1e-2


def test_what_cannot_be_stacked_is_named_with_its_config_key(tiny_split):
    with pytest.raises(AdvgenError, match=r"^unroll_order: 'second' unrolling cannot be trained with seeds"):
        _train(tiny_split, "b", gan_spec(**SPEC, unroll_k=1, unroll_order="second"), "stacked")
    for recipe in ({"diffaugment": ["translation"]}, {"r1_gamma": 1.0}):
        with pytest.raises(AdvgenError, match=r"^recipe: a GAN trained with DiffAugment or R1"):
            _train(tiny_split, "c", gan_spec(**SPEC, recipe=recipe), "stacked")


@pytest.mark.parametrize("device", DEVICES)
def test_bfloat16_gans_stack_within_rounding_of_their_sequential_runs(tiny_split, caplog, device):
    """The report GAN's levers (config/config.yaml's mnist_report: bfloat16 autocast, channels_last;
    its pair narrowed): stacked under autocast's casts made explicit, each seed's 20 iterations stay
    within a tenth of the distance between two seeds of its own sequential run, column by column
    (bfloat16 rounds the batched kernels differently: tests/unit/test_explicit_autocast.py). On
    CUDA the stacked weights take the default layout, which cuDNN's batch norm needs under vmap."""
    spec = gan_spec(
        **TINY_DCGAN_G,
        epochs=5,
        discriminator="conv_sn",
        loss="non_saturating",
        speed={"autocast": "bf16", "channels_last": True},
    )
    seeds = SEEDS[:2]
    with caplog.at_level("INFO", logger="advgen.gan.replicates"):
        stacked = _train(tiny_split, "stacked", spec, "stacked", seeds, device=device)
    assert f"stacked on {device}" in caplog.text
    assert "sequentially" not in caplog.text and "one after another" not in caplog.text
    sequential = _train(tiny_split, "seq", spec, "sequential", seeds, device=device)
    assert_within_seed_spread(stacked, sequential)
    assert all(json.loads(o.status.read_text())["speed"]["autocast"] == "bf16" for o in stacked)


def test_seeds_whose_casts_differ_under_vmap_train_sequentially(tiny_split, caplog, monkeypatch):
    """Where the explicit casts would differ from autocast's on the device (here: a table without
    ``linear``), a stacked request trains the seeds one after another, as their own jobs would."""
    from advgen.training import explicit_autocast

    table = {k: v for k, v in explicit_autocast.POLICIES["cpu"].items() if k != "linear"}
    monkeypatch.setitem(explicit_autocast.POLICIES, "cpu", table)
    spec = gan_spec(**{**SPEC, "epochs": 2}, speed={"autocast": "bf16"})
    with caplog.at_level("WARNING", logger="advgen.gan.replicates"):
        fallback = _train(tiny_split, "fallback", spec, "stacked", SEEDS[:2])
    assert "linear #" in caplog.text and "train the replicates sequentially" in caplog.text
    sequential = _train(tiny_split, "seq", spec, "sequential", SEEDS[:2])
    for a, b in zip(fallback, sequential, strict=True):
        cols, x = losses([a])
        assert np.array_equal(x, losses([b])[1]), cols


@pytest.mark.parametrize("default_layout", [False, True], ids=["cpu_layout", "cuda_layout"])
def test_a_batch_norm_that_asks_its_inputs_layout(tiny_split, caplog, monkeypatch, default_layout):
    """CUDA's batch norm asks an NHWC input's layout, which vmap refuses; channels_last weights make
    the stacked convolutions' outputs NHWC (the report GAN's failure on an H200, emulated on the
    CPU: tests/unit/gen_helpers.py). In the per-seed layout the stacked pass fails and the seeds
    train one after another, as their own jobs would, saying why; in the default layout (CUDA's,
    the CPU standing in) they train stacked."""
    from advgen.training import stacked as stacked_module

    layout_querying_batch_norm(monkeypatch)
    if default_layout:
        monkeypatch.setattr(stacked_module, "DEFAULT_LAYOUT_DEVICES", frozenset({"cuda", "cpu"}))
    spec = gan_spec(
        **TINY_DCGAN,
        epochs=2,
        speed={"channels_last": True},
    )
    with caplog.at_level("INFO", logger="advgen.gan.replicates"):
        runs = _train(tiny_split, "stacked", spec, "stacked", SEEDS[:2])
    failed = "NYI: querying is_contiguous inside of vmap" in caplog.text
    assert failed is not default_layout
    assert ("the seeds train one after another" in caplog.text) is not default_layout
    sequential = _train(tiny_split, "seq", spec, "sequential", SEEDS[:2])
    if not default_layout:  # the seeds' own runs
        for a, b in zip(runs, sequential, strict=True):
            cols, x = losses([a])
            assert np.array_equal(x, losses([b])[1]), cols
    else:
        assert_within_seed_spread(runs, sequential)


def test_the_stacked_pass_check_leaves_the_run_as_it_found_it(tiny_split, monkeypatch):
    """The check runs on copies of the stacked models with the random streams forked: a stacked
    run with it equals one without, bit for bit (a batch-norm generator, whose running statistics
    the check updates on its copies, and a dropout discriminator, whose masks it draws)."""
    from advgen.gan import replicates

    spec = gan_spec(
        **TINY_DCGAN_G,
        epochs=2,
        discriminator_kwargs={"dropout": 0.3},
    )
    checked = _train(tiny_split, "checked", spec, "stacked", SEEDS[:2])
    monkeypatch.setattr(replicates, "require_stacked_pass", lambda *args, **kwargs: None)
    unchecked = _train(tiny_split, "unchecked", spec, "stacked", SEEDS[:2])
    for a, b in zip(checked, unchecked, strict=True):
        cols, x = losses([a])
        assert np.array_equal(x, losses([b])[1]), cols
        ca, cb = load_torch(a.checkpoint), load_torch(b.checkpoint)
        for net in ("G", "D"):
            for k, v in cb[net].items():
                assert torch.equal(ca[net][k], v), f"{net}.{k}"
