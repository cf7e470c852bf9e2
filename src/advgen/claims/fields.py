"""Reading one part of a claims file: where an error is (FILE:LINE and the dotted key), a side
(:class:`~advgen.claims.model.Term`), a test and its recorded changes. Used by
:mod:`advgen.claims.spec`; each problem is one :class:`~advgen.errors.ConfigError` line."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from advgen.claims import expressions
from advgen.claims.model import Change, Term, Test, names
from advgen.errors import ConfigError

EFFECTS = {"value": ("a",), "difference": ("a", "b"), "ratio": ("a", "b"), "trend": ("a",), "range": ("a",)}
#: effects that may also take b (trend: the trend of a - b, e.g. against a noise baseline)
OPTIONAL_B = ("trend",)
DIRECTIONS = ("greater", "less", "equivalent")
PER = ("examples", "proportion", "run", "exact")
REDUCE = ("mean", "last_epoch")
TEST_KEYS = {"effect", "direction", "margin", "margin_source", "by", "paired", "changes", "tolerance"}
TERM_KEYS = {
    "label",
    "table",
    "models",
    "query",
    "value",
    "per",
    "count",
    "example",
    "reduce",
    "unit",
    "runs",
    "examples",
}
#: what one run of a side may be (the page names n by its unit)
RUN_UNITS = ("seeds", "architectures", "source models", "source-target pairs", "models")


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
    :mod:`advgen.claims.expressions` (never evaluated as Python)."""
    try:
        return expressions.check(text)
    except expressions.ExpressionError as exc:
        raise where.error(keys, dotted, str(exc)) from None


def text(raw: dict[str, Any], key: str, where: Where, keys: tuple[Any, ...], dotted: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise where.error((*keys, key), f"{dotted}.{key}", "missing or not a non-empty string")
    return " ".join(value.split())


def number(value: Any, where: Where, keys: tuple[Any, ...], dotted: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise where.error(keys, dotted, f"must be a number, got {value!r}")
    return float(value)


def unknown(raw: dict[str, Any], known: set[str], where: Where, keys: tuple[Any, ...], dotted: str) -> None:
    extra = sorted(set(raw) - known)
    if extra:
        raise where.error(
            (*keys, extra[0]), f"{dotted}.{extra[0]}", f"unknown key (known: {', '.join(sorted(known))})"
        )


def term(raw: Any, roles: dict[str, str], where: Where, keys: tuple[Any, ...], dotted: str) -> Term:
    """A side: ``table`` and ``value`` required, the rest checked against its vocabulary."""
    if not isinstance(raw, dict):
        raise where.error(keys, dotted, "must be a mapping with table and value")
    unknown(raw, TERM_KEYS, where, keys, dotted)
    for key in ("table", "value"):
        if key not in raw:
            raise where.error(keys, f"{dotted}.{key}", "missing")
    table = raw["table"]
    if (
        not isinstance(table, str)
        or not table.endswith(".parquet")
        or Path(table).is_absolute()
        or ".." in Path(table).parts
    ):
        raise where.error(
            (*keys, "table"), f"{dotted}.table", "must be a .parquet path relative to the results folder"
        )
    models = raw.get("models") or {}
    if not isinstance(models, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in models.items()
    ):
        raise where.error((*keys, "models"), f"{dotted}.models", "must map a column to a role")
    for key, allowed in (("runs", RUN_UNITS), ("examples", None)):
        value = raw.get(key)
        if value is not None and (
            not isinstance(value, str) or not value.strip() or (allowed and value not in allowed)
        ):
            choices = f" one of {', '.join(allowed)}" if allowed else " a plural noun"
            raise where.error((*keys, key), f"{dotted}.{key}", f"must be{choices}")
    out = Term(
        table=table,
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
        unit=unit(raw.get("unit"), where, (*keys, "unit"), f"{dotted}.unit"),
        runs=raw.get("runs") or "seeds",
        examples=raw.get("examples") or "examples",
    )
    if out.per not in PER:
        raise where.error((*keys, "per"), f"{dotted}.per", f"{out.per!r} is not one of {', '.join(PER)}")
    if out.reduce not in REDUCE:
        raise where.error(
            (*keys, "reduce"), f"{dotted}.reduce", f"{out.reduce!r} is not one of {', '.join(REDUCE)}"
        )
    if out.per == "proportion" and not isinstance(out.count, str):
        raise where.error(
            (*keys, "count"), f"{dotted}.count", "required with per: proportion (the column of n)"
        )
    if out.count is not None:
        expression(out.count, where, (*keys, "count"), f"{dotted}.count")
        if " ".join(out.value.split()) == "success_rate" and names(out.count) == {"n"}:
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


def unit(raw: Any, where: Where, keys: tuple[Any, ...], dotted: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw or not all(isinstance(c, str) and c for c in raw):
        raise where.error(keys, dotted, "must be a non-empty list of column names")
    return tuple(raw)


def changes(raw: Any, margin: float, where: Where, keys: tuple[Any, ...], dotted: str) -> tuple[Change, ...]:
    """``{date, old, new, reason}`` entries: numbers record a margin's change (each ``old`` the
    previous number's ``new``, the last ``new`` the margin), text a change of the test itself."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise where.error(keys, dotted, "must be a list of {date, old, new, reason}")
    out: list[Change] = []
    numeric: list[Change] = []
    for i, item in enumerate(raw):
        k, d = (*keys, i), f"{dotted}[{i}]"
        if not isinstance(item, dict) or set(item) != {"date", "old", "new", "reason"}:
            raise where.error(k, d, "must have exactly date, old, new, reason")
        date = str(item["date"])
        if not re.fullmatch(r"\d{4}-\d\d-\d\d", date):
            raise where.error((*k, "date"), f"{d}.date", f"{date!r} is not YYYY-MM-DD")
        reason = text(item, "reason", where, k, d)
        kinds = {isinstance(item[x], str) for x in ("old", "new")}
        if kinds == {True}:
            old, new = (text(item, x, where, k, d) for x in ("old", "new"))
            out.append(Change(date, old, new, reason))
            continue
        if kinds != {False}:
            raise where.error(k, d, "old and new must be both numbers (a margin) or both text (the test)")
        old = number(item["old"], where, (*k, "old"), f"{d}.old")
        new = number(item["new"], where, (*k, "new"), f"{d}.new")
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


def _note(
    src: Any, where: Where, keys: tuple[Any, ...], dotted: str, kinds: tuple[str, ...]
) -> tuple[str, str]:
    if not isinstance(src, dict) or len(src) != 1 or next(iter(src)) not in kinds:
        shape = " or ".join(f"{{{k}: <{'the source' if k == 'source' else 'the reason'}>}}" for k in kinds)
        raise where.error(keys, dotted, f"must be {shape}")
    kind, note = next(iter(src.items()))
    if not isinstance(note, str) or not note.strip():
        raise where.error(keys, f"{dotted}.{kind}", "needs the number or the reason")
    return kind, " ".join(note.split())


def test(raw: Any, where: Where, keys: tuple[Any, ...], dotted: str) -> Test:
    """A claim's test (also a scale evidence's)."""
    if not isinstance(raw, dict):
        raise where.error(keys, dotted, "missing or not a mapping (effect, direction, margin, margin_source)")
    unknown(raw, TEST_KEYS, where, keys, dotted)
    effect = raw.get("effect")
    if effect not in EFFECTS:
        raise where.error(
            (*keys, "effect"), f"{dotted}.effect", f"{effect!r} is not one of {', '.join(EFFECTS)}"
        )
    direction = raw.get("direction")
    if direction not in DIRECTIONS:
        raise where.error(
            (*keys, "direction"),
            f"{dotted}.direction",
            f"{direction!r} is not one of {', '.join(DIRECTIONS)}",
        )
    if "margin" not in raw:
        raise where.error(keys, f"{dotted}.margin", "missing (the margin the source implies)")
    margin = number(raw["margin"], where, (*keys, "margin"), f"{dotted}.margin")
    kind, note = _note(
        raw.get("margin_source"),
        where,
        (*keys, "margin_source"),
        f"{dotted}.margin_source",
        ("source", "ours"),
    )
    tolerance, tolerance_note = 0.0, ""
    if direction == "equivalent":
        tol = raw.get("tolerance")
        k, d = (*keys, "tolerance"), f"{dotted}.tolerance"
        if not isinstance(tol, dict) or set(tol) != {"value", "reason"}:
            raise where.error(
                k, d, "required with direction equivalent: {value: <band half-width>, reason: ...}"
            )
        tolerance = number(tol["value"], where, (*k, "value"), f"{d}.value")
        if tolerance < 0:
            raise where.error((*k, "value"), f"{d}.value", "must be >= 0")
        tolerance_note = text(tol, "reason", where, k, d)
        if kind != "source":
            raise where.error(
                (*keys, "margin_source"),
                f"{dotted}.margin_source",
                "an equivalence test is against the source's number",
            )
    elif "tolerance" in raw:
        raise where.error((*keys, "tolerance"), f"{dotted}.tolerance", "only with direction equivalent")
    by = raw.get("by")
    if (effect == "trend") != isinstance(by, str):
        raise where.error(
            (*keys, "by"), f"{dotted}.by", "required with effect trend (the grid column), only there"
        )
    paired = raw.get("paired", False)
    if not isinstance(paired, bool) or (paired and effect not in ("difference", "ratio")):
        raise where.error(
            (*keys, "paired"), f"{dotted}.paired", "true or false; true only with difference or ratio"
        )
    if effect == "ratio" and margin <= 0:
        raise where.error((*keys, "margin"), f"{dotted}.margin", "a ratio's margin must be positive")
    if effect == "range" and direction == "equivalent":
        raise where.error((*keys, "direction"), f"{dotted}.direction", "a range is tested one-sided")
    log = changes(raw.get("changes"), margin, where, (*keys, "changes"), f"{dotted}.changes")
    return Test(effect, direction, margin, kind, note, by, paired, log, tolerance, tolerance_note)
