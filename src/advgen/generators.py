"""Generator kinds: the config sections that define generators, and the one answer to "is
this name a GAN or an autoencoder?" and to what follows from it (:attr:`GeneratorKind.has_encoder`).

A generator named anywhere in the config (a sweep's ``generators``, a purifier's
``generator``) is looked up with :func:`generator_kind`: it is defined in exactly one section
of :data:`GENERATOR_KINDS`, else the config is wrong (:class:`~advgen.errors.ConfigError`
naming the key). Code that depends on what a generator can do reads the kind's flags, never
its name (``tests/unit/test_registries.py`` scans for such comparisons). No torch here: the
Snakefile reaches it through the plans.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from advgen import paths
from advgen.errors import ConfigError


@dataclass(frozen=True)
class GeneratorKind:
    """A kind of generator: its config section and the checkpoint its training job writes."""

    name: str  # the specs' ``generator_kind``
    section: str  # top-level config section of its experiments
    checkpoint_template: str  # path template of its checkpoint (advgen.paths)
    wildcard: str  # the template's wildcard (the training rule's)
    label: str  # in messages
    #: an encoder maps images to the latent space (an autoencoder: its decoder is the generator,
    #: ``D(E(x))`` reconstructs, E(x) starts an inversion; a GAN's latents are found by inversion)
    has_encoder: bool = False

    def checkpoint(self, name: str) -> str:
        return self.checkpoint_template.format(**{self.wildcard: name})


GENERATOR_KINDS: dict[str, GeneratorKind] = {
    "gan": GeneratorKind("gan", "gans", paths.GAN_CHECKPOINT, "gan", "a GAN"),
    "autoencoder": GeneratorKind(
        "autoencoder", "autoencoders", paths.AE_CHECKPOINT, "ae", "an autoencoder", has_encoder=True
    ),
}


def generator_kind(config: Mapping[str, Any], name: str, where: str = "config") -> GeneratorKind:
    """The kind of the generator ``name`` (``where``: the config key naming it, for messages).

    Raises:
        ConfigError: ``name`` is defined in no generator section, or in more than one.
    """
    kinds = [k for k in GENERATOR_KINDS.values() if name in (config.get(k.section) or {})]
    if not kinds:
        known = sorted({n for k in GENERATOR_KINDS.values() for n in config.get(k.section) or {}})
        sections = "/".join(k.section for k in GENERATOR_KINDS.values())
        raise ConfigError(
            f"{where}: unknown generator '{name}' (defined in {sections}: {', '.join(known) or 'none'})"
        )
    if len(kinds) > 1:
        raise ConfigError(f"{where}: '{name}' names both {' and '.join(k.label for k in kinds)}; rename one")
    return kinds[0]


def generator_entry(config: Mapping[str, Any], name: str, where: str = "config") -> Mapping[str, Any]:
    """The config entry of the generator ``name``."""
    return config[generator_kind(config, name, where).section][name]


def generator_checkpoint(config: Mapping[str, Any], name: str, where: str = "config") -> str:
    """The checkpoint of the generator ``name``."""
    return generator_kind(config, name, where).checkpoint(name)


def with_encoder() -> str:
    """The kinds that have an encoder, in messages ("an autoencoder")."""
    return " or ".join(k.label for k in GENERATOR_KINDS.values() if k.has_encoder)
