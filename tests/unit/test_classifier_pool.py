"""Szegedy et al.'s adversarial-pool training mode."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import torch

from advgen.classifiers.pool import AdversarialPool
from advgen.classifiers.training import train_classifier
from tests.unit.robust_helpers import blob_split, trained_linear
from tests.unit.test_classifiers import spec

pytestmark = pytest.mark.usefixtures("one_thread")


def test_pool_fills_then_replaces_within_its_size() -> None:
    torch.manual_seed(0)
    pool = AdversarialPool(size=5)
    pool.add(torch.zeros(3, 1, 2, 2), torch.zeros(3, dtype=torch.long))
    assert len(pool) == 3
    pool.add(torch.ones(4, 1, 2, 2), torch.ones(4, dtype=torch.long))
    assert len(pool) == 5 and int(pool.y.sum()) >= 2  # 2 appended, 2 replaced at random
    pool.add(torch.full((9, 1, 2, 2), 2.0), torch.full((9,), 2, dtype=torch.long))
    assert len(pool) == 5 and bool((pool.y == 2).all()) and bool((pool.x == 2).all())


def test_batch_loss_refreshes_on_schedule_with_adversarial_examples() -> None:
    split = blob_split(40, size=8)
    model = trained_linear(split)
    pool = AdversarialPool(size=100, refresh=3, attack="fgsm", mix=0.5, eps=0.3)
    x, y = split.images[:8], split.labels[:8]
    for step in range(7):
        loss, logits = pool.batch_loss(model, x, y, step)
        assert logits.shape[0] == 8 and loss.ndim == 0
    assert pool.refreshes == 3 and len(pool) == 24  # steps 0, 3, 6
    # the pool holds FGSM examples: within eps of the clean batch, and not the clean batch
    delta = (pool.x[:8] - x).abs().flatten(1).amax(1)
    assert bool((delta <= 0.3 + 1e-6).all()) and bool((delta > 0).any())
    with pytest.raises(ValueError, match="pool attack"):
        AdversarialPool(attack="deepfool")


def test_pool_training_is_seeded_and_reports_clean_accuracy() -> None:
    train, test = blob_split(96, size=8, seed=0), blob_split(48, size=8, seed=1, split="test")
    s = spec(mode="pool", epochs=2, pool_size=64, pool_refresh=2, pool_attack="fgsm", pool_mix=0.5)
    ckpt, hist = train_classifier(s, train, test, name="p")
    _, again = train_classifier(s, train, test, name="p")
    pd.testing.assert_frame_equal(hist.drop(columns="seconds"), again.drop(columns="seconds"))
    assert list(hist["mode"].unique()) == ["pool"] and math.isnan(hist["train_robust_acc"].iloc[-1])
    assert hist["eps"].iloc[-1] == pytest.approx(0.2)
    assert hist["test_clean_acc"].iloc[-1] > 0.5
    # it is not standard training under another name: the pool changes the weights
    _, plain = train_classifier(spec(mode="standard", epochs=2), train, test, name="s")
    assert not hist["loss"].equals(plain["loss"])


def test_lbfgs_refill_solves_on_the_models_device_and_fools_it() -> None:
    """The L-BFGS pool runs the per-example solver (no host round trip per evaluation): its
    examples are minimal perturbations that change the current model's label."""
    split = blob_split(40, size=8)
    model = trained_linear(split)
    pool = AdversarialPool(size=100, refresh=1, attack="lbfgs")
    assert pool._adversary(model).solver == "torch"
    x, y = split.images[:12], split.labels[:12]
    pool.refill(model, x, y)
    with torch.no_grad():
        correct = model(x).argmax(1) == y
        fooled = model(pool.x).argmax(1) != pool.y
    assert len(pool) == 12 and bool(fooled[correct].all())
    assert float((pool.x - x).flatten(1).norm(dim=1).max()) < 4.0
