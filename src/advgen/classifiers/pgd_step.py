"""The PGD adversarial training step (Madry et al. 2018) as a function of tensors.

Madry, Makelov, Schmidt, Tsipras and Vladu, "Towards Deep Learning Models Resistant to
Adversarial Attacks", ICLR 2018 (https://arxiv.org/abs/1706.06083): cross-entropy on a PGD
adversary with random start (:class:`advgen.attacks.PGD`, the global RNG), ``pgd_steps`` steps of
``pgd_step_factor * eps / pgd_steps``.

:func:`pgd_train_step` takes the budget and the step size as tensors, so the step never reads a
Python number that changes during training (the epsilon warm-up) and never synchronises with the
host: :class:`PgdStep` runs it through :class:`advgen.training.cuda_graphs.StaticStep`, one CUDA
graph per batch shape on a GPU (PGD-40 is 41 forward/backward passes of a small network per step,
bound by kernel launches at the paper's batch of 50). The eager step of
:func:`advgen.classifiers.training._step` calls the same function on fresh tensors.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from advgen.attacks import PGD
from advgen.classifiers.spec import ClassifierSpec
from advgen.training.cuda_graphs import StaticStep


def pgd_attack(model: nn.Module, spec: ClassifierSpec) -> PGD:
    """The training adversary of ``spec`` (``pgd_steps`` steps, one restart, the global RNG)."""
    return PGD(model, eps=float(spec.eps), steps=int(spec.pgd_steps), seed=None)


def pgd_budget(spec: ClassifierSpec, eps: float, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-example budget and step size tensors (N, 1, ..., 1) for the epsilon ``eps`` of this step
    (the step size ``pgd_step_factor * eps / pgd_steps``, rounded as :class:`PGD` rounds it)."""
    alpha = spec.pgd_step_factor * eps / int(spec.pgd_steps)
    shape = (x.shape[0],) + (1,) * (x.ndim - 1)
    eps_t = torch.full(shape, float(eps), device=x.device, dtype=x.dtype)
    return eps_t, torch.full_like(eps_t, float(alpha))


def descend(opt: torch.optim.Optimizer, loss: torch.Tensor) -> None:
    """One optimizer step down ``loss``'s gradient (gradients cleared to None first)."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def pgd_train_step(
    model: nn.Module,
    opt: torch.optim.Optimizer,
    attack: PGD,
    xb: torch.Tensor,
    yb: torch.Tensor,
    eps: torch.Tensor,
    alpha: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One PGD training step on ``(xb, yb)``: (loss, clean hits, robust hits), 0-dim tensors."""
    adv = attack.generate_budget(xb, yb, eps, alpha)
    adv_logits = model(adv)
    robust_ok = (adv_logits.argmax(1) == yb).sum()
    loss = F.cross_entropy(adv_logits, yb)
    with torch.no_grad():
        logits = model(xb)
    clean_ok = (logits.argmax(1) == yb).sum()
    descend(opt, loss)
    return loss.detach(), clean_ok, robust_ok


class PgdStep:
    """:func:`pgd_train_step` on static buffers, captured as a CUDA graph per batch shape (``capture``).

    With ``capture`` the optimizer must be graph-safe (Adam built with ``capturable=True``).
    """

    def __init__(
        self, model: nn.Module, opt: torch.optim.Optimizer, spec: ClassifierSpec, *, capture: bool
    ) -> None:
        self.model, self.opt, self.spec = model, opt, spec
        self.attack = pgd_attack(model, spec)
        self.static = StaticStep(self._step, capture=capture, name="PGD training step")

    def _step(self, xb: torch.Tensor, yb: torch.Tensor, eps: torch.Tensor, alpha: torch.Tensor) -> Any:
        return pgd_train_step(self.model, self.opt, self.attack, xb, yb, eps, alpha)

    def __call__(self, xb: torch.Tensor, yb: torch.Tensor, eps: float) -> tuple[torch.Tensor, ...]:
        """The step at epsilon ``eps``: (loss, clean hits, robust hits)."""
        return self.static(xb, yb, *pgd_budget(self.spec, eps, xb))
