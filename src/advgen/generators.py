"""Generator kinds: the config sections that define generators, and the one answer to "is
this name a GAN or an autoencoder?" and to what follows from it (:attr:`GeneratorKind.has_encoder`).

A generator named anywhere in the config (a sweep's ``generators``, a purifier's
``generator``) is looked up in the typed runs of the config (:class:`Generators`, through
:func:`generator_kind`): it is defined in exactly one section of :data:`GENERATOR_KINDS`, else
the config is wrong (:class:`~advgen.errors.ConfigError`
naming the key). Code that depends on what a generator can do reads the kind's flags, never
its name (``tests/unit/test_registries.py`` scans for such comparisons). No torch here: the
Snakefile reaches it through the plans.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

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


def generator_kind(sections: Mapping[str, Any], name: str, where: str = "config") -> GeneratorKind:
    """The kind of the generator ``name`` (``sections``: the generator sections, section ->
    run name -> its entry or spec; ``where``: the config key naming it, for messages).

    Raises:
        ConfigError: ``name`` is defined in no generator section, or in more than one.
    """
    kinds = [k for k in GENERATOR_KINDS.values() if name in (sections.get(k.section) or {})]
    if not kinds:
        known = sorted({n for k in GENERATOR_KINDS.values() for n in sections.get(k.section) or {}})
        names = "/".join(k.section for k in GENERATOR_KINDS.values())
        raise ConfigError(
            f"{where}: unknown generator '{name}' (defined in {names}: {', '.join(known) or 'none'})"
        )
    if len(kinds) > 1:
        raise ConfigError(f"{where}: '{name}' names both {' and '.join(k.label for k in kinds)}; rename one")
    return kinds[0]


class GeneratorRun(Protocol):
    """What the plans read of a generator run (a :class:`~advgen.gan.spec.GanSpec` or an
    :class:`~advgen.ae.spec.AeSpec`): the data set it trains on and its training seed."""

    @property
    def dataset(self) -> str: ...

    @property
    def seed(self) -> int: ...


@dataclass(frozen=True)
class GeneratorEntry:
    """A generator run as a config entry states it (:class:`GeneratorRun`), for the checks that
    type a validated config without the pipeline's :class:`~advgen.pipeline.study.Study`."""

    dataset: str
    seed: int


@dataclass(frozen=True)
class Generators:
    """The generator runs of a config, typed: each section of :data:`GENERATOR_KINDS`
    (``gans``, ``autoencoders``) -> run name -> its spec. Looked up like the config's sections
    (:func:`generator_kind`), so the plans need no raw config to resolve a generator."""

    sections: Mapping[str, Mapping[str, GeneratorRun]]

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> Generators:
        """The generator runs of a validated ``config`` (a run's seed: its entry's, else the
        config's ``seed``)."""
        seed = int(config.get("seed", 0))
        return cls(
            {
                kind.section: {
                    name: GeneratorEntry(str(entry.get("dataset")), int(entry.get("seed", seed)))
                    for name, entry in (config.get(kind.section) or {}).items()
                }
                for kind in GENERATOR_KINDS.values()
            }
        )

    def kind(self, name: str, where: str = "config") -> GeneratorKind:
        return generator_kind(self.sections, name, where)

    def run(self, name: str, where: str = "config") -> GeneratorRun:
        """The typed run of the generator ``name``."""
        return self.sections[self.kind(name, where).section][name]

    def checkpoint(self, name: str, where: str = "config") -> str:
        return self.kind(name, where).checkpoint(name)


def with_encoder() -> str:
    """The kinds that have an encoder, in messages ("an autoencoder")."""
    return " or ".join(k.label for k in GENERATOR_KINDS.values() if k.has_encoder)
