"""Score a generator (or a set of real images) under a classifier: one table row.

The classifier is any ``nn.Module`` mapping images in [0, 1] to logits; its
``forward_features`` (penultimate layer) feeds the Fréchet distance when
``features="penultimate"`` (else the logits do). The reference distribution is the
dataset's training split.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch
from torch import nn

from advgen.errors import AdvgenError
from advgen.metrics.scores import frechet_distance, inception_score, mode_coverage, precision_recall

# status precedence (as in advgen.gan.status)
_ORDER = ("ok", "vanishing_gradients", "mode_collapse", "diverged")


def _batches(images: torch.Tensor, batch_size: int) -> Iterator[torch.Tensor]:
    for start in range(0, len(images), batch_size):
        yield images[start : start + batch_size]


@torch.no_grad()
def classifier_outputs(
    classifier: nn.Module,
    images: torch.Tensor,
    *,
    features: str = "penultimate",
    batch_size: int = 250,
    device: str = "cpu",
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(features, logits)`` of ``images`` (CPU tensors, float64 features)."""
    if features == "penultimate" and not hasattr(classifier, "forward_features"):
        raise AdvgenError(
            f"classifier {type(classifier).__name__} has no forward_features(); use features: logits"
        )
    classifier.eval()
    feats, logits = [], []
    for x in _batches(images, batch_size):
        x = x.to(device)
        out = classifier(x)
        logits.append(out.double().cpu())
        feats.append(
            classifier.forward_features(x).flatten(1).double().cpu()
            if features == "penultimate"
            else out.double().cpu()
        )
    return torch.cat(feats), torch.cat(logits)


@torch.no_grad()
def generate(
    generator: nn.Module, z_dim: int, n: int, *, batch_size: int = 250, seed: int = 0, device: str = "cpu"
) -> torch.Tensor:
    """``n`` samples in [0, 1] from ``generator`` with z ~ N(0, I) drawn from a seeded generator."""
    generator.eval()
    rng = torch.Generator().manual_seed(seed)
    z = torch.randn(n, z_dim, generator=rng)
    return torch.cat([generator(b.to(device)).cpu() for b in _batches(z, batch_size)]).clamp(0, 1)


def combined_status(train_status: str | None, modes: int, num_classes: int, collapse_fraction: float) -> str:
    """The training status, raised to ``mode_collapse`` when fewer than ``collapse_fraction * C`` modes."""
    status = train_status if train_status in _ORDER else "ok"
    if modes < collapse_fraction * num_classes and _ORDER.index(status) < _ORDER.index("mode_collapse"):
        status = "mode_collapse"
    return status


def quality_row(
    classifier: nn.Module,
    images: torch.Tensor,
    reference: torch.Tensor,
    *,
    features: str = "penultimate",
    is_splits: int = 10,
    seed: int = 0,
    batch_size: int = 250,
    device: str = "cpu",
    num_classes: int | None = None,
    pr_k: int = 3,
) -> dict[str, Any]:
    """FID against ``reference``, IS, mode coverage, and precision and recall of ``images`` (all in
    [0, 1]). Precision and recall (k = ``pr_k``) compare the features of ``images`` with those of
    as many reference images, drawn without replacement (seeded by ``seed``; the reference's
    whole set when it has fewer), as Kynkäänniemi et al. 2019 compare equal-sized sets; k is
    at most the set size - 1."""
    if len(images) < 2 or len(reference) < 2:
        raise AdvgenError("sample quality needs at least 2 images on each side")
    fake_f, fake_logits = classifier_outputs(
        classifier, images, features=features, batch_size=batch_size, device=device
    )
    real_f, _ = classifier_outputs(
        classifier, reference, features=features, batch_size=batch_size, device=device
    )
    is_mean, is_std = inception_score(fake_logits, is_splits, seed)
    n = min(len(real_f), len(fake_f))
    pick = torch.randperm(len(real_f), generator=torch.Generator().manual_seed(seed))[:n]
    precision, recall = precision_recall(real_f[pick], fake_f[:n], min(pr_k, n - 1))
    row = {
        "n_samples": len(images),
        "fid": frechet_distance(real_f, fake_f),
        "is_mean": is_mean,
        "is_std": is_std,
        "precision": precision,
        "recall": recall,
    }
    row.update(mode_coverage(fake_logits, num_classes))
    return row
