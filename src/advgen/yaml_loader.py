"""YAML parsing through libyaml where PyYAML was built with it, with the pure-Python parser's errors.

PyYAML's C loaders (``yaml.CSafeLoader``: libyaml's scanner, parser and composer) parse about
ten times faster than the pure-Python ``yaml.SafeLoader``; both then build the Python objects
with the same constructors and resolvers, so a document both accept gives the same data. Their
error messages differ (libyaml words problems differently and sometimes marks another column),
so a document the C loader rejects is parsed again by the pure-Python loader, and whatever that
raises (or returns) is the answer: every error reads as it did with the pure-Python loader.
"""

from __future__ import annotations

from typing import Any

import yaml

#: whether this PyYAML has libyaml (the fast path)
HAVE_LIBYAML: bool = bool(getattr(yaml, "__with_libyaml__", False))


def c_variant(loader: type) -> type | None:
    """A libyaml-backed subclass of ``yaml.CSafeLoader`` with ``loader``'s own constructors.

    ``loader`` is a subclass of ``yaml.SafeLoader``; the variant shares its constructor table
    (``add_constructor`` calls on ``loader`` before this call). ``None`` without libyaml.
    """
    if not HAVE_LIBYAML:
        return None
    variant = type(f"C{loader.__name__}", (yaml.CSafeLoader,), {})
    variant.yaml_constructors = dict(loader.yaml_constructors)
    variant.yaml_multi_constructors = dict(loader.yaml_multi_constructors)
    return variant


def _load_single(loader_cls: type, text: str, name: str | None) -> Any:
    loader = loader_cls(text)
    if name is not None:
        loader.name = name
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def load(
    text: str, *, loader: type = yaml.SafeLoader, fast: type | None = None, name: str | None = None
) -> Any:
    """Parse one YAML document ``text``: with ``fast`` (a libyaml loader) first, ``loader`` on any error.

    ``name`` is set as the loaders' ``name`` (constructors may quote it in their errors). The
    pure-Python ``loader`` also runs when ``fast`` is ``None`` (no libyaml), so the result and
    every exception are those of ``loader``.
    """
    if fast is not None:
        try:
            return _load_single(fast, text, name)
        except Exception:  # noqa: BLE001, S110 - the pure-Python parse below raises the canonical error
            pass
    return _load_single(loader, text, name)


C_SAFE_LOADER: type | None = yaml.CSafeLoader if HAVE_LIBYAML else None


def safe_load(text: str) -> Any:
    """``yaml.safe_load(text)``, through libyaml when available (same data, same errors)."""
    return load(text, loader=yaml.SafeLoader, fast=C_SAFE_LOADER)
