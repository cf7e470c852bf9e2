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

Controls and endpoint fidelity (per pair):

* ``third_class_blend``: the same third-class test on the pixel cross-fade
  ``(1 - alpha) x_0 + alpha x_K`` of the path's own end frames: how often the classifier
  names a third digit on a mere blend of the two ends, with no latent space in between;
* ``pair_l2`` (the pixel distance between the two real images, how different their shapes are)
  and ``similar_pair`` (the pair's labels are one of :data:`SIMILAR_LABELS`): the report's
  "smoother and clearer" paths between similar digits;
* ``endpoint_mse``: mean squared error of the end frames to the real images they encode or
  invert (the report: the GAN's "starting image did not resemble so much the original");
  ``endpoint_mse_other`` the same against another pair's real images (a positive control:
  end frames matched to their own images must be closer);
* ``end_approach``: minus Spearman's rank correlation between alpha and the pixel distance
  of each frame to the end frame ``G(z_end)`` (1 = every step closer: the report's "as a is
  closer to 1 ... more similar to G(z1)"); ``end_approach_other`` the same towards the end
  frame of another pair (no relation expected: about 0).
"""

from __future__ import annotations

import torch
from torch import nn

#: the report's "similar digits in similar size and shapes, for example 6 and 8 or 1 and 7", whose
#: paths it found "smoother and clearer" than those of "images with very different shapes"
SIMILAR_LABELS = ((6, 8), (1, 7))


def similar_pairs(labels: torch.Tensor) -> torch.Tensor:
    """``(P,)`` whether each pair's true labels ``(P, 2)`` are one of :data:`SIMILAR_LABELS`, in either order."""
    labels = labels.view(-1, 2).cpu()
    lo, hi = labels.min(1).values, labels.max(1).values
    out = torch.zeros(len(labels), dtype=torch.bool)
    for a, b in SIMILAR_LABELS:
        out |= (lo == min(a, b)) & (hi == max(a, b))
    return out


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


def blend_frames(frames: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """``(P, K, C, H, W)`` pixel cross-fades ``(1 - alpha) x_0 + alpha x_K`` of each path's end frames."""
    a = weights.to(frames).view(1, -1, *([1] * (frames.ndim - 2)))
    return (1.0 - a) * frames[:, :1] + a * frames[:, -1:]


def _ranks(values: torch.Tensor) -> torch.Tensor:
    return values.argsort(dim=-1).argsort(dim=-1).to(torch.float64)


def approach(frames: torch.Tensor, goal: torch.Tensor) -> torch.Tensor:
    """``(P,)`` minus Spearman's rank correlation between the frame index and each frame's L2
    distance to ``goal`` ``(P, C, H, W)`` (1: every frame closer than the one before)."""
    dist = (frames - goal.unsqueeze(1)).flatten(2).norm(dim=2).to(torch.float64)  # (P, K)
    rd = _ranks(dist)
    rk = torch.arange(dist.shape[1], dtype=torch.float64).expand_as(rd)
    rd, rk = rd - rd.mean(1, keepdim=True), rk - rk.mean(1, keepdim=True)
    corr = (rd * rk).sum(1) / (rd.norm(dim=1) * rk.norm(dim=1)).clamp_min(1e-12)
    return -corr


def endpoint_mse(frames: torch.Tensor, ends: torch.Tensor) -> torch.Tensor:
    """``(P,)`` mean squared error of the first and last frames to the real end images ``(P, 2, C, H, W)``."""
    first = (frames[:, 0] - ends[:, 0]).flatten(1).pow(2).mean(1)
    last = (frames[:, -1] - ends[:, 1]).flatten(1).pow(2).mean(1)
    return (first + last) / 2
