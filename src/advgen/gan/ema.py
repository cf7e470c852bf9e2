"""The exponential moving average of a generator's weights (Yazici et al. 2019, "The unusual
effectiveness of averaging in GAN training"): the average samples, the generator trains."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

#: a model's (parameters, buffers), in one order
Tensors = tuple[Iterable[torch.Tensor], Iterable[torch.Tensor]]


@torch.no_grad()
def update_ema(average: Tensors, current: Tensors, decay: float) -> None:
    """``average <- decay * average + (1 - decay) * current`` for the parameters, in place; the
    buffers (batch-norm statistics) copied. Each side is ``(parameters, buffers)``, in one order."""
    for p_ema, p in zip(average[0], current[0]):
        p_ema.lerp_(p, 1.0 - decay)
    for b_ema, b in zip(average[1], current[1]):
        b_ema.copy_(b)


class AveragedGenerator:
    """A GAN run whose generator ``G`` (optimizer ``opt_g``) is averaged into ``G_ema`` (None
    when ``spec.g_ema`` is 0) after each step; a subclass gives the tensors (:meth:`_ema_tensors`)."""

    opt_g: torch.optim.Optimizer
    G_ema: Any
    spec: Any

    def _ema_tensors(self) -> tuple[Tensors, Tensors]:
        """(average, current): ``G_ema``'s and ``G``'s (parameters, buffers), in one order."""
        raise NotImplementedError(f"{type(self).__name__} must implement _ema_tensors()")

    def _step_g(self) -> None:
        """``opt_g``'s step, then ``G_ema <- decay * G_ema + (1 - decay) * G`` (:func:`update_ema`)."""
        self.opt_g.step()
        if self.G_ema is not None:
            update_ema(*self._ema_tensors(), self.spec.g_ema)
