"""The model zoo: architecture name -> constructor with the defaults of its source.

The config selects architectures by name (the report's ``-g M1 -d M3``) plus optional
keyword overrides; :func:`build_generator` / :func:`build_discriminator` /
:func:`build_autoencoder` construct them and turn a bad name or keyword into a
:class:`~advgen.errors.ConfigError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from torch import nn

from advgen.errors import ConfigError
from advgen.models.autoencoder import ConvAutoencoder
from advgen.models.dcgan import DCGANDiscriminator, DCGANGenerator
from advgen.models.discriminators28 import ConvDiscriminator, DCGAN28Discriminator, MLPDiscriminator
from advgen.models.generators28 import DCGAN28Generator, M1Generator, MLPGenerator

# Constructors take (z_dim, image_shape, **kwargs).
GENERATORS: dict[str, Callable[..., nn.Module]] = {
    "mlp": partial(MLPGenerator, hidden=(256, 512, 1024)),
    "mlp_small": partial(MLPGenerator, hidden=(128, 256)),
    "mlp_bn": partial(MLPGenerator, hidden=(256, 512, 1024), batch_norm=True),
    "M1": M1Generator,
    "dcgan28": DCGAN28Generator,
    "dcgan": DCGANGenerator,
    # the report's CelebA models "are approximately the same. The real differences were with
    # the number of channels in the conv layers": DCGAN at half and double the base width
    "dcgan_ngf32": partial(DCGANGenerator, ngf=32),
    "dcgan_ngf128": partial(DCGANGenerator, ngf=128),
}

# Constructors take (image_shape, **kwargs).
DISCRIMINATORS: dict[str, Callable[..., nn.Module]] = {
    "M3": partial(MLPDiscriminator, hidden=(1024, 512, 256), dropout=0.3),
    "mlp_small": partial(MLPDiscriminator, hidden=(256, 128), dropout=0.3),
    "conv_small": ConvDiscriminator,
    "conv_sn": partial(ConvDiscriminator, dropout=0.0, spectral=True),
    "dcgan28": DCGAN28Discriminator,
    "dcgan": DCGANDiscriminator,
    "dcgan_ndf32": partial(DCGANDiscriminator, ndf=32),
    "dcgan_ndf128": partial(DCGANDiscriminator, ndf=128),
}

# Constructors take (image_shape, z_dim, **kwargs).
AUTOENCODERS: dict[str, Callable[..., nn.Module]] = {
    "conv": ConvAutoencoder,
}


def _build(
    kind: str, registry: Mapping[str, Callable[..., nn.Module]], name: str, *args: Any, **kwargs: Any
) -> nn.Module:
    if name not in registry:
        raise ConfigError(f"unknown {kind} '{name}' (known: {', '.join(sorted(registry))})")
    try:
        return registry[name](*args, **kwargs)
    except TypeError as exc:
        raise ConfigError(f"{kind} '{name}': bad keyword arguments {sorted(kwargs)} ({exc})") from exc


def _shape(image_shape: Any) -> tuple[int, int, int]:
    return tuple(int(s) for s in image_shape)  # type: ignore[return-value]


def build_generator(
    name: str, z_dim: int, image_shape: Any, kwargs: Mapping[str, Any] | None = None
) -> nn.Module:
    """Construct generator ``name`` for ``z_dim`` and ``image_shape`` (C, H, W)."""
    return _build("generator", GENERATORS, name, int(z_dim), _shape(image_shape), **_tuples(kwargs))


def build_discriminator(name: str, image_shape: Any, kwargs: Mapping[str, Any] | None = None) -> nn.Module:
    """Construct discriminator ``name`` for ``image_shape`` (C, H, W)."""
    return _build("discriminator", DISCRIMINATORS, name, _shape(image_shape), **_tuples(kwargs))


def build_autoencoder(
    name: str, image_shape: Any, z_dim: int, kwargs: Mapping[str, Any] | None = None
) -> nn.Module:
    """Construct autoencoder ``name`` (it has ``.encoder`` and ``.decoder``)."""
    return _build("autoencoder", AUTOENCODERS, name, _shape(image_shape), int(z_dim), **_tuples(kwargs))


def _tuples(kwargs: Mapping[str, Any] | None) -> dict[str, Any]:
    """JSON lists -> tuples (constructors take layer widths as tuples)."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in (kwargs or {}).items()}
