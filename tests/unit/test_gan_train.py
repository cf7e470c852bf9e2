"""GAN training: outputs, resume equality after a simulated kill, status detection."""

from __future__ import annotations

import json
import math
import shutil

import pandas as pd
import pytest
import torch

from advgen.checkpoints import load_torch
from advgen.gan.runner import GanOutputs, train_gan
from advgen.gan.status import StatusTracker, diversity
from advgen.gan.train import COLUMNS, GanRun
from advgen.io import publish_folder
from advgen.training.resume import TrainingStopped
from tests.unit.gen_helpers import gan_spec, tiny_split  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("one_thread")


def _train(tiny_split, folder, spec, **kwargs):
    return train_gan(spec, tiny_split / "train.pt", GanOutputs.under(tiny_split / folder), **kwargs)


def test_outputs_and_metadata(tiny_split):
    status = _train(tiny_split, "a", gan_spec(real_label=0.9, unroll_k=1))
    out = GanOutputs.under(tiny_split / "a")
    losses = pd.read_parquet(out.losses)
    assert tuple(losses.columns) == COLUMNS
    assert len(losses) == 3 * (96 // 16) and losses["iteration"].tolist() == list(range(1, 19))
    assert losses["epoch"].tolist() == [e for e in (1, 2, 3) for _ in range(6)]
    assert sorted(p.name for p in out.samples.iterdir()) == [
        "epoch_001.png",
        "epoch_002.png",
        "epoch_003.png",
    ]
    meta = json.loads(out.status.read_text())
    assert meta == status and meta["params"] == {
        "generator": 241040 - 50 * 128 + 8 * 128,
        "discriminator": 233985,
    }
    assert meta["status"] in ("ok", "vanishing_gradients", "mode_collapse") and meta["epochs_completed"] == 3
    ckpt = load_torch(
        out.checkpoint, kind="gan", required=("G", "D", "opt_g", "opt_d", "epoch", "rng", "config")
    )
    assert ckpt["epoch"] == 3 and ckpt["config"]["unroll_k"] == 1
    assert not out.resume.exists(), "the resume folder is removed once outputs are written"


@pytest.mark.parametrize("g_ema", [0.0, 0.9])
def test_resume_after_a_kill_equals_an_uninterrupted_run(tiny_split, g_ema):
    spec = gan_spec(g_ema=g_ema)
    _train(tiny_split, "full", spec)
    with pytest.raises(TrainingStopped):
        _train(tiny_split, "killed", spec, stop_after_epochs=1)
    killed = GanOutputs.under(tiny_split / "killed")
    assert (killed.resume / "last.pt").exists() and not killed.losses.exists()
    status = _train(tiny_split, "killed", spec)
    assert status["resumed_from_epochs"] == [1]
    full = GanOutputs.under(tiny_split / "full")
    pd.testing.assert_frame_equal(
        pd.read_parquet(full.losses), pd.read_parquet(killed.losses), check_exact=True
    )
    a, b = load_torch(full.checkpoint), load_torch(killed.checkpoint)
    for key in ("G", "D"):
        for name in a[key]:
            assert torch.equal(a[key][name], b[key][name]), (key, name)
    for png in full.samples.iterdir():
        assert png.read_bytes() == (killed.samples / png.name).read_bytes()


def test_resume_checkpoint_of_another_spec_is_ignored(tiny_split):
    with pytest.raises(TrainingStopped):
        _train(tiny_split, "x", gan_spec(), stop_after_epochs=1)
    status = _train(tiny_split, "x", gan_spec(lr_g=3e-4))
    assert status["resumed_from_epochs"] == []
    _train(tiny_split, "y", gan_spec(lr_g=3e-4))
    pd.testing.assert_frame_equal(
        pd.read_parquet(tiny_split / "x" / "losses.parquet"),
        pd.read_parquet(tiny_split / "y" / "losses.parquet"),
    )


def test_constructed_nan_stops_training_as_diverged_and_keeps_last_good_checkpoint(tiny_split, monkeypatch):
    calls = {"n": 0}
    original = GanRun.g_step

    def g_step(self, real):
        calls["n"] += 1
        loss, norm = original(self, real)
        return (math.nan, norm) if calls["n"] == 9 else (loss, norm)  # iteration 9 = epoch 2

    monkeypatch.setattr(GanRun, "g_step", g_step)
    status = _train(tiny_split, "nan", gan_spec())
    assert status["status"] == "diverged" and status["diverged_iteration"] == 9
    assert status["epochs_completed"] == 1
    out = GanOutputs.under(tiny_split / "nan")
    losses = pd.read_parquet(out.losses)
    assert len(losses) == 9 and math.isnan(losses["g_loss"].iloc[-1])
    ckpt = load_torch(out.checkpoint, kind="gan")
    assert ckpt["epoch"] == 1 and ckpt["status"] == "diverged"
    assert all(torch.isfinite(v).all() for v in ckpt["G"].values() if v.is_floating_point())


def test_tracker_vanishing_gradients_and_precedence():
    t = StatusTracker(threshold=1e-3, patience=3)
    for i, norm in enumerate([1.0, 1e-4, 1e-4, 1.0, 1e-5, 1e-5, 1e-5, 1e-5], start=1):
        assert t.update(i, 0.5, 0.5, norm)
    assert t.vanishing_iterations == [7] and t.status == "vanishing_gradients"
    t.epoch_end(0.05)
    assert t.status == "mode_collapse" and t.flags == ["vanishing_gradients", "mode_collapse"]
    assert not t.update(9, math.inf, 0.5, 1.0)
    assert t.status == "diverged"
    assert StatusTracker.from_state(t.state_dict()) == t


def test_tracker_ok_and_diversity():
    t = StatusTracker()
    assert t.update(1, 0.7, 1.3, 0.5) and t.status == "ok"
    real = torch.rand(16, 1, 8, 8)
    assert diversity(real, real) == pytest.approx(1.0)
    collapsed = real[:1].repeat(16, 1, 1, 1)
    assert diversity(collapsed, real) == 0.0


def test_publish_folder_interrupted_part_way_leaves_the_old_folder_and_no_copy(tmp_path, monkeypatch):
    src, dest = tmp_path / "new", tmp_path / "samples"
    src.mkdir()
    (src / "epoch_002.png").write_bytes(b"new")
    dest.mkdir()
    (dest / "epoch_001.png").write_bytes(b"old")
    copytree = shutil.copytree

    def copy_then_terminated(a, b, **kwargs):
        copytree(a, b, **kwargs)
        raise SystemExit(143)  # what the CLI raises on SIGTERM

    monkeypatch.setattr(shutil, "copytree", copy_then_terminated)
    with pytest.raises(SystemExit):
        publish_folder(src, dest)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "samples"]
    assert (dest / "epoch_001.png").read_bytes() == b"old"
    monkeypatch.setattr(shutil, "copytree", copytree)
    publish_folder(src, dest)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "samples"]
    assert [p.name for p in dest.iterdir()] == ["epoch_002.png"]
