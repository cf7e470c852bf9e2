"""Spectral normalisation of a discriminator (Miyato et al. 2018, "Spectral Normalization for
Generative Adversarial Networks", arXiv:1802.05957).

Every convolution and linear layer's weight is divided by its largest singular value,
estimated by one power iteration per forward pass in training mode
(``torch.nn.utils.parametrizations.spectral_norm``, the paper's setting), which bounds each
layer's Lipschitz constant by 1. A checkpoint of such a discriminator records
``spectral_norm: true`` beside its architecture, so the loader rebuilds the same
parametrisation before loading the weights (:mod:`advgen.models.loading`).
"""

from __future__ import annotations

from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

#: the layers whose weight is normalised
NORMALISED = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)


def spectral_normalised(module: nn.Module) -> nn.Module:
    """``module`` with spectral normalisation on every convolution and linear layer (in place)."""
    for layer in list(module.modules()):
        if isinstance(layer, NORMALISED) and not nn.utils.parametrize.is_parametrized(layer, "weight"):
            spectral_norm(layer)
    return module
