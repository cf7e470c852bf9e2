"""Szegedy et al.'s adversarial-pool training (training mode ``pool``).

Szegedy et al. 2014, "Intriguing properties of neural networks", Sec. 4.1: a 100-100 net
trained on MNIST with "a pool of adversarial examples, a random subset of which is
continuously replaced by newly generated adversarial examples and which is mixed into the
original training set all the time" lowered the test error from 1.6% to 1.2%.

Here the pool is a fixed-size buffer of (adversarial input, true label). Every
``refresh`` optimisation steps, the current minibatch is attacked with the current model
(``attack``: ``lbfgs``, Szegedy's own minimal-perturbation attack; or ``fgsm`` / ``pgd`` at
``eps``, far cheaper) and the examples replace random pool entries (filling it first). The
L-BFGS refill (4 values of c, 20 iterations each) solves one box-constrained problem per example
on the model's device (``solver="torch"``, :mod:`advgen.attacks.box_lbfgs`): scipy's L-BFGS-B
copies the batch to the host at every evaluation, which made a GPU run spend its time there. Each
step draws ``round(mix * batch)`` pool examples and adds them to the clean minibatch: the
loss is the cross-entropy over the union. The pool is filled with the same global RNG as
the rest of training, so a seeded run is reproducible.

Spec fields (:class:`~advgen.classifiers.spec.ClassifierSpec`, config ``classifiers.<name>``;
:data:`DEFAULTS` when unset): ``pool_size``, ``pool_refresh``, ``pool_attack``, ``pool_mix`` and
the shared ``eps``, ``pgd_steps``, ``pgd_step_factor``.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from advgen.classifiers.spec import ClassifierSpec

#: paper-independent engineering defaults (Szegedy et al. give no pool size or refresh rate)
DEFAULTS: dict[str, Any] = {"pool_size": 1000, "pool_refresh": 10, "pool_attack": "fgsm", "pool_mix": 0.5}
ATTACKS = ("lbfgs", "fgsm", "pgd")


class AdversarialPool:
    """A refreshed buffer of adversarial examples mixed into every training minibatch.

    Arguments:
        size: pool capacity (examples).
        refresh: optimisation steps between refreshes (1: every step).
        attack: ``lbfgs`` (Szegedy et al.), ``fgsm`` or ``pgd``.
        mix: pool examples per step as a fraction of the clean minibatch.
        eps: Linf budget of fgsm / pgd (ignored by lbfgs, which is unbounded).
        pgd_steps, pgd_step_factor: pgd only (step = factor * eps / steps).
    """

    def __init__(
        self,
        size: int = 1000,
        refresh: int = 10,
        attack: str = "fgsm",
        mix: float = 0.5,
        eps: float = 0.3,
        *,
        pgd_steps: int = 40,
        pgd_step_factor: float = 2.5,
    ) -> None:
        if attack not in ATTACKS:
            raise ValueError(f"pool attack must be one of {', '.join(ATTACKS)}, got {attack!r}")
        if size < 1 or refresh < 1 or not 0 < mix <= 4:
            raise ValueError(f"bad pool settings: size {size}, refresh {refresh}, mix {mix}")
        self.size, self.refresh, self.attack, self.mix, self.eps = (
            int(size),
            int(refresh),
            attack,
            float(mix),
            float(eps),
        )
        self.pgd_steps, self.pgd_step_factor = int(pgd_steps), float(pgd_step_factor)
        self.x: torch.Tensor | None = None
        self.y: torch.Tensor | None = None
        self.refreshes = 0

    @classmethod
    def from_spec(cls, spec: ClassifierSpec) -> AdversarialPool:
        """The pool of a classifier spec (``mode: pool``), :data:`DEFAULTS` for unset fields."""

        def value(field: Any, key: str) -> Any:
            return DEFAULTS[key] if field is None else field

        return cls(
            value(spec.pool_size, "pool_size"),
            value(spec.pool_refresh, "pool_refresh"),
            value(spec.pool_attack, "pool_attack"),
            value(spec.pool_mix, "pool_mix"),
            spec.eps,
            pgd_steps=spec.pgd_steps,
            pgd_step_factor=spec.pgd_step_factor,
        )

    def __len__(self) -> int:
        return 0 if self.y is None else len(self.y)

    def _adversary(self, model: nn.Module) -> Any:
        from advgen.attacks import FGSM, LBFGS, PGD

        if self.attack == "lbfgs":
            return LBFGS(model, search_steps=4, steps=20, seed=None, solver="torch")
        if self.attack == "fgsm":
            return FGSM(model, eps=self.eps, seed=None)
        return PGD(
            model,
            eps=self.eps,
            alpha=self.pgd_step_factor * self.eps / self.pgd_steps,
            steps=self.pgd_steps,
            seed=None,
        )

    def add(self, x: torch.Tensor, y: torch.Tensor) -> None:
        """Put (x, y) into the pool: append while there is room, then replace random entries."""
        x, y = x.detach(), y.detach()
        if self.x is None or self.y is None:
            self.x, self.y = x[: self.size].clone(), y[: self.size].clone()
            x, y = x[self.size :], y[self.size :]
        room = self.size - len(self.y)
        if room > 0 and len(y):
            self.x, self.y = torch.cat([self.x, x[:room]]), torch.cat([self.y, y[:room]])
            x, y = x[room:], y[room:]
        if len(y):
            slots = torch.randperm(self.size)[: len(y)].to(self.y.device)
            self.x[slots], self.y[slots] = x[: len(slots)], y[: len(slots)]

    def refill(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> None:
        """Attack (x, y) with the current model and add the adversarial examples."""
        self.add(self._adversary(model).generate(x, y), y)
        self.refreshes += 1

    def sample(self, k: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``k`` pool examples drawn uniformly with replacement (empty while the pool is)."""
        if self.x is None or self.y is None or k <= 0:
            raise ValueError("the pool is empty")
        idx = torch.randint(len(self.y), (k,)).to(self.y.device)
        return self.x[idx], self.y[idx]

    def batch_loss(
        self, model: nn.Module, xb: torch.Tensor, yb: torch.Tensor, step: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Refresh on schedule (or when empty, as after a resume), then the cross-entropy over clean batch + pool draw.

        Returns (loss, logits of the clean batch).
        """
        if step % self.refresh == 0 or not len(self):
            self.refill(model, xb, yb)
        k = max(1, round(self.mix * len(yb)))
        px, py = self.sample(k)
        logits = model(torch.cat([xb, px]))
        loss = F.cross_entropy(logits, torch.cat([yb, py]))
        return loss, logits[: len(yb)]
