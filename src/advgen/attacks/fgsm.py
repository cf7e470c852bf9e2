"""FGSM: the fast gradient sign method.

Goodfellow, Shlens and Szegedy, "Explaining and Harnessing Adversarial Examples",
ICLR 2015 (https://arxiv.org/abs/1412.6572).

Distance measure: Linf. One step ``x + eps * sign(grad_x J(theta, x, y))``, clipped to
[0, 1]. Over an epsilon grid one gradient serves every budget (:meth:`FGSM.sweep`).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from advgen.attacks.base import Attack, AttackResult
from advgen.attacks.params import FGSMParams


class FGSM(Attack):
    """Fast gradient sign method (Goodfellow et al. 2015).

    Arguments:
        model: maps [0, 1] inputs to logits.
        eps: Linf budget (Goodfellow et al. use 0.25 on MNIST; 0.3 in Madry et al.).
        params: a :class:`~advgen.attacks.params.FGSMParams`, or its fields as arguments (none
            besides eps; the papers' defaults, ranges and descriptions are there).
        seed: unused (FGSM is deterministic); kept for the common interface.

    Shape:
        x: (N, C, H, W) in [0, 1]; y: (N,) int64 labels. Returns an AttackResult.

    Example:
        >>> result = FGSM(model, eps=0.1)(x, y)
        >>> robust_acc = result.adv_correct.float().mean()
    """

    name = "FGSM"
    Params = FGSMParams
    norm = "linf"

    def perturb(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        _, grad, _ = self.loss_and_grad(x, y)
        return (x + self.eps * grad.sign()).clamp(0.0, 1.0)

    def sweep(self, x: torch.Tensor, y: torch.Tensor, eps_values: Sequence[float]) -> list[AttackResult]:
        """Every budget from the same gradient (one backward pass for the whole grid)."""
        x, y = x.detach(), y.detach()
        with self._eval_mode():
            sign = self._chunked(lambda xs, ys: self.loss_and_grad(xs, ys)[1].sign(), x, y)
        return [self.result(x, y, (x + float(eps) * sign).clamp(0.0, 1.0), eps) for eps in eps_values]
