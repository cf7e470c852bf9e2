"""Reading one part of a claims file: where an error is (FILE:LINE and the dotted key), a side
(:class:`~advgen.claims.reading.model.Term`), a test and its recorded changes. Used by
:mod:`advgen.claims.reading.spec` on a file whose shapes ``schemas/claims.schema.yaml`` has checked
(:mod:`advgen.claims.reading.claims_file`): what is left here is what one key says about another, the
roles a side names and its expressions. Each problem is one :class:`~advgen.errors.ConfigError`
line."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from advgen.claims.reading import expressions
from advgen.claims.reading.model import Change, Term, Test
from advgen.errors import ConfigError

#: the sides each effect reads
EFFECTS = {"value": ("a",), "difference": ("a", "b"), "ratio": ("a", "b"), "trend": ("a",), "range": ("a",)}
#: effects that may also take b (trend: the trend of a - b, e.g. against a noise baseline)
OPTIONAL_B = ("trend",)


class Where:
    """Builds ``FILE:LINE: key: message`` errors for one claims file."""

    def __init__(self, path: str, lines: dict[tuple[Any, ...], int]):
        self.path, self.lines = path, lines

    def error(self, keys: tuple[Any, ...], dotted: str, msg: str) -> ConfigError:
        line = None
        for i in range(len(keys), 0, -1):
            if keys[:i] in self.lines:
                line = self.lines[keys[:i]]
                break
        where = f"{self.path}:{line}" if line else self.path
        return ConfigError(f"{where}: {dotted}: {msg}")


class At(NamedTuple):
    """A place in a claims file: its :class:`Where`, the key path (for the line) and the dotted
    name an error gives (``claims[c].control``); unpacked, the ``where, keys, dotted`` arguments
    of the readers here."""

    where: Where
    keys: tuple[Any, ...]
    dotted: str

    def key(self, key: str) -> At:
        """The place of ``key`` below this one (``claims[c].key``)."""
        return At(self.where, (*self.keys, key), f"{self.dotted}.{key}")

    def item(self, i: int) -> At:
        """The place of item ``i`` of the list here (``claims[c].checks[i]``)."""
        return At(self.where, (*self.keys, i), f"{self.dotted}[{i}]")

    def error(self, msg: str) -> ConfigError:
        return self.where.error(self.keys, self.dotted, msg)

    def missing(self, key: str, msg: str) -> ConfigError:
        """An error naming ``key`` below this place, at this place's line (``key`` is not there)."""
        return self.where.error(self.keys, f"{self.dotted}.{key}", msg)


def key_lines(node: Any, prefix: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """Line of every key path in a composed YAML node tree (mapping keys and list indices)."""
    import yaml

    out: dict[tuple[Any, ...], int] = {}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                key = (*prefix, k.value)
                out[key] = k.start_mark.line + 1
                out.update(key_lines(v, key))
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            key = (*prefix, i)
            out[key] = v.start_mark.line + 1
            out.update(key_lines(v, key))
    return out


def expression(text: Any, where: Where, keys: tuple[Any, ...], dotted: str) -> str:
    """A side's ``value`` or ``query``, checked against the grammar of
    :mod:`advgen.claims.reading.expressions` (never evaluated as Python)."""
    try:
        return expressions.check(text)
    except expressions.ExpressionError as exc:
        raise where.error(keys, dotted, str(exc)) from None


def text(raw: dict[str, Any], key: str) -> str:
    """``raw[key]`` (a text the schema checked) with its runs of whitespace as one space."""
    return " ".join(str(raw[key]).split())


def term(
    raw: dict[str, Any], roles: dict[str, str], where: Where, keys: tuple[Any, ...], dotted: str
) -> Term:
    """A side (its shape checked by the schema; a control's overrides merged into the claim's):
    its expressions, its count and the roles it names."""
    models = raw.get("models") or {}
    out = Term(
        table=raw["table"],
        value=expression(raw["value"], where, (*keys, "value"), f"{dotted}.value"),
        label=str(raw.get("label") or ""),
        models=tuple(models.items()),
        query=expression(raw["query"], where, (*keys, "query"), f"{dotted}.query")
        if raw.get("query") is not None
        else None,
        per=raw.get("per", "examples"),
        count=raw.get("count"),
        example=raw.get("example"),
        reduce=raw.get("reduce", "mean"),
        unit=tuple(raw.get("unit") or ()),
        runs=raw.get("runs") or "seeds",
        examples=raw.get("examples") or "examples",
    )
    if out.per == "proportion" and not isinstance(out.count, str):
        raise where.error(
            (*keys, "count"), f"{dotted}.count", "required with per: proportion (the column of n)"
        )
    if out.count is not None:
        expression(out.count, where, (*keys, "count"), f"{dotted}.count")
        if " ".join(out.value.split()) == "success_rate" and expressions.columns(out.count) == {"n"}:
            raise where.error(
                (*keys, "count"),
                f"{dotted}.count",
                "success_rate is a share of the correctly classified digits: its count is "
                "'n * clean_acc', not n",
            )
    try:
        table_roles = out.table_roles
    except ValueError as exc:
        raise where.error((*keys, "table"), f"{dotted}.table", f"bad {{role}} placeholder ({exc})") from None
    for role in [*table_roles, *(r for _, r in out.models)]:
        if role not in roles:
            key = "table" if role in table_roles else "models"
            raise where.error(
                (*keys, key),
                f"{dotted}.{key}",
                f"unknown role '{role}' (the claims file's roles: {', '.join(roles)})",
            )
    return out


def changes(raw: Any, margin: float, where: Where, keys: tuple[Any, ...], dotted: str) -> tuple[Change, ...]:
    """``{date, old, new, reason}`` entries: numbers record a margin's change (each ``old`` the
    previous number's ``new``, the last ``new`` the margin), text a change of the test itself."""
    out: list[Change] = []
    numeric: list[Change] = []
    for i, item in enumerate(raw or ()):
        k, d = (*keys, i), f"{dotted}[{i}]"
        date = str(item["date"])  # YAML reads an unquoted date as a date
        if not re.fullmatch(r"\d{4}-\d\d-\d\d", date):
            raise where.error((*k, "date"), f"{d}.date", f"{date!r} is not YYYY-MM-DD")
        reason = text(item, "reason")
        kinds = {isinstance(item[x], str) for x in ("old", "new")}
        if kinds == {True}:
            out.append(Change(date, text(item, "old"), text(item, "new"), reason))
            continue
        if kinds != {False}:
            raise where.error(k, d, "old and new must be both numbers (a margin) or both text (the test)")
        old, new = float(item["old"]), float(item["new"])
        if numeric and old != numeric[-1].new:
            raise where.error(
                (*k, "old"), f"{d}.old", f"{old:g} is not the previous change's new value {numeric[-1].new:g}"
            )
        change = Change(date, old, new, reason)
        numeric.append(change)
        out.append(change)
    if numeric and numeric[-1].new != margin:
        raise where.error(
            keys, dotted, f"the last change sets {numeric[-1].new:g} but the margin is {margin:g}"
        )
    return tuple(out)


def test(raw: dict[str, Any], where: Where, keys: tuple[Any, ...], dotted: str) -> Test:
    """A claim's test (also a scale evidence's): what its keys say about each other."""

    def fail(key: str | None, msg: str) -> ConfigError:
        return where.error((*keys, key) if key else keys, f"{dotted}.{key}" if key else dotted, msg)

    effect, direction, margin = raw["effect"], raw["direction"], float(raw["margin"])
    kind, note = next(iter(raw["margin_source"].items()))
    tolerance, tolerance_note = 0.0, ""
    if direction == "equivalent":
        tol = raw.get("tolerance")
        if tol is None:
            raise fail(
                "tolerance", "required with direction equivalent: {value: <band half-width>, reason: ...}"
            )
        tolerance, tolerance_note = float(tol["value"]), text(tol, "reason")
        if kind != "source":
            raise fail("margin_source", "an equivalence test is against the source's number")
    elif "tolerance" in raw:
        raise fail("tolerance", "only with direction equivalent")
    by = raw.get("by")
    if (effect == "trend") != (by is not None):
        raise fail("by", "required with effect trend (the grid column), only there")
    paired = raw.get("paired", False)
    if paired and effect not in ("difference", "ratio"):
        raise fail("paired", "true only with difference or ratio")
    if effect == "ratio" and margin <= 0:
        raise fail("margin", "a ratio's margin must be positive")
    if effect == "range" and direction == "equivalent":
        raise fail("direction", "a range is tested one-sided")
    log = changes(raw.get("changes"), margin, where, (*keys, "changes"), f"{dotted}.changes")
    return Test(
        effect, direction, margin, kind, " ".join(note.split()), by, paired, log, tolerance, tolerance_note
    )
