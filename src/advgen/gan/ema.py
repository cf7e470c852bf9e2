"""The exponential moving average of a generator's weights (Yazici et al. 2019, "The unusual
effectiveness of averaging in GAN training"): the average samples, the generator trains."""

from __future__ import annotations

from collections.abc import Iterable

import torch


@torch.no_grad()
def update_ema(
    average: tuple[Iterable[torch.Tensor], Iterable[torch.Tensor]],
    current: tuple[Iterable[torch.Tensor], Iterable[torch.Tensor]],
    decay: float,
) -> None:
    """``average <- decay * average + (1 - decay) * current`` for the parameters, in place; the
    buffers (batch-norm statistics) copied. Each side is ``(parameters, buffers)``, in one order."""
    for p_ema, p in zip(average[0], current[0]):
        p_ema.lerp_(p, 1.0 - decay)
    for b_ema, b in zip(average[1], current[1]):
        b_ema.copy_(b)
