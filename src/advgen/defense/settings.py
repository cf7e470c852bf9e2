"""The ``defense`` config section, typed: built once from the validated config (the schema,
``defense.schema.yaml#/$defs/defense``, has filled every default) and read by the stage's plan
(:mod:`advgen.defense.plan`) through attributes. Field for field the schema's keys; a block the
config leaves out is ``None``. No torch here: the Snakefile builds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from advgen.config import typed_section


@dataclass(frozen=True)
class Tradeoff:
    """A purifier's L x R grid of the accuracy / cost trade-off."""

    steps: tuple[int, ...]
    restarts: tuple[int, ...]


@dataclass(frozen=True)
class PurifierSettings:
    """``defense.purify.purifiers.<name>``: Defense-GAN's projection (Samangouei et al. 2018: L
    steps, R restarts) or an autoencoder's reconstruction, on ``generator``."""

    generator: str
    method: str
    steps: int
    restarts: int
    optimizer: str
    lr: float
    tradeoff: Tradeoff | None


@dataclass(frozen=True)
class PurifySettings:
    """``defense.purify``: the classifier behind every purifier, the images and budgets, the
    attacks at the operating point and on the trade-off grid, the adaptive attacks' sizes."""

    classifier: str
    num_images: int | None
    eps: tuple[float, ...]
    attacks: tuple[str, ...]
    tradeoff_attacks: tuple[str, ...]
    pgd_steps: int
    adaptive_steps: int
    eot_samples: int
    budget: dict[str, Any]
    purifiers: dict[str, PurifierSettings]
    seed: int | None = None


@dataclass(frozen=True)
class FlipSettings:
    """``defense.probe.flip``: the smallest eps that makes D call a real image fake."""

    num_images: int | None
    eps_max: float
    search_steps: int
    pgd_steps: int


@dataclass(frozen=True)
class ProbeSettings:
    """``defense.probe``: linear probes on frozen features of GANs' discriminators, their
    untrained controls and classifiers, and PGD on the probes."""

    gans: tuple[str, ...]
    classifiers: tuple[str, ...]
    controls: tuple[str, ...]
    train_images: int | None
    num_images: int | None
    eps: tuple[float, ...]
    pgd_steps: int
    restarts: int
    weight_decay: float
    max_iter: int
    flip: FlipSettings
    seed: int | None = None


@dataclass(frozen=True)
class DefenseSettings:
    """The ``defense`` section (see the module docstring)."""

    purify: PurifySettings | None = None
    probe: ProbeSettings | None = None

    @classmethod
    def of(cls, section: Mapping[str, Any] | None, source: str = "config") -> DefenseSettings:
        """The validated ``defense`` section typed (absent: no purifier, no probe)."""
        return typed_section(cls, "defense", section, source)
