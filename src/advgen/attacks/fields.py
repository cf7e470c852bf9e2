"""The parameters of an attack as data: the field helper :func:`param` and the base dataclass
:class:`AttackParams` that checks every value once (no torch import).

Each attack's dataclass (:mod:`advgen.attacks.params`) derives from :class:`AttackParams` and
declares each parameter with :func:`param`: its default (the paper's), its description, and its
values (``choices``; a ``norm`` field's: the class's :attr:`AttackParams.norms`) or its range
(``bounds``, an interval: ``"[1, 100000]"``, ``"(0, 1]"``). Building one checks every value (a
one-line :class:`~advgen.errors.ConfigError`: unknown key, wrong type, value out of range or not
among the choices) and converts integral numbers of a float field to float, integral floats of an
int field to int. :meth:`AttackParams.schema` is the schema's ``params`` definition of the attack.
"""

from __future__ import annotations

import dataclasses
import numbers
import re
import typing
from dataclasses import dataclass
from typing import Any, ClassVar

from advgen.errors import ConfigError

__all__ = ["AttackParams", "check_choice", "interval", "param"]


def check_choice(name: str, key: str, value: str, choices: tuple[str, ...]) -> None:
    """One-line error for an unknown norm / loss / version (a parameter's values)."""
    if value not in choices:
        raise ConfigError(f"{name}: unknown {key} {value!r} (expected one of {', '.join(choices)})")


def param(
    default: Any,
    doc: str,
    *,
    bounds: str | None = None,
    choices: tuple[str, ...] | None = None,
    schema_default: bool = True,
) -> Any:
    """A parameter field: its ``default``, its description ``doc`` (the schema's), its range
    ``bounds`` (numbers, :func:`interval`) or its values ``choices`` (strings). With
    ``schema_default=False`` the schema states no default, so config entries and specs without
    the key stay as they were (the code's default applies)."""
    metadata = {"doc": doc, "bounds": bounds, "choices": choices, "schema_default": schema_default}
    return dataclasses.field(default=default, metadata=metadata)


_INTERVAL = re.compile(r"([\[(])\s*(-?[0-9.e+-]+)\s*,\s*(-?[0-9.e+-]+)\s*([\])])")


def _number(text: str) -> int | float:
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


def interval(text: str) -> dict[str, int | float]:
    """An interval (``"[1, 1000000]"``, ``"(0, 1]"``: a parenthesis leaves its end out) as JSON
    Schema keywords: ``minimum`` / ``exclusiveMinimum`` and ``maximum`` / ``exclusiveMaximum``.

    Raises:
        ValueError: not an interval of two numbers, the lower first.
    """
    match = _INTERVAL.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is no interval (write '[low, high]', '(' or ')' for an open end)")
    low, high = _number(match.group(2)), _number(match.group(3))
    if not low < high:
        raise ValueError(f"{text!r}: the lower end must come first")
    return {
        "exclusiveMinimum" if match.group(1) == "(" else "minimum": low,
        "exclusiveMaximum" if match.group(4) == ")" else "maximum": high,
    }


_JSON_TYPES = {int: "integer", float: "number", bool: "boolean", str: "string", type(None): "null"}
#: range keyword -> (the test a value within the range passes, its sign in a message)
_WITHIN = {
    "minimum": (lambda v, b: v >= b, ">="),
    "exclusiveMinimum": (lambda v, b: v > b, ">"),
    "maximum": (lambda v, b: v <= b, "<="),
    "exclusiveMaximum": (lambda v, b: v < b, "<"),
}


@dataclass(frozen=True)
class AttackParams:
    """The parameters of an attack without any (the base of every attack's dataclass)."""

    #: the attack's default budget (inf: a minimal-perturbation attack's minimal perturbation)
    eps: ClassVar[float] = 0.3
    #: the distance measures it takes, its default first (linf, l2, l0 pixels, spatial)
    norms: ClassVar[tuple[str, ...]] = ("linf",)

    @classmethod
    def attack(cls) -> str:
        """The attack's name (the class name less ``Params``)."""
        return cls.__name__.removesuffix("Params")

    @classmethod
    def of(cls, *args: Any, **kwargs: Any) -> AttackParams:
        """The parameters from arguments: positional ones in the fields' order, then keywords."""
        names = [f.name for f in dataclasses.fields(cls)]
        if len(args) > len(names):
            raise TypeError(f"{cls.attack()} takes {len(names)} parameters after eps, got {len(args)}")
        given = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key in given:
                raise TypeError(f"{cls.attack()}: parameter {key!r} given twice")
            given[key] = value
        unknown = sorted(set(given) - set(names))
        if unknown:
            known = f"one of {', '.join(names)}" if names else "none"
            raise ConfigError(f"{cls.attack()}: unknown parameter {unknown[0]!r} (expected {known})")
        return cls(**given)

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, self._checked(f, getattr(self, f.name)))

    @classmethod
    def choices(cls, f: dataclasses.Field[Any]) -> tuple[str, ...] | None:
        """The values field ``f`` takes (a ``norm``: :attr:`norms`), None for any of its type."""
        return cls.norms if f.name == "norm" else f.metadata.get("choices")

    @classmethod
    def bounds(cls, f: dataclasses.Field[Any]) -> dict[str, int | float]:
        """Field ``f``'s range as JSON Schema keywords ({} without one)."""
        text = f.metadata.get("bounds")
        return interval(text) if text else {}

    @classmethod
    def types(cls, f: dataclasses.Field[Any]) -> tuple[type, ...]:
        """The types field ``f``'s annotation names (``float | None``: float, NoneType)."""
        hint = _hints(cls)[f.name]
        return typing.get_args(hint) or (hint,)

    def _checked(self, f: dataclasses.Field[Any], value: Any) -> Any:
        """``value`` of field ``f`` checked (one-line ConfigError) and converted to its type."""
        where, types = f"{self.attack()}: {f.name}", self.types(f)
        if value is None and type(None) in types:
            return None
        choices = self.choices(f)
        if choices is not None:
            check_choice(self.attack(), f.name, value, choices)
            return value
        if bool in types:
            if value not in (True, False) or not isinstance(value, bool | numbers.Integral):
                raise ConfigError(f"{where} must be true or false, got {value!r}")
            return bool(value)
        if int in types:
            integral = isinstance(value, float) and value.is_integer()
            if isinstance(value, bool) or not (isinstance(value, numbers.Integral) or integral):
                raise ConfigError(f"{where} must be an integer, got {value!r}")
            value = int(value)
        elif float in types:
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ConfigError(f"{where} must be a number, got {value!r}")
            value = float(value)
        elif not isinstance(value, str):
            raise ConfigError(f"{where} must be a string, got {value!r}")
        for key, end in self.bounds(f).items():
            inside, sign = _WITHIN[key]
            if not inside(value, end):
                raise ConfigError(f"{where} must be {sign} {end}, got {value!r}")
        return value

    @classmethod
    def unstated(cls) -> list[str]:
        """What the dataclass leaves unstated that the schema needs (one line each): a range per
        numeric field (both ends), the values of each string one, a description of each."""
        problems, where = [], f"{cls.__module__}.{cls.__qualname__}"
        for f in dataclasses.fields(cls):
            types = set(cls.types(f))
            if not f.metadata.get("doc"):
                problems.append(f"{where}.{f.name}: no description (param(default, doc))")
            if types & {int, float} and not types & {bool} and len(cls.bounds(f)) != 2:
                problems.append(f"{where}.{f.name}: no range (param(..., bounds='[low, high]'))")
            if str in types and cls.choices(f) is None:
                problems.append(f"{where}.{f.name}: no values (param(..., choices=(...)))")
        return problems

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Field -> its default (the paper's)."""
        return {f.name: f.default for f in dataclasses.fields(cls)}

    @classmethod
    def docs(cls) -> dict[str, str]:
        """Field -> its description."""
        return {f.name: f.metadata["doc"] for f in dataclasses.fields(cls)}

    @classmethod
    def description(cls) -> str:
        """What the schema says of the attack's ``params``: the docstring, on one line."""
        return " ".join((cls.__doc__ or "").split()).removesuffix(".")

    @classmethod
    def field_schema(cls, f: dataclasses.Field[Any]) -> dict[str, Any]:
        """Field ``f`` in JSON Schema: description, type (or enum), range, default."""
        prop: dict[str, Any] = {"description": f.metadata["doc"]}
        choices = cls.choices(f)
        if choices is not None:
            prop["enum"] = list(choices)
        else:
            types = [_JSON_TYPES[t] for t in cls.types(f)]
            prop["type"] = types[0] if len(types) == 1 else types
        prop.update(cls.bounds(f))
        if f.metadata.get("schema_default", True):
            prop["default"] = f.default
        return prop

    @classmethod
    def schema(cls) -> dict[str, Any]:
        """The schema's definition of the attack's ``params`` (``<module>_params``)."""
        return {
            "description": cls.description(),
            "type": "object",
            "additionalProperties": False,
            "properties": {f.name: cls.field_schema(f) for f in dataclasses.fields(cls)},
        }


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """``cls``'s resolved annotations (cached)."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]
