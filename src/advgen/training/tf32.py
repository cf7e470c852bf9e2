"""TensorFloat-32 for a run whose spec asks for it (``speed.fp32_precision: tf32``), on every host.

TF32 (NVIDIA, "NVIDIA A100 Tensor Core GPU Architecture", 2020): the operands of float32 matrix
products and convolutions are rounded to 10 explicit mantissa bits (float32's 8-bit exponent
kept) and the products accumulate in float32. On a CUDA GPU with TF32 tensor cores (compute
capability 8.0 and up) :func:`tf32` turns on torch's own setting for its duration (cuBLAS and
cuDNN, forward and backward); elsewhere (a CPU, an older GPU) :class:`TF32Operands` rounds the
operands itself and runs each op in IEEE float32 (:mod:`advgen.precision`): forward, the input
and weight of every convolution and matrix product; backward, the gradient arriving at the op's
output, so the grad-input and grad-weight products see TF32 operands as the GPU's backward
kernels do. Biases are added in float32, as cuDNN's epilogue adds them. Rounding is to nearest,
ties to even; the accumulation order, like that of any two float32 kernels, is the host's.

A run asks for it where its outputs are read in distribution only (the paper's CelebA DCGANs:
config/paper.yaml); ``ieee`` (the default) keeps IEEE float32 everywhere.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import torch
import torch.nn.functional as F

from advgen.precision import fp32_setting
from advgen.training.function_mode import CallMode

__all__ = ["TF32Operands", "native_tf32", "round_to_tf32", "tf32"]

#: float32's low mantissa bits that TF32 drops (23 explicit bits, 10 kept)
_DROPPED = 13
_HALF = (1 << (_DROPPED - 1)) - 1
_MASK = ~((1 << _DROPPED) - 1)

#: convolutions (their spatial dimensions: the bias's shape) and matrix products with a weight
_CONVS: dict[Callable[..., Any], int] = {
    F.conv1d: 1,
    F.conv2d: 2,
    F.conv3d: 3,
    F.conv_transpose1d: 1,
    F.conv_transpose2d: 2,
    F.conv_transpose3d: 3,
}
_PRODUCTS: frozenset[Callable[..., Any]] = frozenset(
    {
        F.linear,
        torch.matmul,
        torch.mm,
        torch.bmm,
        torch.Tensor.matmul,
        torch.Tensor.mm,
        torch.Tensor.bmm,
        torch.Tensor.__matmul__,
        torch.Tensor.__rmatmul__,
    }
)


def round_to_tf32(x: torch.Tensor) -> torch.Tensor:
    """``x`` (float32) rounded to TF32's 10 explicit mantissa bits, to nearest, ties to even;
    infinities and NaNs unchanged, a value past TF32's largest rounds to infinity (as float32's)."""
    bits = x.view(torch.int32)
    odd = (bits >> _DROPPED) & 1
    rounded = ((bits + _HALF + odd) & _MASK).view(torch.float32)
    return torch.where(torch.isfinite(x), rounded, x)


class _Operand(torch.autograd.Function):
    """Forward: the operand rounded to TF32; backward: the gradient passed on as it is."""

    generate_vmap_rule = True

    @staticmethod
    def forward(x: torch.Tensor) -> torch.Tensor:
        return round_to_tf32(x)

    @staticmethod
    def setup_context(ctx: Any, inputs: Any, output: Any) -> None:
        pass

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        return grad


class _OutputGradient(torch.autograd.Function):
    """Forward: the op's output as it is; backward: the gradient arriving there rounded to TF32,
    the operand of the op's own backward products."""

    generate_vmap_rule = True

    @staticmethod
    def forward(x: torch.Tensor) -> torch.Tensor:
        return x.clone()

    @staticmethod
    def setup_context(ctx: Any, inputs: Any, output: Any) -> None:
        pass

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        return round_to_tf32(grad)


def _operand(x: torch.Tensor) -> torch.Tensor:
    return _Operand.apply(x) if x.requires_grad and torch.is_grad_enabled() else round_to_tf32(x)


def _autocast_on(args: tuple[Any, ...]) -> bool:
    """Whether autocast casts these operands (then the op runs in its lower precision, not TF32)."""
    devices = {a.device.type for a in args[:2] if isinstance(a, torch.Tensor)}
    return any(torch.is_autocast_enabled(d) for d in devices)


class TF32Operands(CallMode):
    """Inside it, float32 convolutions and matrix products compute on TF32-rounded operands
    (forward and backward; module docstring). Operands of other dtypes, and ops under
    ``torch.autocast``, run as they are."""

    def call(self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        spatial = _CONVS.get(func)
        if (spatial is None and func not in _PRODUCTS) or len(args) < 2 or _autocast_on(args):
            return func(*args, **kwargs)
        if not all(isinstance(a, torch.Tensor) and a.dtype == torch.float32 for a in args[:2]):
            return func(*args, **kwargs)
        operands = [_operand(a) for a in args[:2]]
        rest = list(args[2:])
        bias = None
        if spatial is not None or func is F.linear:  # the bias comes off, to be added in float32
            if rest:
                bias, rest[0] = rest[0], None
            else:
                bias = kwargs.pop("bias", None)
        out = func(*operands, *rest, **kwargs)
        if isinstance(out, torch.Tensor) and out.requires_grad and torch.is_grad_enabled():
            out = _OutputGradient.apply(out)
        if bias is not None:
            out = out + (bias if spatial is None else bias.reshape(-1, *([1] * spatial)))
        return out


def native_tf32(device: str | torch.device) -> bool:
    """Whether ``device`` computes TF32 in hardware: a CUDA GPU of compute capability 8.0 or up."""
    device = torch.device(device)
    return (
        device.type == "cuda"
        and torch.cuda.is_available()
        and torch.cuda.get_device_capability(device) >= (8, 0)
    )


#: torch's settings (of :data:`advgen.precision.FP32_SETTINGS`) that :func:`tf32` turns on where
#: the GPU computes TF32 itself
_NATIVE = (("cuda", "matmul"), ("cudnn", "conv"), ("cudnn", "rnn"))


@contextlib.contextmanager
def tf32(device: str | torch.device) -> Iterator[str]:
    """TF32 convolutions and matrix products on ``device`` inside the block; yields how:
    ``"native"`` (torch's CUDA settings, restored after) or ``"emulated"`` (:class:`TF32Operands`)."""
    if native_tf32(device):
        settings = [fp32_setting(backend, op) for backend, op in _NATIVE]
        before = [s.fp32_precision for s in settings]
        for s in settings:
            s.fp32_precision = "tf32"
        try:
            yield "native"
        finally:
            for s, value in zip(settings, before, strict=True):
                s.fp32_precision = value
        return
    with TF32Operands():
        yield "emulated"
