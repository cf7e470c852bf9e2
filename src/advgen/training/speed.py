"""Speed levers of a training run: the ``speed`` of a ``gans`` / ``autoencoders`` entry.

Each lever changes what a training step computes at float rounding only (measured in
``benchmarks/train_step.py --levers``; docs/generators.md, "Quality per CPU-second"):

* ``autocast``: the forward passes under ``torch.autocast(<device>, dtype=torch.bfloat16)``
  (mixed precision, Micikevicius et al. 2018, with bfloat16 as Kalamkar et al. 2019,
  arXiv:1905.12322): convolutions and matrix products in bfloat16, weights, losses, gradients
  and Adam in float32. ``"auto"`` turns it on only where it was measured faster
  (:func:`bf16_pays`): CPUs with AMX-BF16 tiles and CUDA. On a CPU with AVX512-BF16 but no AMX
  (the AMD EPYC hosts; emulated here with oneDNN's ISA cap) the report GAN's step ran 0.93x and the
  autoencoder's 0.86x the float32 speed, and without bfloat16 instructions it is emulated.
* ``channels_last``: the models' 4-d weights in NHWC (:func:`advgen.models.layout.use_channels_last`;
  oneDNN's convolutions are faster in it; state dicts stay NCHW).
* ``fused_adam``: Adam's update as one fused kernel (``torch.optim.Adam(fused=True)``) instead
  of a loop over the parameters.
* ``fp32_precision: tf32``: the training steps' float32 convolutions and matrix products on
  TensorFloat-32 operands, forward and backward, on every host (:mod:`advgen.training.tf32`:
  a GPU's tensor cores from compute capability 8.0, elsewhere the operands rounded explicitly).
  Unlike the other levers it changes the numerics beyond float32 rounding, as bfloat16 does:
  stated in the spec, the same on every host.

An empty ``speed`` (the default) changes nothing, so config/paper.yaml trains as before.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

import torch
from torch import nn

from advgen.training.speed_spec import AUTOCAST, FP32_PRECISIONS, SpeedSpec

__all__ = ["Speed", "autocast_dtype", "bf16_emulated", "bf16_pays"]


def bf16_pays(device: str | torch.device) -> bool:
    """Whether bfloat16 autocast speeds a training step up on ``device``: CUDA where
    ``torch.cuda.is_bf16_supported()``; a CPU with AMX-BF16 tiles (``torch.cpu.get_capabilities()``).
    AVX512-BF16 alone does not (``benchmarks/train_step.py --levers --isa AVX512_CORE_BF16``)."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    if device.type != "cpu":
        return False
    return bool(torch.cpu.get_capabilities().get("amx_bf16", False))


def bf16_emulated() -> bool:
    """Whether this CPU has no bfloat16 instructions (neither AVX512-BF16 nor AMX-BF16 in
    ``torch.cpu.get_capabilities()``): there bfloat16 is emulated, and the default study's
    bfloat16 steps took 5.5x (report GAN) and 6.1x (forced autoencoder) their float32 time on an
    AVX2 AMD EPYC (benchmarks/RESULTS.md, "bfloat16 on a CPU without bfloat16 instructions")."""
    capabilities = torch.cpu.get_capabilities()
    return not (capabilities.get("avx512_bf16") or capabilities.get("amx_bf16"))


def autocast_dtype(setting: str, device: str | torch.device) -> torch.dtype | None:
    """The autocast dtype of ``speed.autocast`` on ``device``: bfloat16 or ``None`` (off)."""
    if setting not in AUTOCAST:
        raise ValueError(f"speed.autocast: unknown {setting!r} (known: {', '.join(AUTOCAST)})")
    if setting == "bf16" or (setting == "auto" and bf16_pays(device)):
        return torch.bfloat16
    return None


class Speed:
    """A spec's levers resolved for one device: the autocast context, the models' layout, Adam."""

    def __init__(self, spec: SpeedSpec, device: str | torch.device) -> None:
        self.spec = spec
        self.device = torch.device(device)
        self.dtype = autocast_dtype(spec.autocast, self.device)
        if spec.fp32_precision not in (None, *FP32_PRECISIONS):
            raise ValueError(
                f"speed.fp32_precision: unknown {spec.fp32_precision!r} (known: {', '.join(FP32_PRECISIONS)})"
            )
        self.tf32_as = ""  # how the training steps computed TF32: "native" or "emulated" (tf32())

    @property
    def active(self) -> bool:
        """Whether any lever is on (on this device)."""
        return self.dtype is not None or self.spec.channels_last or self.spec.fused_adam or self.spec.tf32

    @contextlib.contextmanager
    def precision(self) -> Iterator[None]:
        """The context of a training step (forward and backward): TF32 where the spec asks for it
        (:func:`advgen.training.tf32.tf32`), else nothing (IEEE float32)."""
        if not self.spec.tf32:
            yield
            return
        from advgen.training.tf32 import tf32

        with tf32(self.device) as how:
            self.tf32_as = how
            yield

    def autocast(self) -> contextlib.AbstractContextManager[Any]:
        """The context of the forward passes: bfloat16 autocast, or nothing."""
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.dtype)

    def explicit_autocast(self) -> contextlib.AbstractContextManager[Any]:
        """The context of stacked seeds' forward passes (under ``vmap``, where ``torch.autocast``
        does not apply): autocast's casts made explicit
        (:class:`advgen.training.explicit_autocast.ExplicitAutocast`), or nothing."""
        if self.dtype is None:
            return contextlib.nullcontext()
        from advgen.training.explicit_autocast import ExplicitAutocast

        return ExplicitAutocast(self.device.type, self.dtype)

    def require_stackable_casts(self, forward: Any, what: str) -> None:
        """Where autocast is on: check that :meth:`explicit_autocast` casts ``forward()`` (one
        replicate's forward pass on copies of its models) as :meth:`autocast` does on this device
        (:func:`advgen.training.explicit_autocast.require_same_casts`)."""
        if self.dtype is not None:
            from advgen.training.explicit_autocast import require_same_casts

            require_same_casts(forward, self.device, self.dtype, what)

    def layout(self, *modules: nn.Module) -> None:
        """NHWC weights for ``modules`` when ``channels_last`` is on (state dicts stay NCHW)."""
        if self.spec.channels_last:
            from advgen.models.layout import use_channels_last

            for module in modules:
                use_channels_last(module)

    def adam(self, params: Iterable[torch.Tensor], **kwargs: Any) -> torch.optim.Adam:
        """Adam over ``params`` (fused when ``fused_adam`` is on)."""
        if self.spec.fused_adam:
            kwargs["fused"] = True
        return torch.optim.Adam(params, **kwargs)

    def describe(self) -> dict[str, Any]:
        """What the run used (its status file): the autocast dtype and the other levers."""
        used = {
            "autocast": "bf16" if self.dtype is not None else "off",
            "channels_last": self.spec.channels_last,
            "fused_adam": self.spec.fused_adam,
        }
        if self.spec.tf32:  # how: native (a GPU's tensor cores) or emulated
            used["fp32_precision"] = f"tf32 ({self.tf32_as or 'no step ran'})"
        return used
