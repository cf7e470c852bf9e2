"""A package's names loaded on first use (PEP 562): ``import advgen.gan.spec`` (torch-free, read
by the Snakefile and the CLI) does not import torch through the package's ``__init__``.

A package lists ``_WHERE`` (name -> the submodule that defines it) and delegates its module
``__getattr__`` here; a loaded name is kept in the package's namespace, so it is looked up once."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, MutableMapping
from typing import Any


def load_export(
    package: str, where: Mapping[str, str], namespace: MutableMapping[str, Any], name: str
) -> Any:
    """``package.<where[name]>.name``, imported, kept in ``namespace``; an unknown name is the
    :class:`AttributeError` ``getattr`` expects."""
    if name not in where:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{package}.{where[name]}"), name)
    namespace[name] = value
    return value
