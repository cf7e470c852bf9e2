"""Autoencoders: moment forcing terms, factor schedule, outputs, resume equality."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import torch

from advgen.ae.losses import moment_factor, moment_mse, moments
from advgen.ae.train import AeOutputs, train_autoencoder
from advgen.checkpoints import load_torch
from advgen.models.loading import load_autoencoder, load_generator
from advgen.training.resume import TrainingStopped
from tests.unit.gen_helpers import ae_spec, tiny_split  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("one_thread")


def test_moments_of_a_standard_normal_sample():
    z = torch.randn(200_000, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    mean, var, kurt = moments(z).tolist()
    assert (
        mean == pytest.approx(0, abs=0.01)
        and var == pytest.approx(1, abs=0.01)
        and kurt == pytest.approx(3, abs=0.05)
    )
    assert moments(z, "per_dimension").shape == (3, 2)
    assert moment_mse(z) < 1e-3


def test_moment_mse_on_known_values():
    z = torch.tensor([[-1.0], [1.0]])  # mean 0, var 1, kurtosis 1
    assert moment_mse(z).item() == pytest.approx((0 + 0 + 4) / 3)
    z2 = torch.tensor([[1.0, -2.0], [3.0, 2.0]])  # per dim: means (2, 0), vars (1, 4), kurtoses (1, 1)
    expected = ((4 + 0 + 4) + (0 + 9 + 4)) / 6
    assert moment_mse(z2, "per_dimension").item() == pytest.approx(expected)


def test_covariance_term_is_zero_for_whitened_codes_and_counts_correlation():
    from advgen.ae.losses import covariance_mse

    white = torch.tensor([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]]) * (3 / 4) ** 0.5  # Cov = I
    assert covariance_mse(white).item() == pytest.approx(0.0, abs=1e-6)
    same = torch.cat([white[:, :1], white[:, :1]], dim=1)  # both dimensions equal: off-diagonal 1
    assert covariance_mse(same).item() == pytest.approx(2 / 2)
    assert moment_mse(same, "per_dimension", 0.5).item() == pytest.approx(
        moment_mse(same, "per_dimension").item() + 0.5
    )


def test_reconstruction_grid_shows_every_class():
    from advgen.ae.train import per_class_rows

    labels = torch.arange(10).repeat_interleave(5)  # ordered by class, as the test split is
    rows = per_class_rows(labels, 2)
    assert rows.shape == (2, 10) and labels[rows[0]].tolist() == list(range(10))
    assert rows[1].tolist() == [5 * c + 1 for c in range(10)]
    assert per_class_rows(torch.tensor([0, 0, 1]), 2).shape == (2, 1)  # classes without 2 examples left out


def test_factor_doubles_each_epoch_up_to_2048_at_epoch_12():
    factors = [moment_factor(e) for e in range(1, 15)]
    assert factors[0] == 0.001 and factors[1] == 0.002
    assert (
        factors[11] == pytest.approx(2.048)
        and factors[12] == pytest.approx(2.048)
        and max(factors) == pytest.approx(2.048)
    )


def test_forced_autoencoder_outputs(tiny_split):
    out = AeOutputs.under(tiny_split / "ae")
    metrics = train_autoencoder(
        ae_spec(latent_forcing=True), tiny_split / "train.pt", tiny_split / "test.pt", out
    )
    losses = pd.read_parquet(out.losses)
    assert {"iteration", "epoch", "image_mse", "moment_mse", "factor", "scaled_moment"} <= set(losses.columns)
    assert len(losses) == 3 * 6
    assert losses.groupby("epoch")["factor"].first().tolist() == pytest.approx([0.001, 0.002, 0.004])
    assert (losses["scaled_moment"] - losses["factor"] * losses["moment_mse"]).abs().max() < 1e-12
    assert (losses["loss"] - losses["image_mse"] - losses["scaled_moment"]).abs().max() < 1e-5
    cdf = pd.read_parquet(out.latent_cdf)
    assert len(cdf) == 3 * 9 and cdf.groupby("epoch")["latent_quantile"].is_monotonic_increasing.all()
    assert cdf["normal_quantile"].iloc[4] == pytest.approx(0.0, abs=1e-12)  # level 0.5
    assert out.novel.stat().st_size > 0 and out.reconstructions.stat().st_size > 0
    from PIL import Image

    with Image.open(out.reconstructions) as grid:  # 4 rows (test digits / D(E(x)), twice) of 10 classes
        assert grid.size == (2 + 10 * 30, 2 + 4 * 30)
    assert json.loads(out.metrics.read_text()) == metrics and metrics["test_mse"] > 0
    # the learning curve: every row carries its epoch's test MSE, the last epoch's is the metric
    curve = losses.groupby("epoch")["test_mse"].agg(["min", "max"])
    assert (curve["min"] == curve["max"]).all()
    assert curve["max"].tolist() == [e["test_mse"] for e in metrics["epochs"]]
    assert curve["max"].iloc[-1] == metrics["test_mse"]
    enc, dec, z_dim = load_autoencoder(out.checkpoint)
    G, z2 = load_generator(out.checkpoint)
    assert z_dim == z2 == 6 and G(torch.randn(2, 6)).shape == (2, 1, 28, 28)


def test_plain_autoencoder_has_zero_factor(tiny_split):
    out = AeOutputs.under(tiny_split / "plain")
    train_autoencoder(ae_spec(epochs=1), tiny_split / "train.pt", tiny_split / "test.pt", out)
    assert (pd.read_parquet(out.losses)["factor"] == 0).all()


def test_autoencoder_resume_equals_uninterrupted_run(tiny_split):
    spec = ae_spec(latent_forcing=True)
    full, killed = AeOutputs.under(tiny_split / "full"), AeOutputs.under(tiny_split / "killed")
    train_autoencoder(spec, tiny_split / "train.pt", tiny_split / "test.pt", full)
    with pytest.raises(TrainingStopped):
        train_autoencoder(spec, tiny_split / "train.pt", tiny_split / "test.pt", killed, stop_after_epochs=2)
    metrics = train_autoencoder(spec, tiny_split / "train.pt", tiny_split / "test.pt", killed)
    assert metrics["resumed_from_epochs"] == [2]
    for a, b in ((full.losses, killed.losses), (full.latent_cdf, killed.latent_cdf)):
        pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b), check_exact=True)
    sa, sb = load_torch(full.checkpoint)["state"], load_torch(killed.checkpoint)["state"]
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
