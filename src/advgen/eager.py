"""advgen runs PyTorch eagerly: torch settings made without importing TorchDynamo.

advgen compiles nothing, yet two everyday calls import ``torch._dynamo`` (and with it
``torch._inductor``), about 1 s of CPU each time in every job (issue 16):

* ``torch.use_deterministic_algorithms`` imports ``torch._inductor.config`` only to set
  inductor's flag; :func:`deterministic_algorithms` sets the eager kernels' flag directly.
* Optimizers: the first call of a method that torch wraps in ``torch._disable_dynamo``
  (``Optimizer.add_param_group``, ``zero_grad``, ``state_dict``, ``load_state_dict``; every
  constructor calls the first) imports TorchDynamo to build ``torch._dynamo.disable(method)``
  and caches it on the method; and every ``step`` of ``Adam``, ``SGD`` and the others runs in
  a wrapper (``_use_grad_for_differentiable``) that imports TorchDynamo to call
  ``torch._dynamo.graph_break()`` around the update. Outside ``torch.compile`` the disabled
  method is the method itself and a graph break does nothing, so :func:`eager_optimizers`
  fills those caches with the methods and gives each optimizer class the same ``step``
  wrapper without the graph breaks: the same calls in the same grad mode, the same numbers
  (tested against torch's own path), no import.

Both fall back to torch's public path where its internals differ from what they expect, or
once TorchDynamo is loaded anyway (then nothing is left to save). Code that compiles should
not call :func:`eager_optimizers`: inside a compiled region the optimizer methods would be
traced instead of skipped.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

#: the attribute ``torch._compile._disable_dynamo`` caches the disabled function under
_CACHE = "__dynamo_disable"


def deterministic_algorithms(torch: Any) -> None:
    """``torch.use_deterministic_algorithms(True, warn_only=True)``, without its import cost.

    Once inductor is loaded, or where torch lacks the private setter, the public call sets
    both flags.
    """
    setter = getattr(torch._C, "_set_deterministic_algorithms", None)
    if setter is None or "torch._inductor.config" in sys.modules:
        torch.use_deterministic_algorithms(True, warn_only=True)
        return
    setter(True, warn_only=True)


def eager_optimizers(torch: Any) -> int:
    """Let ``torch.optim`` optimizers run without importing TorchDynamo (call before the first
    optimizer is built). Returns how many methods it set now: 0 when they are set already,
    TorchDynamo is loaded, or torch's wrappers are not the ones this expects (torch's own
    path then runs)."""
    if "torch._dynamo" in sys.modules:
        return 0
    optimizer = sys.modules.get("torch.optim.optimizer")  # torch.optim's namespace drops the name
    disable = getattr(getattr(torch, "_compile", None), "_disable_dynamo", None)
    use_grad = getattr(optimizer, "_use_grad_for_differentiable", None)
    if disable is None or use_grad is None:
        return 0
    disabled_code = disable(lambda: None).__code__
    use_grad_code = use_grad(lambda *args: None).__code__
    done = 0
    for method in vars(torch.optim.Optimizer).values():
        original = getattr(method, "__wrapped__", None)
        if getattr(method, "__code__", None) is disabled_code and original is not None:
            if getattr(original, _CACHE, None) is None:
                setattr(original, _CACHE, original)
                done += 1
    for cls in vars(torch.optim).values():
        step = (
            vars(cls).get("step")
            if isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)
            else None
        )
        if (
            getattr(step, "__code__", None) is use_grad_code
            and getattr(step, "__wrapped__", None) is not None
        ):
            cls.step = _step_in_grad_mode(torch, step.__wrapped__)
            done += 1
    return done


def _step_in_grad_mode(torch: Any, step: Any) -> Any:
    """torch's ``_use_grad_for_differentiable`` wrapper without its ``graph_break()`` calls:
    the update runs with grad mode set to the optimizer's ``differentiable`` default."""

    def _use_grad(*args: Any, **kwargs: Any) -> Any:
        prev_grad = torch.is_grad_enabled()
        try:
            torch.set_grad_enabled(args[0].defaults["differentiable"])
            return step(*args, **kwargs)
        finally:
            torch.set_grad_enabled(prev_grad)

    functools.update_wrapper(_use_grad, step)
    return _use_grad
