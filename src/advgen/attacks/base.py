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

The helpers the attacks share live here too: argument checks (:func:`check_budget`,
:func:`check_choice`, :data:`NORMS`), per-example norms (:func:`batch_view`, :func:`l2_view`,
:data:`TINY`), the margin (:func:`margin`), the top wrong classes (:func:`top_classes`) and the
restart loop over the inputs still robust (:func:`restart_loop`).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from advgen.errors import ConfigError

#: added to a norm before dividing by it (a zero perturbation or gradient stays zero)
TINY = 1e-12
#: the distance measures of the budget attacks with a norm ball (APGD, FAB, Square, AutoAttack)
NORMS = ("linf", "l2")


def check_budget(name: str, eps: float, **counts: int) -> None:
    """One-line errors for a negative budget or a non-positive count (``n_iter=0``)."""
    if not eps >= 0 or math.isinf(eps):
        raise ConfigError(f"{name}: eps must be a finite number >= 0, got {eps!r}")
    for key, value in counts.items():
        if int(value) < 1:
            raise ConfigError(f"{name}: {key} must be >= 1, got {value!r}")


def check_choice(name: str, key: str, value: str, choices: tuple[str, ...]) -> None:
    """One-line error for an unknown norm / loss / version."""
    if value not in choices:
        raise ConfigError(f"{name}: unknown {key} {value!r} (expected one of {', '.join(choices)})")


def batch_view(t: torch.Tensor, ndim: int) -> torch.Tensor:
    """A per-example (N,) tensor shaped (N, 1, ..., 1) to broadcast over ``ndim``-dim inputs."""
    return t.view(-1, *([1] * (ndim - 1)))


def l2_view(t: torch.Tensor) -> torch.Tensor:
    """Per-example L2 norms of a batch, shaped to broadcast over it."""
    return batch_view(t.flatten(1).norm(p=2, dim=1), t.ndim)


def margin(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-example margin ``z_y - max_{i != y} z_i``: negative once misclassified (the loss of
    the Square attack, Andriushchenko et al. 2020; Carlini and Wagner 2017's f_6)."""
    col = y[:, None]
    return logits.gather(1, col).squeeze(1) - logits.scatter(1, col, -math.inf).amax(1)


@torch.no_grad()
def top_classes(model: nn.Module, x: torch.Tensor, k: int) -> torch.Tensor:
    """(N, k'): the k' = min(k, classes - 1) highest-scoring classes after the top one on
    ``x`` (the targets of APGD-T and FAB-T, Croce & Hein 2020)."""
    order = model(x).argsort(dim=1, descending=True)
    return order[:, 1 : min(k, order.shape[1] - 1) + 1]


def restart_loop(
    out: torch.Tensor,
    robust: torch.Tensor,
    n_restarts: int,
    run: Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]],
) -> None:
    """Restarts on the inputs still robust (Croce & Hein 2020's APGD and Square).

    ``run(todo)`` attacks the inputs at indices ``todo`` and returns their adversarial points
    and a fooled mask; ``out`` (the adversarial batch) and ``robust`` (bool, N) are updated in
    place, and the loop ends early once no input is robust.
    """
    for _ in range(n_restarts):
        todo = robust.nonzero().flatten()
        if todo.numel() == 0:
            return
        adv, fooled = run(todo)
        out[todo] = adv  # fooled points, else the restart's best point
        robust[todo[fooled]] = False


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
