"""The torch-free table of the GAN architectures (advgen.architectures) states what the zoo's
constructors (advgen.models.registry) take: the same keyword arguments, and exactly the image
shapes they build."""

from __future__ import annotations

import functools
import inspect

import pytest
import torch

from advgen.architectures import DISCRIMINATOR_ARCHITECTURES, GENERATOR_ARCHITECTURES, gan_problem
from advgen.data.registry import SOURCES
from advgen.data.sources import DATA_SOURCES
from advgen.errors import ConfigError
from advgen.models.registry import DISCRIMINATORS, GENERATORS, build_discriminator, build_generator

SHAPES = [(c, s) for c in (1, 3) for s in (8, 12, 16, 28, 32, 64)]


def _kwargs(constructor) -> tuple[str, ...]:
    function = constructor.func if isinstance(constructor, functools.partial) else constructor
    return tuple(
        p for p in inspect.signature(function).parameters if p not in ("self", "z_dim", "image_shape")
    )


@pytest.mark.parametrize(
    ("table", "zoo"), [(GENERATOR_ARCHITECTURES, GENERATORS), (DISCRIMINATOR_ARCHITECTURES, DISCRIMINATORS)]
)
def test_the_table_lists_every_architecture_with_its_constructors_arguments(table, zoo) -> None:
    assert list(table) == list(zoo)
    for name, arch in table.items():
        assert arch.kwargs == _kwargs(zoo[name]), name


def _builds(build, *args) -> bool:
    try:
        with torch.device("meta"):
            build(*args)
    except ConfigError:
        return False
    return True


@pytest.mark.parametrize("name", list(GENERATOR_ARCHITECTURES))
def test_a_generator_builds_exactly_on_the_shapes_the_table_allows(name: str) -> None:
    for channels, size in SHAPES:
        allowed = GENERATOR_ARCHITECTURES[name].shape_problem(channels, size) is None
        assert _builds(build_generator, name, 8, (channels, size, size)) == allowed, (name, channels, size)


@pytest.mark.parametrize("name", list(DISCRIMINATOR_ARCHITECTURES))
def test_a_discriminator_builds_exactly_on_the_shapes_the_table_allows(name: str) -> None:
    for channels, size in SHAPES:
        allowed = DISCRIMINATOR_ARCHITECTURES[name].shape_problem(channels, size) is None
        assert _builds(build_discriminator, name, (channels, size, size)) == allowed, (name, channels, size)


def test_the_sources_channels_are_the_loaders() -> None:
    assert {n: s.channels for n, s in DATA_SOURCES.items()} == {n: s.channels for n, s in SOURCES.items()}


def test_a_gan_entry_names_its_first_problem() -> None:
    gan = {"generator": "dcgan", "discriminator": "M3", "discriminator_kwargs": {"ndf": 8}}
    assert gan_problem(gan, 1, 8)[0] == "generator"
    assert gan_problem(gan, 1, 32) == (
        "discriminator_kwargs.ndf",
        "'M3' takes no argument 'ndf' (it takes: hidden, dropout, slope, activation)",
    )
    assert (
        gan_problem({**gan, "discriminator_kwargs": {"dropout": 0.1}, "generator_kwargs": {"ngf": 8}}, 3, 32)
        is None
    )
