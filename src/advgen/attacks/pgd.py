"""PGD: projected gradient descent on the loss, the "first-order adversary".

Madry, Makelov, Schmidt, Tsipras and Vladu, "Towards Deep Learning Models Resistant to
Adversarial Attacks", ICLR 2018 (https://arxiv.org/abs/1706.06083).

Distance measure: Linf (signed-gradient steps) or L2 (normalised-gradient steps). Starts
at a uniformly random point of the epsilon-ball (clipped to [0, 1]), takes ``steps``
steps of size ``alpha`` (default 2.5 * eps / steps, Madry et al.'s rule), projecting onto
the ball and [0, 1] after each; with ``restarts`` > 1 the per-example worst case
(misclassified first, then highest loss) is kept. An epsilon grid runs one budget at a
time (:meth:`Attack.sweep`); a budget of 0 returns the clean input without iterating (the
projection would pin every iterate there).

``early_stop`` (off by default, as in Madry et al.) is for robust-accuracy evaluation only:
an example leaves the batch at the first iterate that the model misclassifies, and that
iterate is returned (AutoAttack's APGD does the same: Croce and Hein 2020, fra31/auto-attack).
The random start is drawn for the whole batch as without it, so an example that is never
fooled follows the same iterates (up to float rounding of a smaller batch) and ends at the
same point; robust accuracy can only stay or go down (an example fooled at an intermediate
iterate counts as fooled even when the last iterate is not), and the work shrinks as
examples are fooled. Restarts then run only on the examples no earlier restart fooled. Not
for adversarial training, where the last iterate is the training input.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from advgen.attacks.base import FOOLED_BONUS, TINY, Attack, batch_view, l2_view, project, worst_case_score
from advgen.attacks.params import PGDParams


class PGD(Attack):
    """Projected gradient descent with random start and restarts (Madry et al. 2018).

    Arguments:
        model: maps [0, 1] inputs to logits.
        eps: budget (Madry et al.: 0.3 Linf on MNIST).
        params: a :class:`~advgen.attacks.params.PGDParams`, or its fields as arguments (``alpha``,
            ``steps``, ``norm``, ``random_start``, ``restarts``, ``early_stop``; the papers'
            defaults, ranges and descriptions are there).
        targeted: ``y`` holds target labels and the steps descend their cross-entropy (a
            targeted attack: success is the target predicted; Ilyas et al. 2019's D_NR).
        seed: seed of the random starts (None: global torch RNG).

    Shape:
        x: (N, C, H, W) in [0, 1]; y: (N,) int64 labels. Returns an AttackResult.

    Example:
        >>> result = PGD(model, eps=0.2, steps=40)(x, y)
    """

    name = "PGD"
    Params = PGDParams

    def __init__(
        self, model: nn.Module, eps: float | None = None, *args: Any, targeted: bool = False, **kwargs: Any
    ):
        super().__init__(model, eps, *args, **kwargs)
        self.targeted = bool(targeted)

    def _project(self, x: torch.Tensor, adv: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        return project(x, adv, eps, self.norm)

    def _start(self, x: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        if not self.random_start:
            return x.clone()
        if self.norm == "linf":
            delta = (2.0 * self.rand(*x.shape, device=x.device, dtype=x.dtype) - 1.0) * eps
        else:  # uniform in the L2 ball: random direction, radius ~ eps * U^(1/d)
            direction = self.random_unit(x)
            d = x[0].numel()
            radius = self.rand(x.shape[0], device=x.device, dtype=x.dtype).pow(1.0 / d)
            delta = direction * batch_view(radius, x.ndim) * eps
        return self._project(x, x + delta, eps)

    def _run(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        eps: torch.Tensor,
        alpha: torch.Tensor,
        skip: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """One run from a random start: (adversarial inputs, ranking score).

        With ``early_stop`` the examples in ``skip`` (fooled by an earlier restart) are not
        iterated (their start point is returned) and the others leave at their first
        misclassified iterate.
        """
        adv = self._start(x, eps)
        if self.early_stop:
            adv = self._run_early_stop(x, y, eps, alpha, adv, skip)
        else:
            for _ in range(self.steps):
                _, grad, _ = self.loss_and_grad(adv, y)
                adv = self._project(x, adv + alpha * self._direction(grad), eps)
        with torch.no_grad():
            logits = self.model(adv)
            loss = torch.nn.functional.cross_entropy(logits, y, reduction="none")
        # rank: misclassified (targeted: the target predicted) beats not, then the higher
        # loss (targeted: the lower)
        score = worst_case_score(-loss if self.targeted else loss, self._reached(logits, y))
        return adv, score

    def _reached(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Per example: misclassified (targeted: classified as its target)."""
        return logits.argmax(1) == y if self.targeted else logits.argmax(1) != y

    def _direction(self, grad: torch.Tensor) -> torch.Tensor:
        """The step direction: up the loss (targeted: down the target's loss)."""
        step = grad.sign() if self.norm == "linf" else grad / (l2_view(grad) + TINY)
        return -step if self.targeted else step

    def _run_early_stop(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        eps: torch.Tensor,
        alpha: torch.Tensor,
        start: torch.Tensor,
        skip: torch.Tensor | None,
    ) -> torch.Tensor:
        """The iterations of :meth:`_run` on the examples not yet misclassified only."""
        out = start.clone()
        idx = torch.arange(x.shape[0], device=x.device) if skip is None else (~skip).nonzero().flatten()
        adv, xs, ys, es, al = start[idx], x[idx], y[idx], eps[idx], alpha[idx]
        for _ in range(self.steps):
            _, grad, logits = self.loss_and_grad(adv, ys)
            fooled = self._reached(logits, ys)
            if bool(fooled.any()):
                out[idx[fooled]] = adv[fooled]
                keep = ~fooled
                idx, adv, grad, xs, ys, es, al = (t[keep] for t in (idx, adv, grad, xs, ys, es, al))
                if idx.numel() == 0:
                    return out
            adv = self._project(xs, adv + al * self._direction(grad), es)
        out[idx] = adv
        return out

    def budget(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The budget and step size as per-example tensors (N, 1, ..., 1) for :meth:`perturb_budget`."""
        eps = torch.full((x.shape[0],) + (1,) * (x.ndim - 1), self.eps, device=x.device, dtype=x.dtype)
        alpha = eps * 2.5 / self.steps if self.alpha is None else torch.full_like(eps, float(self.alpha))
        return eps, alpha

    def perturb(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.eps == 0:  # every iterate is projected back onto x: nothing to compute
            return x.clone()
        return self.perturb_budget(x, y, *self.budget(x))

    def perturb_budget(
        self, x: torch.Tensor, y: torch.Tensor, eps: torch.Tensor, alpha: torch.Tensor
    ) -> torch.Tensor:
        """:meth:`perturb` with the budget ``eps`` and step size ``alpha`` given as tensors that
        broadcast per example (:meth:`budget`), not read from the attack: the graph-safe form
        (:mod:`advgen.training.cuda_graphs`), whose budget can change between replays. Without
        ``early_stop`` nothing here synchronises with the host."""
        best, best_score = self._run(x, y, eps, alpha)
        for _ in range(self.restarts - 1):
            fooled = best_score >= FOOLED_BONUS if self.early_stop else None
            adv, score = self._run(x, y, eps, alpha, fooled)
            better = score > best_score
            if fooled is not None:
                better &= ~fooled
            best = torch.where(batch_view(better, x.ndim), adv, best)
            best_score = torch.where(better, score, best_score)
        return best

    def generate_budget(
        self, x: torch.Tensor, y: torch.Tensor, eps: torch.Tensor, alpha: torch.Tensor
    ) -> torch.Tensor:
        """:meth:`generate` (eval mode, the generator, the final clip) with the budget and step size
        given as tensors (:meth:`perturb_budget`); the whole batch in one chunk."""
        x, y = x.detach(), y.detach()
        with self._eval_mode():
            self._start_generator(x.device)
            adv = self.perturb_budget(x, y, eps, alpha)
        return adv.detach().clamp_(0.0, 1.0)

    def __repr__(self) -> str:
        return (
            f"PGD(eps={self.eps}, alpha={self.alpha}, steps={self.steps}, norm={self.norm!r}, "
            f"random_start={self.random_start}, restarts={self.restarts}, "
            f"early_stop={self.early_stop}{', targeted=True' if self.targeted else ''}, seed={self.seed})"
        )
