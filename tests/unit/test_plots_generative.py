"""GAN and autoencoder figures on tiny synthetic tables: each writes a non-blank PNG and an SVG."""

from __future__ import annotations

import numpy as np
import pytest

from advgen.errors import AdvgenError
from advgen.plots import ae, gan, images
from tests.unit import plots_data as data


def test_gan_loss_curves(tmp_path):
    paths = data.figure_paths(tmp_path, "battle")
    gan.loss_curves(data.gan_losses(), paths, experiment="digits_ns", smoothing=5, dpi=60)
    data.assert_figures(paths)
    assert "digits_ns" in paths[1].read_text()  # the title names the experiment


def test_gan_loss_comparison(tmp_path):
    paths = data.figure_paths(tmp_path, "cmp")
    runs = {"a": data.gan_losses(), "b": data.gan_losses(epochs=2)}
    info = {"a": {"loss": "mse", "unroll_k": 0}, "b": {"loss": "non_saturating", "unroll_k": 4}}
    gan.loss_comparison(runs, paths, info=info, smoothing=5, dpi=60)
    data.assert_figures(paths)
    assert "b (non_saturating, k=4)" in paths[1].read_text()


def test_gan_grad_norms_shades_vanishing_span(tmp_path):
    losses = data.gan_losses(vanish_from=60)
    assert gan.vanishing_spans(losses["g_grad_norm"], 1e-3, 20) == [(60, 120)]
    assert gan.vanishing_spans(losses["g_grad_norm"], 1e-3, 100) == []
    paths = data.figure_paths(tmp_path, "grad")
    gan.grad_norms(losses, paths, experiment="x", threshold=1e-3, patience=20, dpi=60)
    data.assert_figures(paths)
    assert "G vanishing" in paths[1].read_text()


def test_gan_mode_coverage(tmp_path):
    paths = data.figure_paths(tmp_path, "modes")
    gan.mode_coverage(
        data.sample_quality(), paths, info={"gan_a": {"unroll_k": 0}, "gan_b": {"unroll_k": 4}}, dpi=60
    )
    data.assert_figures(paths)
    text = paths[1].read_text()
    assert "gan_b (k=4)" in text and "digits" not in text.split("Mode coverage")[0][-50:]


def test_missing_column_names_table_and_column(tmp_path):
    with pytest.raises(AdvgenError, match=r"losses of run1: missing column\(s\) d_loss"):
        gan.loss_curves(
            data.gan_losses().drop(columns="d_loss"), data.figure_paths(tmp_path, "x"), experiment="run1"
        )
    assert not (tmp_path / "x.png").exists()


def test_running_mean_and_upscale_are_exact():
    from advgen.plots.style import running_mean

    assert np.allclose(running_mean([1, 2, 3, 4], 2), [1, 1.5, 2.5, 3.5])
    img = np.array([[0.0, 1.0], [0.5, 0.25]])
    big = images.upscale(img, 3)
    assert (
        big.shape == (6, 6) and np.array_equal(big[:3, :3], np.zeros((3, 3))) and np.all(big[3:, 3:] == 0.25)
    )
    assert set(np.unique(big)) == set(np.unique(img))  # nearest neighbour: no new values


def test_gan_epoch_grids_pick_first_and_last(tmp_path):
    folder = tmp_path / "samples"
    folder.mkdir()
    for e in range(1, 11):
        data.write_grid_png(folder / f"epoch_{e:03d}.png", seed=e)
    assert [e for e, _ in images.pick_evenly(images.epoch_grids(folder), 4)] == [1, 4, 7, 10]
    paths = data.figure_paths(tmp_path, "grids")
    images.gan_epoch_grids(folder, paths, experiment="digits_ns", panels=4, scale=2, dpi=60)
    data.assert_figures(paths)
    # one raster (titles drawn into it): an SVG copy only wraps the image
    assert "<image" in paths[1].read_text() and "<text" not in paths[1].read_text()
    with pytest.raises(AdvgenError, match="no epoch_NNN.png"):
        images.epoch_grids(tmp_path)


def test_ae_sample_grid_colour(tmp_path):
    png = data.write_grid_png(tmp_path / "novel.png", size=40, color=True)
    assert images.read_png(png).shape == (40, 40, 3)
    paths = data.figure_paths(tmp_path, "novel")
    images.sample_grids([("novel", png)], paths, experiment="ae", what="Autoencoder: novel samples", dpi=60)
    data.assert_figures(paths)


def test_ae_loss_terms_forced_and_plain(tmp_path):
    for forced in (True, False):
        paths = data.figure_paths(tmp_path, f"ae_{forced}")
        ae.loss_terms(data.ae_losses(forced=forced), paths, experiment="digits_ae", smoothing=3, dpi=60)
        data.assert_figures(paths)
        assert ("scaled moment loss" in paths[1].read_text()) is forced


def test_ae_latent_cdf(tmp_path):
    paths = data.figure_paths(tmp_path, "cdf")
    ae.latent_cdf(data.latent_cdf(epochs=5), paths, experiment="digits_ae_forced", panels=3, dpi=60)
    data.assert_figures(paths)
    text = paths[1].read_text()
    assert "epoch 1" in text and "epoch 5" in text and "epoch 2<" not in text
