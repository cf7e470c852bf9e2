"""Sample-quality metrics: FID, IS, mode coverage, precision and recall on constructed cases."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from advgen.metrics.evaluate import combined_status, generate, quality_row
from advgen.metrics.scores import (
    frechet_distance,
    inception_score,
    knn_radii,
    mode_coverage,
    precision_recall,
)


class TinyClassifier(nn.Module):
    """Classifies 1x4x4 images by which quadrant is brightest (4 classes)."""

    def __init__(self) -> None:
        super().__init__()
        self.head = nn.Linear(4, 4, bias=False)
        with torch.no_grad():
            self.head.weight.copy_(20 * torch.eye(4))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.avg_pool2d(x, 2).flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.forward_features(x))


def quadrant_images(classes: torch.Tensor, noise: float = 0.05, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(len(classes), 1, 4, 4, generator=g) * noise
    for i, c in enumerate(classes.tolist()):
        r, col = divmod(c, 2)
        x[i, 0, 2 * r : 2 * r + 2, 2 * col : 2 * col + 2] += 0.9
    return x.clamp(0, 1)


class OneClassGenerator(nn.Module):
    z_dim = 3

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return quadrant_images(torch.full((len(z),), 2), seed=int(z.abs().sum() * 1000) % 1000)


def test_fid_of_a_set_with_itself_is_about_zero_and_grows_with_a_shift():
    feats = torch.randn(500, 8, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert frechet_distance(feats, feats) == pytest.approx(0.0, abs=1e-6)
    shifted = feats + 1.0  # mean shift of 1 per dimension: FID = 8
    assert frechet_distance(feats, shifted) == pytest.approx(8.0, rel=1e-6)


@pytest.mark.slow  # importing torchmetrics takes seconds
@pytest.mark.filterwarnings(r"ignore:std\(\)")
def test_scores_match_torchmetrics_with_a_custom_feature_module():
    from torchmetrics.image.fid import FrechetInceptionDistance
    from torchmetrics.image.inception import InceptionScore

    class Passthrough(nn.Identity):
        num_features = 6

    g = torch.Generator().manual_seed(3)
    a, b = torch.randn(300, 6, generator=g).double(), (torch.randn(200, 6, generator=g) * 1.5 + 0.3).double()
    fid = FrechetInceptionDistance(feature=Passthrough(), normalize=False)
    fid.update(a, real=True)
    fid.update(b, real=False)
    assert frechet_distance(a, b) == pytest.approx(float(fid.compute()), rel=1e-5)
    metric = InceptionScore(feature=Passthrough(), splits=1, normalize=False)
    metric.update(b)
    assert inception_score(b, splits=1)[0] == pytest.approx(float(metric.compute()[0]), rel=1e-6)


def test_inception_score_bounds():
    confident = torch.eye(4).repeat(25, 1) * 50  # uniform over classes, each sample certain
    assert inception_score(confident, splits=1) == pytest.approx((4.0, 0.0), abs=1e-4)
    mean, std = inception_score(confident, splits=5)  # random splits are not exactly balanced
    assert 3.5 < mean <= 4.0 and std >= 0
    constant = torch.zeros(100, 4)
    assert inception_score(constant, splits=1)[0] == pytest.approx(1.0)


def test_mode_coverage_one_class_and_uniform():
    one = torch.zeros(100, 10)
    one[:, 3] = 9.0
    cov = mode_coverage(one)
    assert cov["modes"] == 1 and cov["kl_uniform"] == pytest.approx(math.log(10))
    assert cov["class_fractions"][3] == 1.0 and cov["min_class_fraction"] == 0.0
    uniform = torch.eye(10).repeat(10, 1) * 30
    cov = mode_coverage(uniform)
    assert cov["modes"] == 10 and cov["kl_uniform"] == pytest.approx(0.0, abs=1e-12)
    assert cov["mean_max_prob"] > 0.99


def test_mode_threshold_is_half_of_uniform_mass():
    # 4 classes: threshold 1/8 of the samples; class 3 has 12 of 100 -> not a mode
    labels = torch.tensor([0] * 30 + [1] * 30 + [2] * 28 + [3] * 12)
    cov = mode_coverage(torch.nn.functional.one_hot(labels, 4).double() * 10)
    assert cov["modes"] == 3


def test_quality_row_real_vs_itself_and_one_class_generator():
    clf = TinyClassifier()
    real = quadrant_images(torch.arange(400) % 4)
    row = quality_row(clf, real, real, is_splits=4)
    assert row["fid"] == pytest.approx(0.0, abs=1e-6) and row["modes"] == 4
    assert row["is_mean"] == pytest.approx(4.0, rel=0.05) and row["mean_max_prob"] > 0.95
    samples = generate(OneClassGenerator(), 3, 200, batch_size=64, seed=1)
    bad = quality_row(clf, samples, real, is_splits=4)
    assert bad["modes"] == 1 and bad["is_mean"] == pytest.approx(1.0, abs=0.05)
    assert bad["fid"] > 0.1 and bad["kl_uniform"] == pytest.approx(math.log(4))
    assert combined_status("ok", bad["modes"], 4, 0.5) == "mode_collapse"
    assert combined_status("diverged", bad["modes"], 4, 0.5) == "diverged"
    assert combined_status("vanishing_gradients", 4, 4, 0.5) == "vanishing_gradients"


def test_generate_is_seeded_and_in_unit_range():
    g = nn.Sequential(nn.Linear(3, 16), nn.Unflatten(1, (1, 4, 4)))
    a, b = generate(g, 3, 10, seed=5), generate(g, 3, 10, seed=5)
    assert torch.equal(a, b) and a.min() >= 0 and a.max() <= 1


def _cloud(n: int, centre: float, seed: int, dim: int = 8) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return centre + torch.randn(n, dim, generator=g, dtype=torch.float64)


def test_knn_radius_is_the_distance_to_the_kth_other_point():
    x = torch.tensor([[0.0], [1.0], [3.0], [7.0]])
    assert knn_radii(x, 1).tolist() == [1.0, 1.0, 2.0, 4.0]
    assert knn_radii(x, 3).tolist() == [7.0, 6.0, 4.0, 7.0]
    with pytest.raises(ValueError, match="k-NN radii need"):
        knn_radii(x, 4)


def test_precision_recall_identical_disjoint_and_collapsed_sets():
    """Kynkäänniemi et al. 2019: the same set is inside its own manifold (1, 1); a set far from
    the real one is in none (0, 0); a collapsed set (every sample near one real point) keeps
    precision and loses recall."""
    real = _cloud(400, 0.0, seed=0)
    assert precision_recall(real, real.clone(), k=3) == (1.0, 1.0)
    far = _cloud(400, 100.0, seed=1)
    assert precision_recall(real, far, k=3) == (0.0, 0.0)
    collapsed = real[:1] + 0.01 * _cloud(400, 0.0, seed=2)  # one mode of the real data
    precision, recall = precision_recall(real, collapsed, k=3)
    assert precision == 1.0 and recall < 0.05
    # a second draw of the same distribution: both high, neither perfect
    precision, recall = precision_recall(real, _cloud(400, 0.0, seed=3), k=3)
    assert 0.6 < precision < 1.0 and 0.6 < recall < 1.0


def test_quality_row_has_precision_and_recall():
    clf = TinyClassifier()
    real = quadrant_images(torch.arange(400) % 4)
    row = quality_row(clf, real[:200], real, is_splits=4, seed=0)
    assert 0.8 < row["precision"] <= 1.0 and 0.8 < row["recall"] <= 1.0
    samples = generate(OneClassGenerator(), 3, 200, batch_size=64, seed=1)
    bad = quality_row(clf, samples, real, is_splits=4)
    assert bad["recall"] < 0.3  # one class of four
