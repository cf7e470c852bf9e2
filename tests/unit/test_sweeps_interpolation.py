"""Interpolation paths, pairs and smoothness metrics; truncated sampling."""

from __future__ import annotations

import pytest
import torch

from advgen.sweeps.interpolation import alphas, choose_pairs, decode_paths, latent_path, path_metrics
from advgen.sweeps.truncation import (
    grid_row,
    matched_latents,
    sample,
    to_uint8,
    truncated_normal,
    truncated_variance,
)

from .sweeps_helpers import IdentityGenerator


def test_alphas_match_the_report():
    assert alphas(9).tolist() == [0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1]
    with pytest.raises(ValueError):
        alphas(1)


def test_latent_path_runs_from_start_to_end():
    z0, z1 = torch.randn(3, 5), torch.randn(3, 5)
    path = latent_path(z0, z1, alphas(5))
    assert path.shape == (3, 5, 5)
    torch.testing.assert_close(path[:, 0], z0)
    torch.testing.assert_close(path[:, -1], z1)
    torch.testing.assert_close(path[:, 2], (z0 + z1) / 2)
    frames = decode_paths(IdentityGenerator(side=2).eval(), torch.randn(2, 3, 4))
    assert frames.shape == (2, 3, 1, 2, 2)


def test_pairs_are_seeded_disjoint_and_of_different_labels():
    labels = torch.arange(40) % 4
    pairs = choose_pairs(labels, 10, seed=0)
    assert pairs.shape == (10, 2)
    assert (labels[pairs[:, 0]] != labels[pairs[:, 1]]).all()
    assert len(set(pairs.flatten().tolist())) == 20
    assert torch.equal(pairs, choose_pairs(labels, 10, seed=0))
    assert not torch.equal(pairs, choose_pairs(labels, 10, seed=1))
    assert len(choose_pairs(torch.zeros(10, dtype=torch.long), 3, seed=0)) == 0  # one class: none
    assert len(choose_pairs(torch.zeros(10, dtype=torch.long), 3, seed=0, distinct_labels=False)) == 3


def test_path_metrics_on_constructed_paths():
    a, b = torch.zeros(4), torch.ones(4)
    w = alphas(5).view(-1, 1)
    straight = (1 - w) * a + w * b  # even steps along a line
    jump = torch.stack([a, a, a, b, b])  # one abrupt step
    detour = torch.stack([a, a + 2, b + 2, b + 1, b])  # via another image
    frames = torch.stack([straight, jump, detour]).view(3, 5, 1, 2, 2)
    labels = torch.tensor([[1, 1, 1, 7, 7], [1, 1, 1, 7, 7], [1, 4, 4, 7, 7]])
    m = path_metrics(frames, labels)
    torch.testing.assert_close(m["path_length_ratio"][:2], torch.ones(2))
    assert m["path_length_ratio"][2] > 2
    torch.testing.assert_close(m["max_step_ratio"], torch.tensor([1.0, 4.0, m["max_step_ratio"][2].item()]))
    assert m["label_changes"].tolist() == [1, 1, 2]
    assert m["third_class"].tolist() == [False, False, True]  # "1 to 7 through a 4"
    # a 4 that is the true label of an end image (misread reconstruction) is not a third class
    true = torch.tensor([[1, 7], [1, 7], [1, 4]])
    assert path_metrics(frames, labels, true)["third_class"].tolist() == [False, False, False]
    torch.testing.assert_close(m["mean_step_l2"][0], torch.tensor(0.5))  # |1-0| * 2 / 4 per step


@pytest.mark.parametrize("psi", [0.5, 1.0, 2.0])
def test_truncated_normal_stays_inside_and_has_the_truncated_variance(psi):
    z = truncated_normal(20000, 8, psi, seed=0)
    assert z.shape == (20000, 8) and z.abs().max() <= psi
    assert z.mean().abs() < 0.01
    assert z.var().item() == pytest.approx(truncated_variance(psi), rel=0.02)
    assert torch.equal(z, truncated_normal(20000, 8, psi, seed=0))


def test_no_truncation_is_the_normal_and_samples_are_decoded():
    z = truncated_normal(1000, 4, None, seed=1)
    assert z.abs().max() > 2.0
    assert truncated_variance(50.0) == pytest.approx(1.0)
    g = IdentityGenerator(side=2)
    x = sample(g, 7, 4, 0.5, seed=0, batch_size=3)
    assert x.shape == (7, 1, 2, 2) and x.abs().max() <= 0.5


def test_matched_latents_share_their_draws_across_psi():
    """The truncation grid's columns: one set of uniform draws, mapped through each psi's
    inverse CDF; a finite psi gives truncated_normal's latents exactly."""
    free = matched_latents(6, 5, None, seed=3)
    assert torch.equal(matched_latents(6, 5, 0.5, seed=3), truncated_normal(6, 5, 0.5, seed=3))
    for psi in (0.25, 1.0, 2.0):
        z = matched_latents(6, 5, psi, seed=3)
        assert z.abs().max() <= psi
        assert torch.equal(torch.sign(z), torch.sign(free))  # the same draw, squeezed towards 0
        assert (z.abs() <= free.abs() + 1e-6).all()
    assert not torch.equal(free, truncated_normal(6, 5, None, seed=3))  # the table's samples use randn
    row = grid_row(IdentityGenerator(side=2), 4, 0.5, seed=0)
    assert row.shape == (8, 1, 2, 2)
    assert to_uint8(torch.tensor([-0.1, 0.0, 0.5, 1.2])).tolist() == [0, 0, 128, 255]


def test_interpolation_strips_frame_each_path_with_its_real_end_images(tmp_path):
    from advgen.plots.images import read_png
    from advgen.sweeps.figures import interpolation_strips

    frames = torch.full((2, 3, 1, 4, 4), 0.5)
    ends = torch.stack([torch.zeros(2, 1, 4, 4), torch.ones(2, 1, 4, 4)], dim=1)  # black start, white end
    labels = torch.tensor([[1, 4, 7], [2, 2, 3]])
    plain, framed = tmp_path / "plain.png", tmp_path / "framed.png"
    panel = {"title": "latent-inversion", "frames": frames, "labels": labels, "weights": [0, 0.5, 1]}
    interpolation_strips([panel], plain)
    interpolation_strips([{**panel, "ends": ends, "end_labels": torch.tensor([[1, 7], [2, 3]])}], framed)
    a, b = read_png(plain), read_png(framed)
    assert b.shape[1] > a.shape[1]  # two more columns
    two = tmp_path / "two.png"
    interpolation_strips([panel, {**panel, "title": "other"}], two)
    assert read_png(two).shape[0] > a.shape[0]  # one panel per grid point, stacked
    ink = b if b.ndim == 2 else b[..., :3].mean(-1)
    assert (ink < 0.05).any()  # the black start images are drawn (the frames are grey)


def test_similar_pairs_are_the_reports_6_8_and_1_7_in_either_order():
    from advgen.sweeps.interpolation import similar_pairs

    labels = torch.tensor([[6, 8], [8, 6], [1, 7], [7, 1], [1, 8], [6, 6], [0, 9]])
    assert similar_pairs(labels).tolist() == [True, True, True, True, False, False, False]
