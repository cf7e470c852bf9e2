"""The attack base class: what every attack shares (torchattacks' layout).

An attack is built on a model that maps [0, 1] images to logits; calling it on a batch
returns an :class:`AttackResult`. The base class owns what the libraries' issue trackers
show is easy to get wrong:

* the model is put in eval mode while attacking and every module's previous mode is
  restored afterwards (batchnorm/dropout in train mode change the attacked function);
* adversarial inputs are clipped to [0, 1] (subclasses also clip to their epsilon-ball
  after every step, the random start included);
* randomness comes from a private generator seeded with ``seed`` (the global torch RNG
  is left untouched); ``seed=None`` draws from the global RNG (adversarial training);
* losses are computed on logits, gradients are taken w.r.t. the input only
  (``torch.autograd.grad``), so no parameter ``.grad`` is touched.

Subclasses implement :meth:`perturb` and may override :meth:`sweep` to share work
across an epsilon grid (one gradient for FGSM, one minimal perturbation for L-BFGS and
DeepFool, one grid evaluation for the spatial attack).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class AttackResult:
    """What an attack returns for a batch of N inputs.

    Attributes:
        adv: adversarial inputs in [0, 1], shape of the input.
        success: bool (N,): correctly classified before, misclassified after.
        norm: float (N,): perturbation size in the attack's own distance measure
            (``Attack.norm``: linf, l2, l0 pixels, or the spatial transform's size).
        l2, linf: float (N,): L2 and Linf norms of ``adv - x``.
        clean_correct, adv_correct: bool (N,): predictions on ``x`` and ``adv`` vs labels.
        eps: the budget the result was made under.
    """

    adv: torch.Tensor
    success: torch.Tensor
    norm: torch.Tensor
    l2: torch.Tensor
    linf: torch.Tensor
    clean_correct: torch.Tensor
    adv_correct: torch.Tensor
    eps: float


def flat_norms(delta: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-example L2 and Linf norms of a batch of perturbations."""
    flat = delta.flatten(1)
    return flat.norm(p=2, dim=1), flat.abs().amax(dim=1)


class Attack:
    """Base class of all attacks (see the module docstring).

    Arguments:
        model: maps inputs in [0, 1] (N, C, H, W) to logits.
        eps: the perturbation budget in the attack's distance measure (``norm``).
        seed: seed of the attack's private generator (None: the global torch RNG).
        batch_size: inputs attacked per chunk (None: the whole batch at once); the
            generator runs on across chunks, so results depend on (inputs, batch_size, seed).
    """

    name = "Attack"
    norm = "linf"

    def __init__(
        self, model: nn.Module, eps: float = 0.0, *, seed: int | None = 0, batch_size: int | None = None
    ):
        self.model = model
        self.eps = float(eps)
        self.seed = seed
        self.batch_size = batch_size
        self._generator: torch.Generator | None = None

    # -- what subclasses implement ------------------------------------------------------
    def perturb(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Adversarial inputs for ``x`` (model already in eval mode, generator seeded)."""
        raise NotImplementedError(f"{type(self).__name__} must implement perturb()")

    def perturbation_size(self, x: torch.Tensor, adv: torch.Tensor) -> torch.Tensor:
        """Per-example size of ``adv - x`` in the attack's distance measure."""
        l2, linf = flat_norms(adv - x)
        return l2 if self.norm == "l2" else linf

    # -- shared machinery ------------------------------------------------------------------
    @contextlib.contextmanager
    def _eval_mode(self) -> Iterator[None]:
        modes = [(m, m.training) for m in self.model.modules()]
        self.model.eval()
        try:
            yield
        finally:
            for module, training in modes:
                module.training = training

    def _start_generator(self, device: torch.device) -> None:
        if self.seed is None:
            self._generator = None
        else:
            self._generator = torch.Generator(device=device).manual_seed(int(self.seed))

    def rand(self, *shape: int, device: torch.device, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        """Uniform [0, 1) samples from the attack's generator."""
        return torch.rand(*shape, device=device, dtype=dtype, generator=self._generator)

    def randn(self, *shape: int, device: torch.device, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        """Standard normal samples from the attack's generator."""
        return torch.randn(*shape, device=device, dtype=dtype, generator=self._generator)

    def randint(self, high: int, shape: Sequence[int], device: torch.device) -> torch.Tensor:
        """Integers in [0, high) from the attack's generator."""
        return torch.randint(high, tuple(shape), device=device, generator=self._generator)

    def loss_and_grad(
        self, x: torch.Tensor, y: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Per-example cross-entropy on logits, its input gradient, and the logits."""
        x = x.detach().requires_grad_(True)
        with torch.enable_grad():
            logits = self.model(x)
            loss = F.cross_entropy(logits, y, reduction="none")
            (grad,) = torch.autograd.grad(loss.sum(), x)
        return loss.detach(), grad.detach(), logits.detach()

    @torch.no_grad()
    def predict(self, x: torch.Tensor) -> torch.Tensor:
        """Predicted labels (in chunks of ``batch_size``)."""
        step = self.batch_size or max(1, x.shape[0])
        return torch.cat([self.model(x[i : i + step]).argmax(dim=1) for i in range(0, x.shape[0], step)])

    def generate(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Adversarial inputs only (eval mode, seeding and clipping handled)."""
        x, y = x.detach(), y.detach()
        step = self.batch_size or max(1, x.shape[0])
        with self._eval_mode():
            self._start_generator(x.device)
            adv = torch.cat(
                [self.perturb(x[i : i + step], y[i : i + step]) for i in range(0, x.shape[0], step)]
            )
        return adv.detach().clamp_(0.0, 1.0)

    def __call__(self, x: torch.Tensor, y: torch.Tensor) -> AttackResult:
        """Attack a batch: adversarial inputs plus per-example success and norms."""
        adv = self.generate(x, y)
        return self.result(x, y, adv)

    def result(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        adv: torch.Tensor,
        eps: float | None = None,
        norm: torch.Tensor | None = None,
    ) -> AttackResult:
        """Evaluate ``adv`` against ``x`` (eval mode) and package an :class:`AttackResult`.

        ``norm`` overrides :meth:`perturbation_size` (the spatial attack's transform size).
        """
        with self._eval_mode():
            clean_correct = self.predict(x) == y
            adv_correct = self.predict(adv) == y
        l2, linf = flat_norms(adv - x)
        return AttackResult(
            adv=adv,
            success=clean_correct & ~adv_correct,
            norm=self.perturbation_size(x, adv) if norm is None else norm,
            l2=l2,
            linf=linf,
            clean_correct=clean_correct,
            adv_correct=adv_correct,
            eps=self.eps if eps is None else float(eps),
        )

    def sweep(self, x: torch.Tensor, y: torch.Tensor, eps_values: Sequence[float]) -> list[AttackResult]:
        """One result per budget in ``eps_values`` (the default runs them one by one)."""
        results = []
        original = self.eps
        try:
            for eps in eps_values:
                self.eps = float(eps)
                results.append(self(x, y))
        finally:
            self.eps = original
        return results

    def __repr__(self) -> str:
        return f"{type(self).__name__}(eps={self.eps}, seed={self.seed}, batch_size={self.batch_size})"


class MinimalAttack(Attack):
    """Base of minimal-perturbation attacks (L-BFGS, DeepFool): no budget while searching.

    :meth:`minimal` finds, per example, a small perturbation that changes the label; with a
    finite ``eps`` an example counts as attacked only when it is fooled within ``eps``
    (otherwise the clean input is returned), so robust accuracy at ``eps`` is the share of
    examples whose minimal perturbation exceeds ``eps``. A sweep searches once.
    """

    norm = "l2"

    def __init__(
        self, model: nn.Module, eps: float = math.inf, *, seed: int | None = 0, batch_size: int | None = None
    ):
        super().__init__(model, eps, seed=seed, batch_size=batch_size)

    def minimal(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Per-example minimal adversarial inputs (the clean input where none is found)."""
        raise NotImplementedError(f"{type(self).__name__} must implement minimal()")

    def perturb(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        adv = self.minimal(x, y).clamp(0.0, 1.0)
        return self._within(x, y, adv, self.eps)

    def _within(self, x: torch.Tensor, y: torch.Tensor, adv: torch.Tensor, eps: float) -> torch.Tensor:
        fooled = (self.predict(adv) != y) & (self.perturbation_size(x, adv) <= eps)
        return torch.where(fooled.view(-1, *([1] * (x.ndim - 1))), adv, x)

    def sweep(self, x: torch.Tensor, y: torch.Tensor, eps_values: Sequence[float]) -> list[AttackResult]:
        """Search once without a budget, then keep per budget the examples fooled within it."""
        original = self.eps
        self.eps = math.inf
        try:
            adv = self.generate(x, y)
        finally:
            self.eps = original
        with self._eval_mode():
            kept = [self._within(x, y, adv, float(eps)) for eps in eps_values]
        return [self.result(x, y, a, eps) for a, eps in zip(kept, eps_values, strict=True)]
