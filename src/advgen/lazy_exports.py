"""A package's names loaded on first use (PEP 562): ``import advgen.gan.spec`` (torch-free, read
by the Snakefile and the CLI) does not import torch through the package's ``__init__``.

A package states its table (submodule -> the names it defines) once and takes its ``__all__``,
module ``__getattr__`` and ``__dir__`` from :func:`lazy_exports`; a loaded name is kept in the package's
namespace, so it is looked up once."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from typing import Any


def lazy_exports(
    package: str, names: Mapping[str, Sequence[str]], namespace: MutableMapping[str, Any]
) -> tuple[list[str], Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__all__``, module ``__getattr__`` and ``__dir__`` of ``package``, whose submodules
    define ``names`` (submodule -> its names): a name is imported from its submodule on first use
    and kept in ``namespace``; an unknown name is the :class:`AttributeError` ``getattr``
    expects."""
    where = {name: module for module, defined in names.items() for name in defined}

    def getattr_(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{where[name]}"), name)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted({*namespace, *where})

    return sorted(where), getattr_, dir_
