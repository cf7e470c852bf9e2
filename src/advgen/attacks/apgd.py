"""APGD: Auto-PGD, step-size-free projected gradient ascent (Croce & Hein 2020, Alg. 1).

Croce and Hein, "Reliable evaluation of adversarial robustness with an ensemble of diverse
parameter-free attacks", ICML 2020 (https://arxiv.org/abs/2003.01690).

Distance measure: Linf or L2. Starts at a random point on the epsilon-sphere (clipped to
[0, 1]) with step size 2 * eps, takes momentum steps (alpha = 0.75), and at the checkpoints
p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06) halves an example's
step size and restarts it from its best point when fewer than rho = 0.75 of the steps since
the last checkpoint raised its loss, or when the step was not halved last time and the best
loss did not improve (the paper's conditions 1 and 2; fra31/auto-attack's ``autopgd_base``
counts them with the same integer checkpoint lengths used here). Losses: cross-entropy or
the DLR loss ``-(z_y - max_{i != y} z_i) / (z_pi1 - z_pi3)`` (the paper's Eq. 4).

Examples that are fooled leave the batch (their adversarial point is kept), so the work
shrinks as the attack succeeds; the surviving examples follow exactly the same iterates.
"""

from __future__ import annotations

from typing import ClassVar

import torch
import torch.nn.functional as F

from advgen.attacks.base import (
    TINY,
    RestartedAttack,
    batch_view,
    l2_view,
    loss_and_input_grad,
    project,
)
from advgen.attacks.fields import AttackParams
from advgen.attacks.params import APGDParams


def dlr_loss(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-example DLR loss (paper Eq. 4); higher means closer to misclassification."""
    z, _ = logits.sort(dim=1)
    c = logits.shape[1]
    true = logits.gather(1, y[:, None]).squeeze(1)
    top_is_true = logits.argmax(1) == y
    other = torch.where(top_is_true, z[:, -2], z[:, -1])
    return -(true - other) / (z[:, -1] - z[:, -min(3, c)] + TINY)


def dlr_targeted_loss(logits: torch.Tensor, y: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Per-example targeted DLR loss (paper Eq. 5): ``-(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2)``."""
    z, _ = logits.sort(dim=1)
    c = logits.shape[1]
    true = logits.gather(1, y[:, None]).squeeze(1)
    tgt = logits.gather(1, target[:, None]).squeeze(1)
    return -(true - tgt) / (z[:, -1] - 0.5 * (z[:, -min(3, c)] + z[:, -min(4, c)]) + TINY)


def checkpoints(n_iter: int) -> list[int]:
    """Iterations at which the step size is checked: the paper's p_j * n_iter.

    In integers as in fra31/auto-attack: the first period is 0.22 n, each next one 0.03 n
    shorter, never below 0.06 n (for n = 100: 22, 41, 57, 70, 80, 87, 93, 99).
    """
    period, shortest, shrink = (
        max(int(0.22 * n_iter), 1),
        max(int(0.06 * n_iter), 1),
        max(int(0.03 * n_iter), 1),
    )
    out, at = [], period
    while at <= n_iter:
        out.append(at)
        period = max(period - shrink, shortest)
        at += period
    return out


class APGD(RestartedAttack):
    """Auto-PGD with cross-entropy or DLR loss (Croce & Hein 2020, Algorithm 1).

    Arguments:
        model: maps [0, 1] inputs to logits.
        eps: budget (AutoAttack's MNIST setting: 0.3 Linf).
        params: a :class:`~advgen.attacks.params.APGDParams`, or its fields as arguments (``norm``,
            ``loss``, ``n_iter``, ``n_restarts``, ``rho``, ``momentum``, ``eot_iter``; the papers'
            defaults, ranges and descriptions are there).
        seed: seed of the random starts (None: global torch RNG).

    Shape:
        x: (N, C, H, W) in [0, 1]; y: (N,) int64 labels. Returns an AttackResult.

    Example:
        >>> result = APGD(model, eps=0.3, loss="ce", n_iter=100)(x, y)
    """

    name = "APGD"
    Params: ClassVar[type[AttackParams]] = APGDParams  # APGDT's: APGDTParams

    finite_budget = True
    compact = True  # iterate on the inputs not yet fooled only

    # -- the loss --------------------------------------------------------------------------
    def _loss(self, logits: torch.Tensor, y: torch.Tensor, target: torch.Tensor | None) -> torch.Tensor:
        if target is not None:
            return dlr_targeted_loss(logits, y, target)
        if self.loss == "dlr":
            return dlr_loss(logits, y)
        return F.cross_entropy(logits, y, reduction="none")

    def _grad(
        self, x: torch.Tensor, y: torch.Tensor, target: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Loss, input gradient (EOT mean over ``eot_iter`` draws) and logits of the last draw."""
        grad = torch.zeros_like(x)
        loss = torch.zeros(x.shape[0], device=x.device, dtype=x.dtype)
        for _ in range(self.eot_iter):
            per, g, logits = loss_and_input_grad(self.model, x, y, lambda z, t: self._loss(z, t, target))
            grad += g
            loss += per
        return loss / self.eot_iter, grad / self.eot_iter, logits

    # -- geometry --------------------------------------------------------------------------
    def _project(self, x: torch.Tensor, adv: torch.Tensor) -> torch.Tensor:
        return project(x, adv, self.eps, self.norm)

    def _start(self, x: torch.Tensor) -> torch.Tensor:
        return self._project(x, x + self.eps * self.random_unit(x))

    def _step(
        self, x: torch.Tensor, adv: torch.Tensor, grad: torch.Tensor, step: torch.Tensor
    ) -> torch.Tensor:
        if self.norm == "linf":
            return self._project(x, adv + step * grad.sign())
        return self._project(x, adv + step * grad / (l2_view(grad) + TINY))

    # -- the checks of Algorithm 1 -----------------------------------------------------------
    def _leaving(self, fooled: torch.Tensor, group: torch.Tensor | None) -> torch.Tensor:
        """Rows that leave the batch: the ``fooled`` ones and the rows sharing a ``group`` id
        with one of them (none with ``compact = False``)."""
        if not self.compact:
            return torch.zeros_like(fooled)
        if group is None:
            return fooled
        return fooled | torch.isin(group, group[fooled])

    def _stalled(
        self,
        k: int,
        improved: torch.Tensor,
        reduced_last: torch.Tensor,
        best_at_last: torch.Tensor,
        best_loss: torch.Tensor,
    ) -> torch.Tensor:
        """Examples whose step size halves at a checkpoint ``k`` steps after the last one: fewer
        than rho * k steps raised the loss (condition 1), or the step was not halved last time
        and the best loss did not improve (condition 2)."""
        return (improved <= k * self.rho) | (~reduced_last & (best_at_last >= best_loss))

    # -- one run (Algorithm 1) ---------------------------------------------------------------
    def run(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        target: torch.Tensor | None = None,
        group: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """One APGD run from a random start: (adversarial inputs, fooled mask).

        Per example a misclassified iterate is returned, else the highest-loss one.
        ``target`` switches to the targeted DLR loss (APGD-T); rows sharing a ``group`` id
        (copies of one input with different targets) all stop once one of them is fooled.
        With ``compact = False`` fooled rows keep iterating (fra31/auto-attack's behaviour,
        kept as the benchmark's baseline).
        """
        n, nd = x.shape[0], x.ndim
        out = self._start(x)
        loss, grad, logits = self._grad(out, y, target)
        fooled = logits.argmax(1) != y
        done = self._leaving(fooled.clone(), group)
        checks = set(checkpoints(self.n_iter))
        # state of the still-active examples (idx maps them to the batch)
        idx = torch.arange(n, device=x.device)
        adv, adv_old = out.clone(), out.clone()
        best, best_loss, best_grad = out.clone(), loss.clone(), grad.clone()
        step = torch.full((n,), 2.0 * self.eps, device=x.device, dtype=x.dtype)
        improved = torch.zeros(
            n, device=x.device, dtype=x.dtype
        )  # steps that raised the loss since last check
        prev_loss = loss.clone()
        reduced_last = torch.ones(n, dtype=torch.bool, device=x.device)
        best_at_last = loss.clone()
        last_check = 0
        for i in range(self.n_iter):
            keep = ~done
            if not bool(keep.all()):
                state = (idx, adv, adv_old, best, best_loss, best_grad, grad, step, improved, prev_loss)
                idx, adv, adv_old, best, best_loss, best_grad, grad, step, improved, prev_loss = (
                    t[keep] for t in state
                )
                reduced_last, best_at_last = reduced_last[keep], best_at_last[keep]
            if idx.numel() == 0:
                break
            xs, ys = x[idx], y[idx]
            ts = None if target is None else target[idx]
            a = self.momentum if i > 0 else 1.0
            z = self._step(xs, adv, grad, batch_view(step, nd))
            new = self._project(xs, adv + a * (z - adv) + (1.0 - a) * (adv - adv_old))
            adv_old, adv = adv, new
            loss, grad, logits = self._grad(adv, ys, ts)
            done = logits.argmax(1) != ys
            if bool(done.any()):
                out[idx[done]] = adv[done]
                fooled[idx[done]] = True
            done = self._leaving(done, None if group is None else group[idx])
            improved += (loss > prev_loss).to(x.dtype)
            prev_loss = loss
            up = loss > best_loss
            best = torch.where(batch_view(up, nd), adv, best)
            best_grad = torch.where(batch_view(up, nd), grad, best_grad)
            best_loss = torch.where(up, loss, best_loss)
            if i + 1 in checks:
                halve = self._stalled(i + 1 - last_check, improved, reduced_last, best_at_last, best_loss)
                reduced_last, best_at_last = halve, best_loss.clone()
                step = torch.where(halve, step / 2.0, step)
                adv = torch.where(batch_view(halve, nd), best, adv)
                grad = torch.where(batch_view(halve, nd), best_grad, grad)
                improved = torch.zeros_like(improved)
                last_check = i + 1
        if idx.numel():  # examples never fooled: their highest-loss point
            never = ~fooled[idx]
            out[idx[never]] = best[never]
        return out, fooled

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(eps={self.eps}, norm={self.norm!r}, loss={self.loss!r}, n_iter={self.n_iter}, "
            f"n_restarts={self.n_restarts}, eot_iter={self.eot_iter}, seed={self.seed})"
        )
