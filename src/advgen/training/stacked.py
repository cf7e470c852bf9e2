"""Seeds as a batch dimension: S replicates of one model trained as one stacked model.

The replicates of a model spec differ only in their seed. Their parameters are stacked
along a new leading dimension (:func:`torch.func.stack_module_state`) and the forward pass
runs on every replicate at once with :func:`torch.func.vmap` over
:func:`torch.func.functional_call`, each replicate on its own inputs of shape ``(S, B, ...)``.
The optimizers of advgen (Adam, SGD with momentum, weight decay) update every parameter
entry independently of the others, so one optimizer over the stacked tensors is S
optimizers. The sum of the replicates' losses has, for each replicate's parameters, that
replicate's gradient: the stacked run is S independent runs, up to float rounding of the
batched kernels.

Stacking pays where a step is bound by kernel launches (a GPU at the papers' small batches);
on a CPU it is slower (a 784-256-256-10 MLP at batch 64 ran at 0.49-0.63x of sequential runs
on one thread). :func:`replicate_mode` makes the choice by device, and says which it made.

Buffers are stacked too: batch norm updates each replicate's running statistics in place
under vmap. Layers that draw their own noise (dropout: the report's M3 discriminator) run under
``vmap(..., randomness="different")``: every replicate draws its own masks, from the global RNG
(the stacked run's resume state holds it). Such a replicate is an independent run of its seed's
initialisation, shuffles and noise, but its dropout masks are not the ones its sequential run
draws, so it equals that run in distribution, not number for number; models without such layers
keep ``randomness="error"`` and equal their sequential runs up to float rounding.

In-place activations (``ReLU(inplace=True)``) are run out of place under vmap: an in-place op on
the batched view costs a copy of the slice and a zero-filled gradient buffer in the backward pass
(CopySlices, AsStridedBackward): a DCGAN G+D forward/backward at S = 1 took 217 kernel-launching
operations with them, 161 without, 99 unstacked (``torch.profiler`` on the CPU); the values are
the same.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from advgen.errors import AdvgenError, NotStackableError, StackedPassFailed
from advgen.seeding import forked_torch_rng

MODES = ("auto", "stacked", "sequential")
_NOISE = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout, nn.FeatureAlphaDropout)
#: activations whose ``inplace`` flag is turned off in the stacked model
_INPLACE = (
    nn.ReLU,
    nn.LeakyReLU,
    nn.ELU,
    nn.SELU,
    nn.CELU,
    nn.ReLU6,
    nn.Hardtanh,
    nn.SiLU,
    nn.Mish,
    nn.Threshold,
)
#: device types on which stacked models compute in the default (NCHW) layout: CUDA's batch norm
#: asks its input's layout, which vmap answers for that layout only (on a CPU the stacked models
#: keep the per-seed runs' layout, which its kernels are measured fastest in)
DEFAULT_LAYOUT_DEVICES = frozenset({"cuda"})


def _default_layout(stacked: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The stacked tensors in the default (NCHW) layout, leaves as before."""
    return {k: v.detach().contiguous().requires_grad_(v.requires_grad) for k, v in stacked.items()}


def require_stacked_pass(trial: Callable[[], torch.Tensor], device: str | torch.device, what: str) -> None:
    """Run ``trial`` (the stacked models' forward pass, on copies) and differentiate its sum, the
    random streams forked; where this torch cannot batch one of its ops on ``device`` (a
    ``RuntimeError``), raise :class:`StackedPassFailed`: the seeds then train one after another."""
    dev = torch.device(device)
    with forked_torch_rng(dev):
        try:
            trial().float().sum().backward()
        except RuntimeError as err:
            reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise StackedPassFailed(
                f"{what}: the stacked forward and backward pass fails on {dev} with torch "
                f"{torch.__version__} ({reason}); the seeds train one after another"
            ) from err


def replicate_mode(device: str | torch.device, requested: str = "auto") -> str:
    """``"stacked"`` or ``"sequential"``: ``requested``, or for ``"auto"`` stacked on CUDA only.

    On a CPU the stacked step is slower than S sequential ones (see the module docstring).
    """
    if requested not in MODES:
        raise AdvgenError(f"replicates: expected one of {', '.join(MODES)}, got {requested!r}")
    if requested != "auto":
        return requested
    return "stacked" if torch.device(device).type == "cuda" else "sequential"


def not_stackable(what: str) -> NotStackableError:
    """The refusal to stack the seeds of a model that cannot be: ``what`` (``key: the model``),
    then the way out."""
    return NotStackableError(
        f"{what} cannot be trained with seeds stacked; train the replicates sequentially"
    )


R = TypeVar("R")


def sequential_replicates(
    train: Callable[..., R],
    spec: Any,
    seeds: Sequence[int],
    inputs: tuple,
    outputs: Sequence[Any],
    **options: Any,
) -> list[R]:
    """The ``sequential`` mode, one run after another: ``train(spec with seed seeds[i], *inputs,
    outputs[i], **options)`` for each ``i``."""
    return [
        train(dataclasses.replace(spec, seed=int(seed)), *inputs, out, **options)
        for seed, out in zip(seeds, outputs, strict=True)
    ]


def noise_layers(model: nn.Module) -> list[str]:
    """The names of the layers of ``model`` that draw their own noise (dropout with p > 0)."""
    return [name for name, m in model.named_modules() if isinstance(m, _NOISE) and m.p > 0]


class StackedModule:
    """S replicates of one architecture as stacked parameters and buffers, called with vmap.

    Args:
        models: the replicates (same architecture), each initialised from its own seed.
        key: the config key that chose the architecture (named when a layer cannot be stacked).
    """

    def __init__(self, models: Sequence[nn.Module], key: str) -> None:
        if not models:
            raise AdvgenError(f"{key}: no replicates to stack")
        params, buffers = stack_module_state(list(models))
        if any(v.device.type in DEFAULT_LAYOUT_DEVICES for v in params.values()):
            # NHWC (channels_last) weights give NHWC convolutions, whose layout batch norm asks
            params, buffers = _default_layout(params), _default_layout(buffers)
        self.params: dict[str, torch.Tensor] = params
        self.buffers: dict[str, torch.Tensor] = buffers
        self.size = len(models)
        self._base = copy.deepcopy(models[0]).to("meta")
        for module in self._base.modules():
            if isinstance(module, _INPLACE):
                module.inplace = False
        #: each replicate its own dropout masks (see the module docstring)
        self.randomness = "different" if noise_layers(models[0]) else "error"

    def train(self, mode: bool = True) -> StackedModule:
        """Training or evaluation mode (batch norm) for the calls that follow."""
        self._base.train(mode)
        return self

    def parameters(self) -> list[torch.Tensor]:
        """The stacked parameters (leaf tensors, replicate first): what the optimizer steps."""
        return list(self.params.values())

    def __call__(self, x: torch.Tensor, *, shared: bool = False) -> torch.Tensor:
        """Every replicate on its inputs ``x`` (S, B, ...) -> (S, B, ...); ``shared``: one ``x`` (B, ...) for all."""

        def one(p: dict[str, torch.Tensor], b: dict[str, torch.Tensor], xi: torch.Tensor) -> torch.Tensor:
            return functional_call(self._base, (p, b), (xi,))

        batched = vmap(one, in_dims=(0, 0, None if shared else 0), randomness=self.randomness)
        return batched(self.params, self.buffers, x)

    def replicate_state(self, s: int) -> dict[str, torch.Tensor]:
        """Replicate ``s``'s parameters and buffers (detached CPU copies), keyed as its state dict."""
        out = {k: v[s].detach().cpu().clone() for k, v in self.params.items()}
        out.update({k: v[s].detach().cpu().clone() for k, v in self.buffers.items()})
        return out

    def state_dict(self) -> dict[str, Any]:
        """The stacked tensors (CPU copies) for a resume state."""
        return {
            "params": {k: v.detach().cpu().clone() for k, v in self.params.items()},
            "buffers": {k: v.detach().cpu().clone() for k, v in self.buffers.items()},
        }

    @torch.no_grad()
    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Copy a :meth:`state_dict` into the stacked tensors (in place: the optimizer keeps them)."""
        for k, v in state["params"].items():
            self.params[k].copy_(v)
        for k, v in state["buffers"].items():
            self.buffers[k].copy_(v)


def replicate_optimizer_state(state: dict[str, Any], stacked: StackedModule, s: int) -> dict[str, Any]:
    """Replicate ``s``'s part of the state dict of an optimizer over ``stacked.parameters()``.

    Loadable into the same optimizer built over the replicate's own ``parameters()`` (same
    order): per-parameter tensors of the stacked shape are indexed, the rest (Adam's step) copied.
    """
    shapes = [p.shape for p in stacked.parameters()]
    per_param = {}
    for idx, entry in state["state"].items():
        per_param[idx] = {
            k: v[s].clone() if isinstance(v, torch.Tensor) and v.shape == shapes[idx] else copy.deepcopy(v)
            for k, v in entry.items()
        }
    return {"state": per_param, "param_groups": copy.deepcopy(state["param_groups"])}
