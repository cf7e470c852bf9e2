"""Spectral normalisation of a discriminator (Miyato et al. 2018, "Spectral Normalization for
Generative Adversarial Networks", arXiv:1802.05957).

Every convolution and linear layer's weight is divided by its largest singular value,
estimated by one power iteration per forward pass in training mode (the paper's setting), which
bounds each layer's Lipschitz constant by 1. A checkpoint of such a discriminator records
``spectral_norm: true`` beside its architecture, so the loader rebuilds the same
parametrisation before loading the weights (:mod:`advgen.models.loading`).

:class:`SpectralNorm` is a parametrisation (``torch.nn.utils.parametrize``) that computes what
``torch.nn.utils.parametrizations.spectral_norm`` computes, draw for draw and operation for
operation (``tests/unit/test_spectral_norm.py`` checks it number for number), with the same
state-dict keys (``parametrizations.weight.original``, ``parametrizations.weight.0._u`` and
``_v``). It differs in one respect: the power iteration writes its vectors into the buffers
with ``copy_`` instead of ``out=``, which ``torch.func.vmap`` batches, so the seeds of a
spectrally normalised discriminator train stacked (:mod:`advgen.gan.replicates`).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import parametrize

#: the layers whose weight is normalised
NORMALISED = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)
#: torch's defaults: power iterations per training forward, and the normalisation's epsilon
POWER_ITERATIONS, EPS = 1, 1e-12
#: power iterations at construction (torch's, so a fresh layer starts from a good estimate)
WARM_START = 15


class SpectralNorm(nn.Module):
    """The weight divided by its spectral norm, estimated by power iteration on the buffers
    ``_u`` and ``_v`` (updated in training mode, out of autograd).

    Arguments:
        weight: the layer's weight (at least 2-D) the vectors are drawn for.
        n_power_iterations: iterations per forward pass in training mode.
        dim: the weight's output dimension (1 for transposed convolutions).
        eps: added to norms before dividing.
    """

    _u: torch.Tensor
    _v: torch.Tensor

    def __init__(
        self, weight: torch.Tensor, n_power_iterations: int = POWER_ITERATIONS, dim: int = 0, eps: float = EPS
    ) -> None:
        super().__init__()
        if weight.ndim < 2:
            raise ValueError(f"spectral norm needs a weight of 2 or more dimensions, got {weight.ndim}")
        if n_power_iterations < 1:
            raise ValueError(f"n_power_iterations must be positive, got {n_power_iterations}")
        self.dim = dim % weight.ndim
        self.eps = eps
        self.n_power_iterations = n_power_iterations
        matrix = self._matrix(weight)
        h, w = matrix.shape
        u = matrix.new_empty(h).normal_(0, 1)
        v = matrix.new_empty(w).normal_(0, 1)
        self.register_buffer("_u", F.normalize(u, dim=0, eps=eps))
        self.register_buffer("_v", F.normalize(v, dim=0, eps=eps))
        self._power_method(matrix, WARM_START)

    def _matrix(self, weight: torch.Tensor) -> torch.Tensor:
        """The weight as a matrix whose rows are the output dimension."""
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.flatten(1)

    @torch.no_grad()
    def _power_method(self, matrix: torch.Tensor, iterations: int) -> None:
        for _ in range(iterations):
            self._u.copy_(F.normalize(torch.mv(matrix, self._v), dim=0, eps=self.eps))
            self._v.copy_(F.normalize(torch.mv(matrix.H, self._u), dim=0, eps=self.eps))

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        matrix = self._matrix(weight)
        if self.training:
            self._power_method(matrix, self.n_power_iterations)
        u = self._u.clone(memory_format=torch.contiguous_format)
        v = self._v.clone(memory_format=torch.contiguous_format)
        sigma = torch.vdot(u, torch.mv(matrix, v))
        return weight / sigma

    def right_inverse(self, value: torch.Tensor) -> torch.Tensor:
        return value


def spectral_norm(layer: nn.Module, name: str = "weight") -> nn.Module:
    """``layer`` with its ``name`` parametrised by :class:`SpectralNorm` (in place), as
    ``torch.nn.utils.parametrizations.spectral_norm(layer)`` with its defaults."""
    dim = 1 if isinstance(layer, nn.ConvTranspose1d | nn.ConvTranspose2d | nn.ConvTranspose3d) else 0
    parametrize.register_parametrization(layer, name, SpectralNorm(getattr(layer, name), dim=dim))
    return layer


def spectral_normalised(module: nn.Module) -> nn.Module:
    """``module`` with spectral normalisation on every convolution and linear layer (in place)."""
    for layer in list(module.modules()):
        if isinstance(layer, NORMALISED) and not parametrize.is_parametrized(layer, "weight"):
            spectral_norm(layer)
    return module
