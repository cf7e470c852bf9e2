"""Memory layout of conv models: NHWC (``channels_last``) weights, NCHW state dicts.

oneDNN's CPU convolutions, transposed convolutions and max-pools are faster in NHWC (measured in
``benchmarks/RESULTS.md``: the PGD-7 training step of ``cnn_small`` and the conv decoder's
inversion step); inputs follow the weights' layout. Values change at float rounding level only.
State dicts (checkpoints, resume states) stay contiguous NCHW, so files do not depend on it.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


def _contiguous_state(
    module: nn.Module, state_dict: dict[str, Any], prefix: str, local_metadata: dict
) -> None:
    """State-dict hook: every tensor in the default (NCHW) layout, whatever the module's."""
    for key, value in state_dict.items():
        if key.startswith(prefix) and isinstance(value, torch.Tensor):
            state_dict[key] = value.contiguous()


def use_channels_last(module: nn.Module) -> None:
    """Put ``module``'s 4-d weights in NHWC and keep its state dict NCHW."""
    module.to(memory_format=torch.channels_last)
    module.register_state_dict_post_hook(_contiguous_state)
