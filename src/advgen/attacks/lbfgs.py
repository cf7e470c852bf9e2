"""L-BFGS: Szegedy et al.'s box-constrained minimal perturbation.

Szegedy, Zaremba, Sutskever, Bruna, Erhan, Goodfellow and Fergus, "Intriguing properties
of neural networks", ICLR 2014 (https://arxiv.org/abs/1312.6199).

Distance measure: L2. For a target label l, minimise ``c * ||r||^2 + loss_f(x + r, l)``
subject to ``x + r`` in [0, 1] with box-constrained L-BFGS
(``scipy.optimize.minimize(method="L-BFGS-B")``, bounds as a ``Bounds`` of arrays), searching
``c`` per example: a larger ``c`` asks for a smaller ``r``, so ``c`` grows (x10 until a
failure bounds it, then bisection) while the label still changes and shrinks when it does
not; the smallest successful perturbation is kept. Batched: the objective is a sum of
per-example terms, each with its own ``c``, optimised in one L-BFGS-B problem on the host
(``solver="scipy"``, the default), or as one problem per example on the model's device
(``solver="torch"``: :mod:`advgen.attacks.box_lbfgs`, no copy to the host per evaluation).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from advgen.attacks.base import MinimalAttack, batch_view, other_classes
from advgen.attacks.box_lbfgs import minimize_unit_box_batched
from advgen.attacks.params import LBFGSParams


def minimize_unit_box(
    fun_and_grad: Callable[[np.ndarray], tuple[float, np.ndarray]], x0: np.ndarray, maxiter: int
) -> np.ndarray:
    """Minimise ``fun_and_grad`` (value and gradient at a float64 vector) over [0, 1]^n from
    ``x0`` with at most ``maxiter`` L-BFGS-B iterations (scipy's defaults otherwise); returns
    the last iterate. scipy is imported here, by the attack's first solve only."""
    from scipy.optimize import Bounds, minimize

    x0 = np.asarray(x0, dtype=np.float64).ravel()
    bounds = Bounds(np.zeros_like(x0), np.ones_like(x0))
    options = {"maxiter": int(maxiter)}
    return minimize(fun_and_grad, x0, jac=True, method="L-BFGS-B", bounds=bounds, options=options).x


class LBFGS(MinimalAttack):
    """Box-constrained L-BFGS attack (Szegedy et al. 2014), batched, per-example search on c.

    Arguments:
        model: maps [0, 1] inputs to logits.
        eps: L2 budget; inf (default) returns the minimal perturbation found.
        params: a :class:`~advgen.attacks.params.LBFGSParams`, or its fields as arguments
            (``c_init``, ``search_steps``, ``steps``, ``target``, ``solver``; the papers' defaults,
            ranges and descriptions are there).
        seed: seed of the random targets.

    Shape:
        x: (N, C, H, W) in [0, 1]; y: (N,) int64 labels. Returns an AttackResult.

    Example:
        >>> result = LBFGS(model, search_steps=8)(x, y)   # minimal perturbations
    """

    name = "LBFGS"
    Params = LBFGSParams

    def _targets(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.target == "runner_up":
            return other_classes(logits, y).argmax(1)
        shift = self.randint(logits.shape[1] - 1, y.shape, device=y.device) + 1
        return (y + shift) % logits.shape[1]

    def _optimise(self, x: torch.Tensor, t: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        if self.solver == "torch":
            return self._optimise_on_device(x, t, c)
        shape, device, dtype = x.shape, x.device, x.dtype
        x0 = x.detach().cpu().double().numpy().ravel()
        c_view = batch_view(c, x.ndim)

        def objective(flat: np.ndarray) -> tuple[float, np.ndarray]:
            adv = torch.from_numpy(flat).to(device=device, dtype=dtype).view(shape).requires_grad_(True)
            with torch.enable_grad():
                r = adv - x
                loss = (c_view * r.pow(2)).sum() + F.cross_entropy(self.model(adv), t, reduction="sum")
                (grad,) = torch.autograd.grad(loss, adv)
            return float(loss.detach()), grad.detach().cpu().double().numpy().ravel()

        adv = minimize_unit_box(objective, x0, self.steps)
        return torch.from_numpy(adv).to(device=device, dtype=dtype).view(shape).clamp(0.0, 1.0)

    def _optimise_on_device(self, x: torch.Tensor, t: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """Each example's ``c * ||r||^2 + loss_f(x + r, l)`` minimised on its own, on x's device."""
        dims = tuple(range(1, x.ndim))

        def objective(adv: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
            r = adv - x[rows]
            loss = F.cross_entropy(self.model(adv), t[rows], reduction="none")
            return c[rows] * r.pow(2).sum(dims) + loss

        return minimize_unit_box_batched(objective, x, self.steps)

    def minimal(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            logits = self.model(x)
        t = self._targets(logits, y)
        n = x.shape[0]
        c = torch.full((n,), self.c_init, device=x.device, dtype=x.dtype)
        lo = torch.zeros_like(c)
        hi = torch.full_like(c, math.inf)
        best = x.clone()
        best_norm = torch.full_like(c, math.inf)
        attackable = logits.argmax(1) == y
        for _ in range(self.search_steps):
            adv = self._optimise(x, t, c)
            with torch.no_grad():
                fooled = (self.model(adv).argmax(1) != y) & attackable
            norm = self.perturbation_size(x, adv)
            better = fooled & (norm < best_norm)
            best[better], best_norm[better] = adv[better], norm[better]
            lo = torch.where(fooled, c, lo)
            hi = torch.where(fooled, hi, c)
            c = torch.where(torch.isinf(hi), c * 10.0, (lo + hi) / 2.0)
        return best

    def __repr__(self) -> str:
        return (
            f"LBFGS(eps={self.eps}, c_init={self.c_init}, search_steps={self.search_steps}, "
            f"steps={self.steps}, target={self.target!r}, seed={self.seed}"
            + (f", solver={self.solver!r})" if self.solver != "scipy" else ")")
        )
