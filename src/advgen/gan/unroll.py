"""Unrolled GAN updates (Metz et al. 2016, "Unrolled Generative Adversarial Networks",
arXiv:1611.02163).

Before a generator step, the discriminator is trained ``k`` further steps ("fake
training"), the generator steps against the unrolled D, then D and its optimizer are
restored. Two variants:

* first order (the report's method, :func:`restored`): the unrolled D is a constant for
  the G step; costs ~(k+1) D steps per G step.
* second order (:func:`second_order_generator_loss`): D's unrolled parameters are computed
  functionally with ``torch.func`` as a differentiable function of G (Adam updates
  included), so G's gradient flows through the k D updates, as in the paper. Never
  ``torch.compile`` this path (double backward).
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterator, Sequence

import torch
from torch import nn
from torch.func import functional_call, grad

from advgen.gan.losses import discriminator_loss, generator_loss


@contextlib.contextmanager
def restored(model: nn.Module, optimizer: torch.optim.Optimizer) -> Iterator[None]:
    """Restore ``model`` (parameters and buffers) and ``optimizer`` state on exit, exactly."""
    with restored_tensors([*model.parameters(), *model.buffers()], optimizer):
        yield


@contextlib.contextmanager
def restored_tensors(tensors: Sequence[torch.Tensor], optimizer: torch.optim.Optimizer) -> Iterator[None]:
    """Restore ``tensors`` (a model's parameters and buffers) and ``optimizer``'s state on exit, exactly.

    In place: every tensor keeps its storage (copied back from a snapshot), so a CUDA graph that
    captured the unrolled steps replays them on the same memory (:mod:`advgen.training.cuda_graphs`);
    optimizer state first created inside the block is dropped again, as a reloaded state dict would.
    """
    with torch.no_grad():
        saved = [t.detach().clone() for t in tensors]
    had = {id(p): {k: _snapshot(v) for k, v in st.items()} for p, st in optimizer.state.items()}
    try:
        yield
    finally:
        with torch.no_grad():
            for t, s in zip(tensors, saved):
                t.copy_(s)
            for p in list(optimizer.state):
                if id(p) not in had:
                    del optimizer.state[p]
                    continue
                state = optimizer.state[p]
                for k in [k for k in state if k not in had[id(p)]]:
                    del state[k]
                for k, v in had[id(p)].items():
                    if isinstance(v, torch.Tensor) and isinstance(state.get(k), torch.Tensor):
                        state[k].copy_(v)
                    else:
                        state[k] = v
        optimizer.zero_grad(set_to_none=True)


def _snapshot(value: object) -> object:
    return value.detach().clone() if isinstance(value, torch.Tensor) else copy.deepcopy(value)


def second_order_generator_loss(
    generator: nn.Module,
    discriminator: nn.Module,
    optimizer: torch.optim.Adam,
    real: torch.Tensor,
    noise: Callable[[], torch.Tensor],
    *,
    loss: str,
    k: int,
    real_label: float,
) -> torch.Tensor:
    """G's loss against D after ``k`` differentiable Adam steps on the current batch.

    ``noise()`` draws a batch of z. D's module state is only read (its batch-norm buffers
    may update: wrap the call in :func:`restored`).
    """
    group = optimizer.param_groups[0]
    lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
    named = dict(discriminator.named_parameters())
    names = list(named)
    params = {n: named[n].detach() for n in names}
    buffers = dict(discriminator.named_buffers())
    exp_avg, exp_avg_sq, steps = {}, {}, {}
    for n in names:
        state = optimizer.state.get(named[n], {})
        exp_avg[n] = state["exp_avg"].detach() if "exp_avg" in state else torch.zeros_like(params[n])
        exp_avg_sq[n] = state["exp_avg_sq"].detach() if "exp_avg_sq" in state else torch.zeros_like(params[n])
        steps[n] = float(state["step"]) if "step" in state else 0.0

    def call(p: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        return functional_call(discriminator, (p, buffers), (x,))

    for _ in range(k):
        fake = generator(noise())  # keeps the graph to G: the unrolled D depends on G

        def d_objective(
            p: dict[str, torch.Tensor], b: dict[str, torch.Tensor], fake: torch.Tensor = fake
        ) -> torch.Tensor:
            # buffers are an argument: batch norm updates its running statistics in place
            def d(x: torch.Tensor) -> torch.Tensor:
                return functional_call(discriminator, (p, b), (x,))

            return discriminator_loss(loss, d(real), d(fake), real_label)

        grads = grad(d_objective)(params, buffers)
        new_params = {}
        for n in names:
            steps[n] += 1.0
            exp_avg[n] = beta1 * exp_avg[n] + (1 - beta1) * grads[n]
            exp_avg_sq[n] = beta2 * exp_avg_sq[n] + (1 - beta2) * grads[n] * grads[n]
            m_hat = exp_avg[n] / (1 - beta1 ** steps[n])
            v_hat = exp_avg_sq[n] / (1 - beta2 ** steps[n])
            new_params[n] = params[n] - lr * m_hat / (torch.sqrt(v_hat + 1e-30) + eps)
        params = new_params
    return generator_loss(loss, call(params, generator(noise())))


def grad_norm_tensor(module: nn.Module) -> torch.Tensor:
    """L2 norm of all parameter gradients of ``module`` as a 0-dim tensor on their device (0 when none)."""
    norms = [p.grad.detach().norm() for p in module.parameters() if p.grad is not None]
    if norms:
        return torch.linalg.vector_norm(torch.stack(norms))
    device = next((p.device for p in module.parameters()), torch.device("cpu"))
    return torch.zeros((), device=device)


def grad_norm(module: nn.Module) -> float:
    """:func:`grad_norm_tensor` read on the host."""
    return float(grad_norm_tensor(module))
