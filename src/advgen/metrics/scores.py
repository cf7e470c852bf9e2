"""Sample-quality scores computed from a classifier's features and logits.

* Fréchet distance (FID, Heusel et al. 2017, arXiv:1706.08500) between Gaussian fits of
  two feature sets; with a dataset's own classifier as the feature network it is the
  "Fréchet classifier distance".
* Inception Score (Salimans et al. 2016, arXiv:1606.03498): exp E[KL(p(y|x) || p(y))],
  mean and std over ``splits``; here with the dataset's classifier instead of Inception.
* Mode coverage: histogram of predicted classes; a class is a mode when it holds at least
  1 / (2C) of the samples; KL(histogram || uniform); mean max-probability (confidence).
* Improved precision and recall (Kynkäänniemi et al. 2019, arXiv:1904.06991): k-NN balls
  around each feature vector approximate the real and the generated manifolds; precision is
  the share of generated samples inside the real manifold (fidelity), recall the share of
  real images inside the generated one (diversity). A collapsed generator keeps precision and
  loses recall.

FID and IS follow torchmetrics' ``FrechetInceptionDistance`` / ``InceptionScore``
formulas exactly (float64; a test checks the values against torchmetrics with a custom
``feature`` module). They are computed here because importing torchmetrics costs
seconds of CPU per job.
"""

from __future__ import annotations

from typing import Any

import torch


def _gaussian(features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    x = features.double()
    mean = x.mean(dim=0)
    centred = x - mean
    return mean, centred.T @ centred / (len(x) - 1)


def frechet_distance(real_features: torch.Tensor, fake_features: torch.Tensor) -> float:
    """FID between two feature sets ``(N, F)``: |mu1 - mu2|² + tr(S1 + S2 - 2 (S1 S2)^½)."""
    if len(real_features) < 2 or len(fake_features) < 2:
        raise ValueError("the Fréchet distance needs at least 2 samples per set")
    mu1, s1 = _gaussian(real_features)
    mu2, s2 = _gaussian(fake_features)
    trace_sqrt = torch.linalg.eigvals(s1 @ s2).sqrt().real.sum()
    fid = (mu1 - mu2).square().sum() + s1.trace() + s2.trace() - 2 * trace_sqrt
    return max(float(fid), 0.0)


def inception_score(logits: torch.Tensor, splits: int = 10, seed: int = 0) -> tuple[float, float]:
    """(mean, std) of the Inception Score of class ``logits`` ``(N, C)`` over ``splits``
    random (seeded) splits."""
    splits = max(1, min(splits, len(logits)))
    perm = torch.randperm(len(logits), generator=torch.Generator().manual_seed(seed))
    x = logits.double()[perm]
    scores = []
    for chunk in x.chunk(splits, dim=0):
        p, log_p = chunk.softmax(dim=1), chunk.log_softmax(dim=1)
        marginal = p.mean(dim=0, keepdim=True)
        scores.append((p * (log_p - marginal.log())).sum(dim=1).mean().exp())
    s = torch.stack(scores)
    return float(s.mean()), float(s.std()) if len(s) > 1 else 0.0


def mode_coverage(logits: torch.Tensor, num_classes: int | None = None) -> dict[str, Any]:
    """Class histogram of ``logits`` ``(N, C)`` and the mode statistics derived from it."""
    c = int(num_classes or logits.shape[1])
    probs = logits.double().softmax(dim=1)
    hist = torch.bincount(probs.argmax(dim=1), minlength=c).double() / len(probs)
    nonzero = hist > 0
    kl = float((hist[nonzero] * (hist[nonzero] * c).log()).sum())
    return {
        "modes": int((hist >= 1.0 / (2 * c)).sum()),
        "kl_uniform": kl,
        "mean_max_prob": float(probs.max(dim=1).values.mean()),
        "min_class_fraction": float(hist.min()),
        "class_fractions": [float(v) for v in hist],
        "num_classes": c,
    }


def knn_radii(features: torch.Tensor, k: int = 3) -> torch.Tensor:
    """The distance of every row of ``features`` ``(N, F)`` to its ``k``-th nearest other row."""
    if not 1 <= k < len(features):
        raise ValueError(f"k-NN radii need 1 <= k < {len(features)} samples, got k = {k}")
    x = features.double()
    d = torch.cdist(x, x, compute_mode="donot_use_mm_for_euclid_dist")
    return d.kthvalue(k + 1, dim=1).values  # the first is the row itself (distance 0)


def precision_recall(
    real_features: torch.Tensor, fake_features: torch.Tensor, k: int = 3
) -> tuple[float, float]:
    """(precision, recall) of ``fake_features`` against ``real_features`` (Kynkäänniemi et al.
    2019, k = 3): precision, the share of fake rows within the k-NN radius of some real row;
    recall, the share of real rows within the k-NN radius of some fake row. Exact Euclidean
    distances in float64; equal-sized sets compare as in the paper."""
    real, fake = real_features.double(), fake_features.double()
    d = torch.cdist(fake, real, compute_mode="donot_use_mm_for_euclid_dist")  # (fake, real)
    precision = (d <= knn_radii(real, k).unsqueeze(0)).any(dim=1).double().mean()
    recall = (d.T <= knn_radii(fake, k).unsqueeze(0)).any(dim=1).double().mean()
    return float(precision), float(recall)
