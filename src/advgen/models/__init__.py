"""Model zoo (GAN generators and discriminators, the conv autoencoder) and loaders.

* Registries :data:`GENERATORS`, :data:`DISCRIMINATORS`, :data:`AUTOENCODERS`: name ->
  constructor with defaults (the report's ``M1`` / ``M3`` among them).
* Loaders :func:`load_generator`, :func:`load_autoencoder`, :func:`load_discriminator`
  return eval-mode modules that work on images in [0, 1].
"""

from advgen.models.base import Discriminator, Generator, count_parameters
from advgen.models.loading import (
    UnitRangeDiscriminator,
    UnitRangeGenerator,
    load_autoencoder,
    load_discriminator,
    load_generator,
)
from advgen.models.registry import (
    AUTOENCODERS,
    DISCRIMINATORS,
    GENERATORS,
    build_autoencoder,
    build_discriminator,
    build_generator,
)

__all__ = [
    "AUTOENCODERS",
    "DISCRIMINATORS",
    "GENERATORS",
    "Discriminator",
    "Generator",
    "UnitRangeDiscriminator",
    "UnitRangeGenerator",
    "build_autoencoder",
    "build_discriminator",
    "build_generator",
    "count_parameters",
    "load_autoencoder",
    "load_discriminator",
    "load_generator",
]
