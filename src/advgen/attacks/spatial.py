"""Spatial attack: the worst rotation + translation on a grid, or one random transform.

Engstrom, Tran, Tsipras, Schmidt and Madry, "Exploring the Landscape of Spatial
Robustness", ICML 2019 (https://arxiv.org/abs/1712.02779; first titled "A Rotation and a
Translation Suffice").

Distance measure: the transform's size relative to the largest one,
``max(|theta| / max_rotation, |tx| / max_translation, |ty| / max_translation)``; ``eps`` in
[0, 1] allows the grid points of size <= eps (eps 0: identity only, eps 1: the whole
grid). Every grid transform is applied with ``torch.nn.functional.affine_grid`` /
``grid_sample`` (zero padding) to every image in batches, and per image the worst case
(misclassified first, then highest loss) among the allowed transforms is kept; a sweep
evaluates the grid once for all budgets.

``random=True`` is Engstrom et al.'s random adversary instead (their "Random" column): each
image gets one rotation and translation drawn uniformly from the allowed range (seeded; the
same draws scaled by ``eps`` at every budget), with no search and no use of the label.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F

from advgen.attacks.base import TINY, Attack, AttackResult, batch_view, worst_case_score
from advgen.attacks.params import SpatialParams


class Spatial(Attack):
    """Grid search over rotations and translations (Engstrom et al. 2019).

    Arguments:
        model: maps [0, 1] inputs to logits.
        eps: share of the grid's range allowed (0..1).
        params: a :class:`~advgen.attacks.params.SpatialParams`, or its fields as arguments
            (``max_rotation``, ``max_translation``, ``rotations``, ``translations``, ``eval_batch``,
            ``random``; the papers' defaults, ranges and descriptions are there).
        seed: seed of the random transforms (the grid search is deterministic).

    Shape:
        x: (N, C, H, W) in [0, 1]; y: (N,) int64 labels. Returns an AttackResult.
    """

    name = "Spatial"
    Params = SpatialParams
    norm = "spatial"

    def grid(self) -> torch.Tensor:
        """The (T, 3) grid of (degrees, tx pixels, ty pixels), identity included."""
        angles = torch.linspace(-self.max_rotation, self.max_rotation, self.rotations)
        shifts = torch.linspace(-self.max_translation, self.max_translation, self.translations)
        grid = torch.cartesian_prod(angles, shifts, shifts)
        identity = torch.zeros(1, 3)
        return torch.cat([identity, grid[grid.abs().sum(1) > 0]])

    def sizes(self, grid: torch.Tensor) -> torch.Tensor:
        """Each transform's size in the attack's distance measure."""
        rot = grid[:, 0].abs() / max(self.max_rotation, TINY)
        shift = grid[:, 1:].abs().amax(1) / max(self.max_translation, TINY)
        return torch.maximum(rot, shift)

    @staticmethod
    def transform(x: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        """Rotate (degrees) and translate (pixels) each image by its row of ``params`` (N, 3)."""
        theta = params[:, 0] * math.pi / 180.0
        cos, sin = torch.cos(theta), torch.sin(theta)
        h, w = x.shape[-2:]
        tx, ty = params[:, 1] * 2.0 / w, params[:, 2] * 2.0 / h
        matrix = torch.stack([torch.stack([cos, -sin, tx], 1), torch.stack([sin, cos, ty], 1)], 1)
        sample_grid = F.affine_grid(matrix.to(x.dtype), list(x.shape), align_corners=False)
        return F.grid_sample(x, sample_grid, mode="bilinear", padding_mode="zeros", align_corners=False)

    @torch.no_grad()
    def _scores(self, x: torch.Tensor, y: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
        """Score (N, T): loss, plus a large bonus where the transform fools the model."""
        n, t = x.shape[0], grid.shape[0]
        scores = torch.empty(n, t, device=x.device, dtype=x.dtype)
        per = max(1, self.eval_batch // max(n, 1))
        for j in range(0, t, per):
            g = grid[j : j + per].to(x.device, x.dtype)
            k = g.shape[0]
            images = self.transform(x.repeat(k, 1, 1, 1), g.repeat_interleave(n, 0))
            logits = self.model(images)
            labels = y.repeat(k)
            loss = F.cross_entropy(logits, labels, reduction="none")
            scores[:, j : j + k] = worst_case_score(loss, logits.argmax(1) != labels).view(k, n).T
        return scores

    def _random(
        self, x: torch.Tensor, eps_values: Sequence[float]
    ) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """One uniform draw per image in [-1, 1]^3, scaled to each budget's range."""
        self._start_generator(x.device)
        unit = self.rand(x.shape[0], 3, device=x.device, dtype=x.dtype) * 2.0 - 1.0
        scale = torch.tensor([self.max_rotation, self.max_translation, self.max_translation]).to(x)
        out = []
        with self._eval_mode():
            for eps in eps_values:
                params = unit * scale * float(eps)
                adv = self._chunked(self.transform, x, params) if eps > 0 else x.clone()
                out.append((adv.clamp(0.0, 1.0), self.sizes(params)))
        return out

    def _attack(
        self, x: torch.Tensor, y: torch.Tensor, eps_values: Sequence[float]
    ) -> list[tuple[torch.Tensor, torch.Tensor]]:
        if self.random:
            return self._random(x, eps_values)
        grid = self.grid()
        sizes = self.sizes(grid).to(x.device, x.dtype)
        with self._eval_mode():
            scores = self._chunked(lambda xs, ys: self._scores(xs, ys, grid), x, y)
            out = []
            for eps in eps_values:
                allowed = sizes <= float(eps) + 1e-9
                masked = scores.masked_fill(~allowed[None, :], -math.inf)
                choice = masked.argmax(1)  # the identity (index 0) is always allowed
                params = grid.to(x.device, x.dtype)[choice]
                adv = self._chunked(self.transform, x, params)
                adv = torch.where(batch_view(choice == 0, x.ndim), x, adv).clamp(0.0, 1.0)
                out.append((adv, sizes[choice]))
        return out

    def perturb(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self._attack(x, y, [self.eps])[0][0]

    def __call__(self, x: torch.Tensor, y: torch.Tensor) -> AttackResult:
        return self.sweep(x, y, [self.eps])[0]

    def sweep(self, x: torch.Tensor, y: torch.Tensor, eps_values: Sequence[float]) -> list[AttackResult]:
        """Every budget from one evaluation of the grid."""
        x, y = x.detach(), y.detach()
        pairs = self._attack(x, y, eps_values)
        return [
            self.result(x, y, adv, eps, norm=size) for (adv, size), eps in zip(pairs, eps_values, strict=True)
        ]

    def __repr__(self) -> str:
        return (
            f"Spatial(eps={self.eps}, max_rotation={self.max_rotation}, max_translation={self.max_translation}, "
            f"rotations={self.rotations}, translations={self.translations}, random={self.random})"
        )
