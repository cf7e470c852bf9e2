"""YAML parsing through libyaml where PyYAML was built with it, with the pure-Python parser's errors.

PyYAML's C loaders (``yaml.CSafeLoader``: libyaml's scanner, parser and composer) parse about
ten times faster than the pure-Python ``yaml.SafeLoader``; both then build the Python objects
with the same constructors and resolvers, so a document both accept gives the same data. Their
error messages differ (libyaml words problems differently and sometimes marks another column),
so a document the C loader rejects is parsed again by the pure-Python loader, and whatever that
raises (or returns) is the answer: every error reads as it did with the pure-Python loader.

Every document is composed first and checked (:func:`check_expansion`) before any Python value
is built: nesting deeper than :data:`MAX_DEPTH`, or more than :data:`MAX_VALUES` values once its
aliases are expanded, or an integer longer than :data:`MAX_INT_DIGITS` digits (Python's
conversion limit would raise a bare ``ValueError``), is an :class:`ExpansionError` marking the line.
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


#: the most values a document may hold once its aliases are expanded (the repository's largest
#: YAML file, config/claims.yaml, holds about 4,300): a few hundred bytes of nested aliases
#: (a "billion laughs" document) would otherwise expand to billions
MAX_VALUES = 100_000
#: the deepest nesting of mappings and lists (the repository's files nest at most 9 levels)
MAX_DEPTH = 64
#: the longest integer accepted, in characters (below Python's int conversion limit of 4,300
#: digits; a seed or a count of the repository's files has at most 12)
MAX_INT_DIGITS = 100
_INT_TAG = "tag:yaml.org,2002:int"


class ExpansionError(yaml.MarkedYAMLError):
    """A document nested too deep, expanding to too many values through its aliases, or holding
    an integer too long to convert."""


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_scalar(node: yaml.ScalarNode) -> None:
    """Refuse a long scalar that resolves to an integer (plain, or tagged ``!!int``)."""
    tag = node.tag
    if node.style is None and tag != _INT_TAG:  # a plain scalar: resolved as the loaders resolve it
        tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, node.value, (True, False))
    if tag == _INT_TAG:
        raise ExpansionError(
            problem=f"an integer longer than {MAX_INT_DIGITS} digits ({node.value[:20]}...)",
            problem_mark=node.start_mark,
        )


def check_expansion(node: yaml.Node) -> None:
    """Refuse a composed document deeper than :data:`MAX_DEPTH`, or holding more than
    :data:`MAX_VALUES` values once every alias is expanded (counted on the node graph, where an
    alias is a shared node, in time linear in its size); the error marks the innermost
    mapping or list that crosses the limit."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(node, 1, False)]
    while stack:
        current, depth, done = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpansionError(
                problem=f"nested more than {MAX_DEPTH} levels deep", problem_mark=current.start_mark
            )
        if id(current) in sizes:
            continue
        if isinstance(current, yaml.ScalarNode) and len(current.value) > MAX_INT_DIGITS:
            _check_scalar(current)
        children = _children(current)
        if not done:
            stack.append((current, depth, True))
            stack.extend((child, depth + 1, False) for child in children if id(child) not in sizes)
            continue
        sizes[id(current)] = 1 + sum(sizes[id(child)] for child in children)
        if sizes[id(current)] > MAX_VALUES:
            raise ExpansionError(
                problem=f"expands to more than {MAX_VALUES:,} values through its aliases (*name)",
                problem_mark=current.start_mark,
            )


def _load_single(loader_cls: type, text: str, name: str | None) -> Any:
    loader = loader_cls(text)
    if name is not None:
        loader.name = name
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_expansion(node)
        return loader.construct_document(node)
    except RecursionError:  # the pure-Python composer recurses per level, before the check above
        raise ExpansionError(problem=f"nested more than {MAX_DEPTH} levels deep") from None
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
        except ExpansionError:
            raise  # the composed document's size or depth: the same with either parser
        except Exception:  # noqa: BLE001, S110 - the pure-Python parse below raises the canonical error
            pass
    return _load_single(loader, text, name)


C_SAFE_LOADER: type | None = yaml.CSafeLoader if HAVE_LIBYAML else None


def safe_load(text: str) -> Any:
    """``yaml.safe_load(text)``, through libyaml when available (same data, same errors)."""
    return load(text, loader=yaml.SafeLoader, fast=C_SAFE_LOADER)
