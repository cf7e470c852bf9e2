"""One-pixel attack: differential evolution over a few (row, column, value) triples.

Su, Vargas and Sakurai, "One pixel attack for fooling deep neural networks", IEEE
Transactions on Evolutionary Computation 2019 (https://arxiv.org/abs/1710.08864).

Distance measure: L0 in pixels; ``eps`` is the number of pixels changed (0, 1, 3, 5, ...).
Each candidate sets ``eps`` pixels (all channels) to new values; DE/rand/1 with scale
``F`` evolves a population per image, the fitness being the true class's probability
(black-box: only outputs are used). The whole population of every image still standing
is evaluated as one batch; an image leaves the search once fooled. In a sweep an image
fooled with fewer pixels stays fooled with more, so robust accuracy cannot increase.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from advgen.attacks.base import Attack, AttackResult, batch_view
from advgen.attacks.params import OnePixelParams


class OnePixel(Attack):
    """Untargeted few-pixel attack by differential evolution (Su et al. 2019).

    Arguments:
        model: maps [0, 1] inputs to logits.
        eps: number of pixels changed (paper: 1, 3, 5).
        params: a :class:`~advgen.attacks.params.OnePixelParams`, or its fields as arguments
            (``population``, ``steps``, ``scale``, ``eval_batch``; the papers' defaults, ranges and
            descriptions are there).
        seed: seed of the evolution.

    Shape:
        x: (N, C, H, W) in [0, 1]; y: (N,) int64 labels. Returns an AttackResult.
    """

    name = "OnePixel"
    Params = OnePixelParams
    norm = "l0"

    def perturbation_size(self, x: torch.Tensor, adv: torch.Tensor) -> torch.Tensor:
        """Number of pixel positions where any channel changed."""
        return (adv != x).any(dim=1).flatten(1).sum(dim=1).to(x.dtype)

    def _apply(self, x: torch.Tensor, cand: torch.Tensor) -> torch.Tensor:
        """Images (N*P, C, H, W) with each candidate's pixels set; cand is (N, P, d, 2 + C)."""
        n, p, d, _ = cand.shape
        c, h, w = x.shape[1:]
        rows = cand[..., 0].clamp(0, h - 1).long()
        cols = cand[..., 1].clamp(0, w - 1).long()
        pos = (rows * w + cols).view(n * p, 1, d).expand(n * p, c, d)
        values = cand[..., 2:].reshape(n * p, d, c).transpose(1, 2).clamp(0.0, 1.0)
        images = x.unsqueeze(1).expand(n, p, c, h, w).reshape(n * p, c, h * w).clone()
        images.scatter_(2, pos, values)
        return images.view(n * p, c, h, w)

    @torch.no_grad()
    def _fitness(
        self, x: torch.Tensor, y: torch.Tensor, cand: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """True-class probability and 'fooled' flag per candidate, shape (N, P)."""
        n, p = cand.shape[:2]
        images = self._apply(x, cand)
        labels = y.repeat_interleave(p)
        probs, fooled = [], []
        for i in range(0, n * p, self.eval_batch):
            logits = self.model(images[i : i + self.eval_batch])
            probs.append(logits.softmax(1).gather(1, labels[i : i + self.eval_batch, None]).squeeze(1))
            fooled.append(logits.argmax(1) != labels[i : i + self.eval_batch])
        return torch.cat(probs).view(n, p), torch.cat(fooled).view(n, p)

    def _bounds(self, x: torch.Tensor) -> torch.Tensor:
        c, h, w = x.shape[1:]
        return torch.tensor([h - 1e-3, w - 1e-3] + [1.0] * c, device=x.device, dtype=x.dtype)

    @torch.no_grad()
    def perturb(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        d = int(round(self.eps))
        if d <= 0:
            return x.clone()
        n, p = x.shape[0], self.population
        upper = self._bounds(x)
        pop = self.rand(n, p, d, upper.numel(), device=x.device, dtype=x.dtype) * upper
        fit, fooled = self._fitness(x, y, pop)
        adv = x.clone()
        active = ~fooled.any(1) & (self.predict(x) == y)
        for _ in range(self.steps):
            idx = torch.nonzero(active).flatten()
            if idx.numel() == 0:
                break
            parents = pop[idx]
            m = len(idx)
            pick = self.randint(p, (m, p, 3), device=x.device)
            a, b, c = (
                torch.gather(parents, 1, pick[..., k, None, None].expand(-1, -1, d, upper.numel()))
                for k in range(3)
            )
            trial = a + self.scale * (b - c)
            trial = torch.remainder(trial, upper)  # wrap into the bounds (keeps diversity at the edges)
            trial_fit, trial_fooled = self._fitness(x[idx], y[idx], trial)
            better = trial_fit < fit[idx]
            pop[idx] = torch.where(better[..., None, None], trial, parents)
            fit[idx] = torch.where(better, trial_fit, fit[idx])
            fooled[idx] = torch.where(better, trial_fooled, fooled[idx])
            active[idx] = ~fooled[idx].any(1)
        # the fooling candidate if any, else the fittest one
        score = fit - fooled.to(fit.dtype) * 2.0
        best = pop[torch.arange(n, device=x.device), score.argmin(1)]
        adv = self._apply(x, best[:, None]).view_as(x)
        return adv

    def sweep(self, x: torch.Tensor, y: torch.Tensor, eps_values: Sequence[float]) -> list[AttackResult]:
        """Budgets in increasing order; an image fooled with fewer pixels keeps that example."""
        order = sorted(range(len(eps_values)), key=lambda i: float(eps_values[i]))
        results: dict[int, AttackResult] = {}
        kept = x.clone()
        kept_fooled = torch.zeros(x.shape[0], dtype=torch.bool, device=x.device)
        for i in order:
            with self._budget(eps_values[i]):
                adv = self.generate(x, y)
                with self._eval_mode():
                    fooled = self.predict(adv) != y
                adv = torch.where(batch_view(kept_fooled, x.ndim), kept, adv)
                kept, kept_fooled = adv, kept_fooled | fooled
                results[i] = self.result(x, y, adv, self.eps)
        return [results[i] for i in range(len(eps_values))]

    def __repr__(self) -> str:
        return (
            f"OnePixel(eps={self.eps}, population={self.population}, steps={self.steps}, "
            f"scale={self.scale}, seed={self.seed})"
        )
