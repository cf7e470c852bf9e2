"""Latent interpolation between pairs of images (GAN exercise report, "Non-Adversarial
Networks - Q1": ``G(a * z1 + (1 - a) * z2)`` for ``a`` in 0, 0.125, ..., 1).

A path starts at ``z_start`` (``alpha = 0``) and ends at ``z_end`` (``alpha = 1``):
``z(alpha) = (1 - alpha) * z_start + alpha * z_end`` (the report's formula with
``z1 = z_end``, ``z2 = z_start``). Latents come from the autoencoder's encoder or from
inversion (GAN).

Smoothness of a decoded path ``x_0 .. x_K`` (pixel space, per pair):

* ``path_length_ratio = sum_k ||x_{k+1} - x_k|| / ||x_K - x_0||`` (1 = a straight line
  between the end frames; detours through other images make it larger),
* ``max_step_ratio = max_k ||x_{k+1} - x_k|| / mean_k ||x_{k+1} - x_k||`` (1 = even steps;
  one abrupt jump makes it approach K),
* ``label_changes``: how often the classifier's label changes along the path, and
  ``third_class``: an interior frame labelled neither as the start frame nor as the end
  frame, nor (when given) with the true label of either image (the report's "1 to 7
  through a perfect 4").
"""

from __future__ import annotations

import torch
from torch import nn


def alphas(num: int) -> torch.Tensor:
    """``num`` evenly spaced mixing weights from 0 to 1 (report: 9, i.e. steps of 0.125)."""
    if num < 2:
        raise ValueError("an interpolation needs at least 2 alphas")
    return torch.linspace(0.0, 1.0, num)


def choose_pairs(
    labels: torch.Tensor, num_pairs: int, *, seed: int, distinct_labels: bool = True
) -> torch.Tensor:
    """``(P, 2)`` seeded pairs of example indices; with ``distinct_labels`` the two differ in label.

    Draws a random permutation and pairs consecutive entries, skipping (with
    ``distinct_labels``) candidates whose labels match; fewer than ``num_pairs`` pairs come
    back only when the labels do not allow more.
    """
    rng = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(labels), generator=rng).tolist()
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for i in order:
        if len(pairs) == num_pairs:
            break
        if i in used:
            continue
        for j in order:
            if j != i and j not in used and (not distinct_labels or labels[j] != labels[i]):
                pairs.append((i, j))
                used.update((i, j))
                break
    return torch.tensor(pairs, dtype=torch.long).view(-1, 2)


def latent_path(z_start: torch.Tensor, z_end: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """``(P, K, z_dim)`` codes ``(1 - alpha) * z_start + alpha * z_end`` for each pair and alpha."""
    a = weights.to(z_start).view(1, -1, 1)
    return (1.0 - a) * z_start.unsqueeze(1) + a * z_end.unsqueeze(1)


@torch.no_grad()
def decode_paths(generator: nn.Module, paths: torch.Tensor) -> torch.Tensor:
    """Frames ``(P, K, C, H, W)`` of the codes ``(P, K, z_dim)`` (one batched forward pass)."""
    p, k, d = paths.shape
    frames = generator(paths.reshape(p * k, d))
    return frames.view(p, k, *frames.shape[1:])


def path_metrics(
    frames: torch.Tensor, labels: torch.Tensor, true_labels: torch.Tensor | None = None
) -> dict[str, torch.Tensor]:
    """Smoothness of each path (see the module docstring).

    Args:
        frames: ``(P, K, C, H, W)`` decoded paths.
        labels: ``(P, K)`` classifier labels of the frames.
        true_labels: optional ``(P, 2)`` labels of the start and end images; an interior
            frame with one of them is not a third class.

    Returns:
        Per-pair tensors ``(P,)``: ``mean_step_l2``, ``path_length_ratio``,
        ``max_step_ratio``, ``label_changes``, ``third_class``.
    """
    steps = (frames[:, 1:] - frames[:, :-1]).flatten(2).norm(dim=2)  # (P, K-1)
    direct = (frames[:, -1] - frames[:, 0]).flatten(1).norm(dim=1)
    mean_step = steps.mean(1)
    known = torch.cat([labels[:, :1], labels[:, -1:]] + ([] if true_labels is None else [true_labels]), dim=1)
    interior = labels[:, 1:-1]
    third = (interior.unsqueeze(2) != known.unsqueeze(1)).all(2)  # (P, K-2)
    return {
        "mean_step_l2": mean_step,
        "path_length_ratio": steps.sum(1) / direct.clamp_min(1e-12),
        "max_step_ratio": steps.max(1).values / mean_step.clamp_min(1e-12),
        "label_changes": (labels[:, 1:] != labels[:, :-1]).sum(1),
        "third_class": third.any(1),
    }
