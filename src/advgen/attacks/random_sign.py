"""Random sign: FGSM's step with a random sign in place of the gradient's.

The negative control of a gradient attack at an Linf budget (Goodfellow et al. 2015, Sec. 5:
an adversarial perturbation fools because it is aligned with the gradient, not because of its
size): ``x + eps * s`` with ``s`` a seeded random sign per pixel, clipped to [0, 1]. It moves
every pixel as far as FGSM does, so an FGSM error it matches is the budget's, not the attack's.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from advgen.attacks.base import Attack, AttackResult
from advgen.attacks.params import RandomSignParams


class RandomSign(Attack):
    """A random-sign perturbation at an Linf budget (the control of FGSM; Goodfellow et al. 2015).

    Arguments:
        model: maps [0, 1] inputs to logits.
        eps: Linf budget: every pixel moves by eps, up or down at random.
        params: a :class:`~advgen.attacks.params.RandomSignParams`, or its fields as arguments (none
            besides eps; the papers' defaults, ranges and descriptions are there).
        seed: seed of the signs.

    Shape:
        x: (N, C, H, W) in [0, 1]; y: (N,) int64 labels. Returns an AttackResult.

    Example:
        >>> control = RandomSign(model, eps=0.25, seed=0)(x, y)
        >>> error = 1 - control.adv_correct.float().mean()
    """

    name = "RandomSign"
    Params = RandomSignParams
    norm = "linf"

    def signs(self, x: torch.Tensor) -> torch.Tensor:
        """A random sign (+1 or -1) per pixel from the attack's generator."""
        return 2.0 * (self.rand(*x.shape, device=x.device, dtype=x.dtype) < 0.5).to(x.dtype) - 1.0

    def perturb(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return (x + self.eps * self.signs(x)).clamp(0.0, 1.0)

    def sweep(self, x: torch.Tensor, y: torch.Tensor, eps_values: Sequence[float]) -> list[AttackResult]:
        """Every budget from the same signs (the grid's points differ in size only)."""
        x, y = x.detach(), y.detach()
        self._start_generator(x.device)
        sign = self._chunked(self.signs, x)
        return [self.result(x, y, (x + float(eps) * sign).clamp(0.0, 1.0), eps) for eps in eps_values]
