"""Float32 arithmetic, stated once for every job rather than chosen by the host.

Out of the box torch lets cuDNN compute float32 convolutions with TensorFloat-32 operands
(10 explicit mantissa bits, NVIDIA 2020) on GPUs of compute capability 8.0 and up:
``torch.backends.cudnn.conv.fp32_precision`` reads ``"tf32"`` by default (the ``allow_tf32``
flag of earlier releases), while float32 matrix products and the CPU's kernels compute in IEEE
float32. The same conv net would then train and be attacked at one precision on an A100, H100
or H200 and at another on a CPU. :func:`ieee_float32` sets IEEE float32 for the matrix
products, convolutions and RNNs of every backend (CUDA, cuDNN, oneDNN) through torch's public
``fp32_precision`` settings; every job calls it at its start (:func:`advgen.jobs.start_job`).
A run that wants TensorFloat-32 says so in its spec (``speed.fp32_precision: tf32``), and gets
it on every host (:mod:`advgen.training.tf32`).
"""

from __future__ import annotations

from typing import Any

__all__ = ["FP32_SETTINGS", "fp32_precisions", "fp32_setting", "ieee_float32"]

#: the backends' float32 precision settings: (backend, operation)
FP32_SETTINGS = (
    ("cuda", "matmul"),
    ("cudnn", "conv"),
    ("cudnn", "rnn"),
    ("mkldnn", "matmul"),
    ("mkldnn", "conv"),
    ("mkldnn", "rnn"),
)


def fp32_setting(backend: str, op: str) -> Any:
    """torch's float32 precision setting of one backend operation (``fp32_setting("cudnn", "conv")``:
    ``torch.backends.cudnn.conv``, whose ``fp32_precision`` is ``"ieee"`` or ``"tf32"``)."""
    import torch

    return getattr(getattr(torch.backends, backend), op)


def ieee_float32() -> None:
    """IEEE float32 for every backend's matrix products, convolutions and RNNs."""
    for backend, op in FP32_SETTINGS:
        fp32_setting(backend, op).fp32_precision = "ieee"


def fp32_precisions() -> dict[str, str]:
    """Each backend operation's float32 precision now (``{"cudnn.conv": "ieee", ...}``)."""
    return {f"{backend}.{op}": str(fp32_setting(backend, op).fp32_precision) for backend, op in FP32_SETTINGS}
