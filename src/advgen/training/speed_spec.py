"""The speed levers of a training run as its spec holds them (:mod:`advgen.training.speed`
resolves them for a device). Torch-free: the GAN's and the autoencoder's typed specs, which the
Snakefile and the CLI read, hold one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from advgen.specs import ConfigEntry

#: values of ``speed.autocast``
AUTOCAST = ("off", "bf16", "auto")


@dataclass(frozen=True)
class SpeedSpec:
    """A run's speed levers (:mod:`advgen.training.speed`)."""

    CONFIG_ENTRY: ClassVar[ConfigEntry] = ConfigEntry("generative.speed")

    autocast: str
    channels_last: bool
    fused_adam: bool

    @property
    def requested(self) -> bool:
        """Whether any lever is asked for (``autocast: auto`` counts: it is on where bfloat16 pays)."""
        return self.autocast != "off" or self.channels_last or self.fused_adam
