"""What each GAN architecture takes, without torch: its image shapes and its keyword arguments.

The model zoo (:mod:`advgen.models.registry`) builds the networks and needs torch; the config
check (``advgen check-config``, the workflow's parse) must not import it. So the zoo's
constraints are stated here as data, and ``tests/unit/test_architectures.py`` checks them
against the constructors (their signatures, and which image shapes they build):

* ``kwargs``: the keyword arguments ``generator_kwargs`` / ``discriminator_kwargs`` may set
  (the constructor's, less ``z_dim`` and ``image_shape``);
* ``size`` / ``channels``: the one image side (and channel count) it takes, ``None`` for any;
  ``min_power_of_two``: square power-of-two sides of at least this many pixels (DCGAN,
  Radford et al. 2015).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Architecture:
    """One architecture of the zoo: the images it takes and the keyword arguments it accepts."""

    kwargs: tuple[str, ...]
    size: int | None = None
    channels: int | None = None
    min_power_of_two: int | None = None

    def shape_problem(self, channels: int, size: int) -> str | None:
        """Why it cannot take square ``channels`` x ``size`` x ``size`` images, else ``None``."""
        if self.size is not None and size != self.size:
            return f"takes {self.size}x{self.size} px images only"
        if self.channels is not None and channels != self.channels:
            return f"takes {self.channels}-channel images only"
        if self.min_power_of_two is not None and (size < self.min_power_of_two or size & (size - 1)):
            return f"takes square power-of-two images of at least {self.min_power_of_two} px"
        return None


_MLP_G = ("hidden", "batch_norm", "activation")
_MLP_D = ("hidden", "dropout", "slope", "activation")
_CONV_D = ("channels", "hidden", "dropout", "spectral")

GENERATOR_ARCHITECTURES: dict[str, Architecture] = {
    "mlp": Architecture(_MLP_G),
    "mlp_small": Architecture(_MLP_G),
    "mlp_bn": Architecture(_MLP_G),
    "M1": Architecture((), size=28, channels=1),
    "dcgan28": Architecture(("ngf",), size=28),
    "dcgan": Architecture(("ngf",), min_power_of_two=16),
    "dcgan_ngf32": Architecture(("ngf",), min_power_of_two=16),
    "dcgan_ngf128": Architecture(("ngf",), min_power_of_two=16),
}

DISCRIMINATOR_ARCHITECTURES: dict[str, Architecture] = {
    "M3": Architecture(_MLP_D),
    "mlp_small": Architecture(_MLP_D),
    "conv_small": Architecture(_CONV_D, size=28),
    "conv_sn": Architecture(_CONV_D, size=28),
    "dcgan28": Architecture(("ndf",), size=28),
    "dcgan": Architecture(("ndf",), min_power_of_two=16),
    "dcgan_ndf32": Architecture(("ndf",), min_power_of_two=16),
    "dcgan_ndf128": Architecture(("ndf",), min_power_of_two=16),
}


def gan_problem(gan: Mapping[str, Any], channels: int, size: int) -> tuple[str, str] | None:
    """(key, problem) of the first part of a ``gans`` entry that cannot work on its dataset's
    ``channels`` x ``size`` x ``size`` images (an architecture, or a keyword argument it lacks)."""
    for role, table in (
        ("generator", GENERATOR_ARCHITECTURES),
        ("discriminator", DISCRIMINATOR_ARCHITECTURES),
    ):
        name = gan.get(role)
        arch = table.get(name) if isinstance(name, str) else None
        if arch is None:
            continue  # the schema names the architectures
        problem = arch.shape_problem(channels, size)
        if problem is not None:
            return role, f"'{name}' {problem}; the dataset's images are {channels}x{size}x{size}"
        unknown = sorted(set(gan.get(f"{role}_kwargs") or {}) - set(arch.kwargs))
        if unknown:
            known = ", ".join(arch.kwargs) or "none"
            return (
                f"{role}_kwargs.{unknown[0]}",
                f"'{name}' takes no argument '{unknown[0]}' (it takes: {known})",
            )
    return None
