"""Frozen settings dataclasses built from a spec mapping, one way for all of them.

:class:`advgen.defense.adaptive.AdaptiveBudget` and
:class:`advgen.robustness.masking_spec.MaskingSettings` are frozen dataclasses whose defaults are
the papers' values; a job's spec overrides some of them. :func:`settings_from_mapping` builds
one: an unknown key is a one-line :class:`~advgen.errors.ConfigError` listing the known ones,
tuple fields take any list (of numbers), integral numbers of int fields become ints, and the
class's own ``__post_init__`` checks the values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from advgen.errors import ConfigError

T = TypeVar("T")


def settings_from_mapping(
    cls: type[T], values: Mapping[str, Any] | None, source: str, *, where: str = ""
) -> T:
    """``cls`` with its defaults overridden by ``values``.

    Arguments:
        cls: a dataclass whose fields are numbers, bools or tuples of numbers.
        values: the overrides (None: all defaults).
        source: what the errors about keys and types name (``--spec: checks``).
        where: prefixed to the errors ``cls`` raises itself (``--spec: ``).
    """
    values = dict(values or {})
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ConfigError(
            f"{source}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(fields))})"
        )
    try:
        for key, value in values.items():
            kind = str(fields[key].type)
            if kind.startswith("tuple"):
                values[key] = tuple(float(v) for v in value)
            elif kind in ("int", str(int)) and float(value) == int(value):
                values[key] = int(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: {exc}") from None
    try:
        return cls(**values)
    except ConfigError as exc:
        if not where:
            raise
        raise ConfigError(f"{where}{exc}") from None
