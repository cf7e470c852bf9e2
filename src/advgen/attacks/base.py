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
:func:`check_choice`, :data:`NORMS`; an attack's parameters are checked by their dataclass,
:mod:`advgen.attacks.params`), per-example norms (:func:`batch_view`, :func:`l2_view`,
:func:`norm_of`, :data:`TINY`) and the projection onto the budget's ball (:func:`project`),
the margin (:func:`margin`, :func:`other_classes`), the ranking of candidates
(:func:`worst_case_score`), input gradients (:func:`loss_and_input_grad`; per class:
:func:`class_gradients`), the top wrong classes (:func:`top_classes`) and the target-major
copies that attack them in one batch (:func:`stack_targets`, :func:`copies`,
:func:`pick_copy`), the restart loop over the inputs still robust (:func:`restart_loop`; one
pass: :func:`attack_robust`) and its minimal-perturbation form (:func:`restart_smallest`; the
three in :mod:`advgen.attacks.restarts`), and the eval-mode context (:func:`eval_mode`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import torch
import torch.nn.functional as F
from torch import nn

from advgen.attacks.fields import AttackParams
from advgen.attacks.restarts import Run, restart_loop
from advgen.errors import ConfigError

#: added to a norm before dividing by it (a zero perturbation or gradient stays zero)
TINY = 1e-12


def check_budget(name: str, eps: float, **counts: int) -> None:
    """One-line errors for a negative budget or a non-positive count (``n_iter=0``)."""
    if not eps >= 0 or math.isinf(eps):
        raise ConfigError(f"{name}: eps must be a finite number >= 0, got {eps!r}")
    for key, value in counts.items():
        if int(value) < 1:
            raise ConfigError(f"{name}: {key} must be >= 1, got {value!r}")


def batch_view(t: torch.Tensor, ndim: int) -> torch.Tensor:
    """A per-example (N,) tensor shaped (N, 1, ..., 1) to broadcast over ``ndim``-dim inputs."""
    return t.view(-1, *([1] * (ndim - 1)))


def norm_of(delta: torch.Tensor, norm: str) -> torch.Tensor:
    """Per-example size (N,) of a batch of perturbations: L2 for ``"l2"``, else Linf."""
    flat = delta.flatten(1)
    return flat.norm(p=2, dim=1) if norm == "l2" else flat.abs().amax(dim=1)


def l2_view(t: torch.Tensor) -> torch.Tensor:
    """Per-example L2 norms of a batch, shaped to broadcast over it."""
    return batch_view(norm_of(t, "l2"), t.ndim)


def project(x: torch.Tensor, adv: torch.Tensor, eps: float | torch.Tensor, norm: str) -> torch.Tensor:
    """``adv`` projected onto the ``norm`` ball of radius ``eps`` around ``x`` (a number, or a
    tensor broadcasting per example), then clipped to [0, 1] (PGD's and APGD's projection)."""
    delta = adv - x
    if norm == "linf":
        delta = delta.clamp(-eps, eps)
    else:
        delta = delta * torch.clamp(eps / (l2_view(delta) + TINY), max=1.0)
    return (x + delta).clamp(0.0, 1.0)


def other_classes(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``logits`` with each label's entry set to -inf: the scores of the classes other than ``y``."""
    return logits.scatter(1, y[:, None], -math.inf)


def margin(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-example margin ``z_y - max_{i != y} z_i``: negative once misclassified (the loss of
    the Square attack, Andriushchenko et al. 2020; Carlini and Wagner 2017's f_6)."""
    return logits.gather(1, y[:, None]).squeeze(1) - other_classes(logits, y).amax(1)


#: the bonus :func:`worst_case_score` gives a fooled candidate (above any loss)
FOOLED_BONUS = 1e6


def worst_case_score(loss: torch.Tensor, fooled: torch.Tensor) -> torch.Tensor:
    """The score that ranks candidates per example: fooled first, then the higher ``loss``
    (PGD's restarts, the spatial attack's grid)."""
    return loss + fooled.to(loss.dtype) * FOOLED_BONUS


def loss_and_input_grad(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-example loss on logits (``loss_fn(logits, y)``, default cross-entropy), its input
    gradient (of the sum; no parameter ``.grad`` is touched) and the logits, all detached."""
    x = x.detach().requires_grad_(True)
    with torch.enable_grad():
        logits = model(x)
        loss = F.cross_entropy(logits, y, reduction="none") if loss_fn is None else loss_fn(logits, y)
        (grad,) = torch.autograd.grad(loss.sum(), x)
    return loss.detach(), grad.detach(), logits.detach()


def class_gradients(
    model: nn.Module, x: torch.Tensor, classes: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits (N, K) and their input gradients (N, K, ...), one backward pass per class: of
    every class, or of ``classes`` (N, K) per example (DeepFool's and FAB's linearisation)."""
    x = x.detach().requires_grad_(True)
    with torch.enable_grad():
        logits = model(x)
        if classes is not None:
            logits = logits.gather(1, classes)
        k = logits.shape[1]
        grads = [torch.autograd.grad(logits[:, j].sum(), x, retain_graph=j < k - 1)[0] for j in range(k)]
    return logits.detach(), torch.stack(grads, dim=1)


@torch.no_grad()
def top_classes(model: nn.Module, x: torch.Tensor, k: int) -> torch.Tensor:
    """(N, k'): the k' = min(k, classes - 1) highest-scoring classes after the top one on
    ``x`` (the targets of APGD-T and FAB-T, Croce & Hein 2020)."""
    order = model(x).argsort(dim=1, descending=True)
    return order[:, 1 : min(k, order.shape[1] - 1) + 1]


def copies(t: torch.Tensor, k: int) -> torch.Tensor:
    """``k`` copies of a batch stacked copy-major: row ``j * N + i`` is copy j of row i."""
    return t.repeat(k, *([1] * (t.ndim - 1)))


def pick_copy(t: torch.Tensor, pick: torch.Tensor) -> torch.Tensor:
    """From a copy-major batch (k * N, ...) (see :func:`copies`), row ``i`` of copy ``pick[i]``."""
    n = pick.numel()
    return t.view(-1, n, *t.shape[1:])[pick, torch.arange(n, device=pick.device)]


def stack_targets(targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """For targets (N, k): the target and the input id of each of the k * N target-major copies
    (row ``j * N + i``: input i with its j-th target; see :func:`copies`)."""
    n, k = targets.shape
    return targets.T.reshape(-1), torch.arange(n, device=targets.device).repeat(k)


@contextlib.contextmanager
def eval_mode(model: nn.Module) -> Iterator[None]:
    """``model`` in eval mode for the block; every module's previous mode is restored after."""
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        yield
    finally:
        for module, training in modes:
            module.training = training


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
    return norm_of(delta, "l2"), norm_of(delta, "linf")


class Attack:
    """Base class of all attacks (see the module docstring).

    Arguments:
        model: maps inputs in [0, 1] (N, C, H, W) to logits.
        eps: the perturbation budget in the attack's distance measure (``norm``); None: the
            paper's, ``Params.eps``.
        *args, **kwargs: the attack's parameters, the fields of its ``Params`` dataclass
            (:mod:`advgen.attacks.params`: defaults, descriptions, ranges), positional ones in
            the fields' order; each value is checked once, there (one-line ``ConfigError``).
        params: the ``Params`` instance itself, instead of ``args`` and ``kwargs``. Its fields
            are also the attack's attributes (``attack.steps``).
        seed: seed of the attack's private generator (None: the global torch RNG).
        batch_size: inputs attacked per chunk (None: the whole batch at once); the
            generator runs on across chunks, so results depend on (inputs, batch_size, seed).
    """

    name = "Attack"
    norm = "linf"
    #: the dataclass of the attack's parameters (:mod:`advgen.attacks.params`)
    Params: ClassVar[type[AttackParams]] = AttackParams
    #: a budget must be finite and >= 0 when the attack is built (:func:`check_budget`)
    finite_budget: ClassVar[bool] = False

    def __init__(
        self,
        model: nn.Module,
        eps: float | None = None,
        *args: Any,
        params: AttackParams | None = None,
        seed: int | None = 0,
        batch_size: int | None = None,
        **kwargs: Any,
    ):
        if params is None:
            params = self.Params.of(*args, **kwargs)
        elif args or kwargs or type(params) is not self.Params:
            raise TypeError(f"{self.name}: params must be a {self.Params.__name__}, without other parameters")
        self.params = params
        for f in dataclasses.fields(params):  # the parameters read as attributes (torchattacks' style)
            setattr(self, f.name, getattr(params, f.name))
        self.model = model
        self.eps = float(self.Params.eps if eps is None else eps)
        if self.finite_budget:
            check_budget(self.name, self.eps)
        self.seed = seed
        self.batch_size = batch_size
        self._generator: torch.Generator | None = None

    if TYPE_CHECKING:  # the parameters' attributes, set from ``params`` above

        def __getattr__(self, name: str) -> Any: ...

    # -- what subclasses implement ------------------------------------------------------
    def perturb(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Adversarial inputs for ``x`` (model already in eval mode, generator seeded)."""
        raise NotImplementedError(f"{type(self).__name__} must implement perturb()")

    def perturbation_size(self, x: torch.Tensor, adv: torch.Tensor) -> torch.Tensor:
        """Per-example size of ``adv - x`` in the attack's distance measure."""
        return norm_of(adv - x, self.norm)

    # -- shared machinery ------------------------------------------------------------------
    def _eval_mode(self) -> contextlib.AbstractContextManager[None]:
        return eval_mode(self.model)

    @contextlib.contextmanager
    def _budget(self, eps: float) -> Iterator[None]:
        """``self.eps = eps`` for the block; the previous budget is restored after."""
        original = self.eps
        self.eps = float(eps)
        try:
            yield
        finally:
            self.eps = original

    def _chunked(self, fn: Callable[..., torch.Tensor], *batch: torch.Tensor) -> torch.Tensor:
        """``fn`` over chunks of ``batch_size`` rows of the tensors in ``batch``, concatenated."""
        n = batch[0].shape[0]
        step = self.batch_size or max(1, n)
        return torch.cat([fn(*(t[i : i + step] for t in batch)) for i in range(0, n, step)])

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

    def random_unit(self, x: torch.Tensor) -> torch.Tensor:
        """Per example a random point of norm 1 in ``self.norm``, from the attack's generator:
        Linf: uniform in [-1, 1] scaled to max |t| = 1; L2: a Gaussian direction
        (Croce & Hein 2020's random starts; PGD's L2 direction)."""
        if self.norm == "linf":
            t = 2.0 * self.rand(*x.shape, device=x.device, dtype=x.dtype) - 1.0
            return t / batch_view(norm_of(t, "linf"), x.ndim)
        t = self.randn(*x.shape, device=x.device, dtype=x.dtype)
        return t / (l2_view(t) + TINY)

    def loss_and_grad(
        self, x: torch.Tensor, y: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Per-example cross-entropy on logits, its input gradient, and the logits."""
        return loss_and_input_grad(self.model, x, y)

    @torch.no_grad()
    def predict(self, x: torch.Tensor) -> torch.Tensor:
        """Predicted labels (in chunks of ``batch_size``)."""
        return self._chunked(lambda xs: self.model(xs).argmax(dim=1), x)

    def generate(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Adversarial inputs only (eval mode, seeding and clipping handled)."""
        x, y = x.detach(), y.detach()
        with self._eval_mode():
            self._start_generator(x.device)
            adv = self._chunked(self.perturb, x, y)
        return adv.detach().clamp_(0.0, 1.0)

    def _restarted(self, x: torch.Tensor, y: torch.Tensor, n_restarts: int, run: Run) -> torch.Tensor:
        """``x`` with the inputs classified correctly attacked by ``run`` in up to ``n_restarts``
        restarts (:func:`restart_loop`); the clean inputs at a zero budget."""
        out = x.clone()
        if self.eps == 0:
            return out
        restart_loop(out, self.predict(x) == y, n_restarts, run)
        return out

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
        for eps in eps_values:
            with self._budget(eps):
                results.append(self(x, y))
        return results

    def __repr__(self) -> str:
        return f"{type(self).__name__}(eps={self.eps}, seed={self.seed}, batch_size={self.batch_size})"


class RestartedAttack(Attack):
    """Base of attacks made of restarted runs (APGD, Square): :meth:`perturb` restarts
    :meth:`run` ``n_restarts`` times on the inputs not yet fooled (:meth:`Attack._restarted`)."""

    n_restarts: int

    def run(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One run on ``(x, y)``: (adversarial inputs, fooled mask)."""
        raise NotImplementedError(f"{type(self).__name__} must implement run()")

    def perturb(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self._restarted(x, y, self.n_restarts, lambda todo: self.run(x[todo], y[todo]))


class MinimalAttack(Attack):
    """Base of minimal-perturbation attacks (L-BFGS, DeepFool): no budget while searching.

    :meth:`minimal` finds, per example, a small perturbation that changes the label; with a
    finite ``eps`` an example counts as attacked only when it is fooled within ``eps``
    (otherwise the clean input is returned), so robust accuracy at ``eps`` is the share of
    examples whose minimal perturbation exceeds ``eps``. A sweep searches once.
    """

    norm = "l2"

    def minimal(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Per-example minimal adversarial inputs (the clean input where none is found)."""
        raise NotImplementedError(f"{type(self).__name__} must implement minimal()")

    def perturb(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        adv = self.minimal(x, y).clamp(0.0, 1.0)
        return self._within(x, y, adv, self.eps)

    def _within(self, x: torch.Tensor, y: torch.Tensor, adv: torch.Tensor, eps: float) -> torch.Tensor:
        fooled = (self.predict(adv) != y) & (self.perturbation_size(x, adv) <= eps)
        return torch.where(batch_view(fooled, x.ndim), adv, x)

    def sweep(self, x: torch.Tensor, y: torch.Tensor, eps_values: Sequence[float]) -> list[AttackResult]:
        """Search once without a budget, then keep per budget the examples fooled within it."""
        with self._budget(math.inf):
            adv = self.generate(x, y)
        with self._eval_mode():
            kept = [self._within(x, y, adv, float(eps)) for eps in eps_values]
        return [self.result(x, y, a, eps) for a, eps in zip(kept, eps_values, strict=True)]
