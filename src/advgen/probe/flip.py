"""How much does it take to make a discriminator call a real image fake?

D is read as a two-class classifier (:class:`RealFakeClassifier`): "real" when its score
exceeds 0.5 on the scale of the GAN loss's targets -- ``sigmoid(logit)`` for the
cross-entropy losses (logit > 0), the raw output for the least-squares loss (Mao et al.
2017, targets 0 and 1). PGD (Madry et al. 2018) on that classifier with label "real"
pushes the score down. :func:`flip_eps` finds, for every image at once, the smallest Linf
budget under which PGD flips it, by bisection on a per-image budget.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from advgen.attacks import PGD

REAL, FAKE = 1, 0


def real_margin(loss: str, output: torch.Tensor) -> torch.Tensor:
    """Signed distance of D's output from its real/fake boundary (> 0: "real")."""
    return output - 0.5 if loss == "mse" else output


def real_score(loss: str, output: torch.Tensor) -> torch.Tensor:
    """D's output on the targets' scale (1 = real, 0 = fake)."""
    return output if loss == "mse" else torch.sigmoid(output)


class RealFakeClassifier(nn.Module):
    """Logits ``[-m/2, m/2]`` for classes (fake, real), ``m`` the :func:`real_margin`."""

    def __init__(self, discriminator: nn.Module, loss: str) -> None:
        super().__init__()
        self.discriminator = discriminator
        self.loss = loss

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m = real_margin(self.loss, self.discriminator(x)).view(-1, 1)
        return torch.cat([-m / 2, m / 2], dim=1)


class BudgetPGD(PGD):
    """PGD with one Linf budget per example (``eps``: a ``(N,)`` tensor); the whole batch at once."""

    def __init__(self, model: nn.Module, eps: torch.Tensor, *, steps: int = 40, seed: int | None = 0) -> None:
        super().__init__(model, float(eps.max()), steps=steps, seed=seed)
        self.budgets = eps

    def perturb(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if len(self.budgets) != len(x):
            raise ValueError(f"{len(self.budgets)} budgets for {len(x)} examples")
        eps = self.budgets.to(x).view(-1, *([1] * (x.ndim - 1)))
        adv, _ = self._run(x, y, eps, eps * 2.5 / self.steps)
        return adv


@torch.no_grad()
def _is_real(model: RealFakeClassifier, x: torch.Tensor) -> torch.Tensor:
    return model(x).argmax(1) == REAL


def flip_eps(
    model: RealFakeClassifier,
    x: torch.Tensor,
    *,
    eps_max: float = 0.5,
    search_steps: int = 10,
    steps: int = 40,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per image, the smallest Linf eps in ``(0, eps_max]`` under which PGD makes D say "fake".

    Images D already calls fake get 0; images still "real" at ``eps_max`` get ``inf``.
    Bisection keeps ``hi`` flipped and ``lo`` not flipped for every image, so the answer is
    within ``eps_max / 2**search_steps`` of the boundary PGD finds.

    Returns:
        ``(eps, adv)``: ``(N,)`` float64 budgets and the adversarial images found at them
        (the clean image where none was found).
    """
    model.eval()
    n = len(x)
    y = torch.full((n,), REAL, dtype=torch.long, device=x.device)
    real = _is_real(model, x)
    lo = torch.zeros(n, dtype=x.dtype, device=x.device)
    hi = torch.full((n,), float(eps_max), dtype=x.dtype, device=x.device)
    adv_best = x.clone()
    adv = BudgetPGD(model, hi, steps=steps, seed=seed).generate(x, y)
    flipped = real & ~_is_real(model, adv)
    adv_best[flipped] = adv[flipped]
    for _ in range(search_steps):
        mid = (lo + hi) / 2
        adv = BudgetPGD(model, mid, steps=steps, seed=seed).generate(x, y)
        now = flipped & ~_is_real(model, adv)
        hi = torch.where(now, mid, hi)
        lo = torch.where(flipped & ~now, mid, lo)
        adv_best[now] = adv[now]
    eps = torch.where(flipped, hi, torch.full_like(hi, math.inf)).double()
    eps[~real] = 0.0
    return eps.cpu(), adv_best
