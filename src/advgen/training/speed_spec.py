"""The speed levers of a training run as its spec holds them (:mod:`advgen.training.speed`
resolves them for a device). Torch-free: the GAN's and the autoencoder's typed specs, which the
Snakefile and the CLI read, hold one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from advgen.specs import ConfigEntry

#: values of ``speed.autocast``
AUTOCAST = ("off", "bf16", "auto")
#: values of ``speed.fp32_precision`` (:mod:`advgen.training.tf32`)
FP32_PRECISIONS = ("ieee", "tf32")


@dataclass(frozen=True)
class SpeedSpec:
    """A run's speed levers (:mod:`advgen.training.speed`)."""

    CONFIG_ENTRY: ClassVar[ConfigEntry] = ConfigEntry("generative.speed")

    autocast: str
    channels_last: bool
    fused_adam: bool
    #: ``tf32``: float32 convolutions and matrix products on TF32 operands, on every host; left out
    #: of a spec (``None``), IEEE float32 as every job computes (:mod:`advgen.precision`)
    fp32_precision: str | None = None

    @property
    def requested(self) -> bool:
        """Whether any lever is asked for (``autocast: auto`` counts: it is on where bfloat16 pays)."""
        return self.autocast != "off" or self.channels_last or self.fused_adam or self.tf32

    @property
    def tf32(self) -> bool:
        """Whether the run computes float32 convolutions and matrix products in TF32."""
        return self.fp32_precision == "tf32"
