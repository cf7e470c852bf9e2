"""The claims file: each checkable claim of the source documents and the test fixed for it.

``config/claims.yaml`` (read with the strict loader of :mod:`advgen.config_files`: FILE:LINE
in every message, duplicate keys refused) holds:

* ``roles``: the vocabulary of model roles (``standard_cnn: "standard CNN"``, ...). A workflow
  config maps each role it fills to a config entry (its top-level ``roles:``); claims never
  name a model, so one claims file serves every config.
* ``claims``: a list. A claim quotes its source (document, section, quote, the paper's
  number), says whether it is measured here (``status``) and declares its test before any
  data is seen (``test``): the effect (``value``, ``difference``, ``ratio`` of the sides, or
  ``trend`` along a grid column), the claimed ``direction`` against a ``margin``, where the
  margin comes from (``margin_source``: ``source: <the source's number>`` or ``ours:
  <reason>``) and every later change of it (``changes``: date, old, new, reason).

A side (``a``, ``b``) selects rows of one Parquet table (relative to the results folder)::

    table: robustness/attacks.parquet   # or gans/{ns_gan}/losses.parquet: one table per run
    models: {classifier: standard_cnn}  # rows of the role's runs; each run is one seed
    query: "attack == 'fgsm' and eps == 0.25"
    value: success_rate                 # column or pandas expression
    per: proportion                     # examples | proportion (+ count) | run
    count: n

Loading checks every key and raises one :class:`~advgen.errors.ConfigError` line.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter
from typing import Any

from advgen.errors import ConfigError

SOURCES = {"001": "GAN report (001)", "003": "robustness review (003)"}
GROUPS = ("source", "check")  # check: implementation checks, not counted as source claims
STATUSES = ("measured", "paper_only", "not_testable")
EFFECTS = {"value": ("a",), "difference": ("a", "b"), "ratio": ("a", "b"), "trend": ("a",), "range": ("a",)}
#: effects that may also take b (trend: the trend of a - b, e.g. against a noise baseline)
OPTIONAL_B = ("trend",)
DIRECTIONS = ("greater", "less")
PER = ("examples", "proportion", "run")
REDUCE = ("mean", "last_epoch")
CLAIM_KEYS = {
    "id",
    "source",
    "section",
    "quote",
    "statement",
    "paper_value",
    "group",
    "status",
    "reason",
    "test",
    "a",
    "b",
    "notes",
}
TEST_KEYS = {"effect", "direction", "margin", "margin_source", "by", "paired", "changes"}
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
}
#: names an expression may use besides the table's columns
EXPRESSION_BUILTINS = {"abs", "True", "False", "None"}


@dataclass(frozen=True)
class Term:
    """One side: rows of a table, grouped into runs (seeds), reduced to values."""

    table: str
    value: str
    label: str = ""
    models: tuple[tuple[str, str], ...] = ()  # (column, role)
    query: str | None = None
    per: str = "examples"
    count: str | None = None
    example: str | None = None
    reduce: str = "mean"
    unit: tuple[str, ...] = ()  # columns whose values make one run (default: the first models column)

    @property
    def table_roles(self) -> list[str]:
        """Roles named as ``{role}`` in the table path (one table per run)."""
        return [name for _, name, _, _ in Formatter().parse(self.table) if name]

    @property
    def roles(self) -> list[str]:
        return [*self.table_roles, *(role for _, role in self.models)]

    def columns(self) -> set[str]:
        """Every column the side reads (for the check against what the DAG produces)."""
        cols = set(_names(self.value))
        if self.query:
            cols |= _names(self.query)
        cols |= {col for col, _ in self.models}
        cols |= {c for c in (self.count, self.example) if c}
        cols |= set(self.unit)
        if self.reduce == "last_epoch":
            cols.add("epoch")
        return cols

    def describe(self) -> str:
        where = f" [{self.query}]" if self.query else ""
        who = ", ".join(f"{c} of {r}" for c, r in self.models)
        return f"{self.table}{' (' + who + ')' if who else ''}{where}: {self.value}"


@dataclass(frozen=True)
class Change:
    """A recorded change of a claim's margin after it was fixed."""

    date: str
    old: float
    new: float
    reason: str


@dataclass(frozen=True)
class Test:
    """The statistical test a claim declares up front."""

    effect: str
    direction: str
    margin: float
    margin_source: str  # "source" or "ours"
    margin_note: str  # the source's number, or our reason
    by: str | None = None
    paired: bool = False
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Claim:
    """One claim, where it comes from, and its test (none unless measured)."""

    id: str
    source: str
    section: str
    quote: str
    statement: str
    group: str = "source"
    status: str = "measured"
    reason: str = ""
    paper_value: str | None = None
    test: Test | None = None
    terms: tuple[Term, ...] = ()
    notes: str = ""
    line: int | None = None

    @property
    def roles(self) -> list[str]:
        return [r for t in self.terms for r in t.roles]


@dataclass
class ClaimsFile:
    """The claims file as read: the role vocabulary and the claims, in file order."""

    path: str
    roles: dict[str, str]
    claims: list[Claim] = field(default_factory=list)


def _names(expr: str) -> set[str]:
    """The column names an expression reads (``a.str.fullmatch('x')`` reads ``a``)."""
    tree = ast.parse(expr, mode="eval")
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - EXPRESSION_BUILTINS


class _Where:
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


def _key_lines(node: Any, prefix: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """Line of every key path in a composed YAML node tree (mapping keys and list indices)."""
    import yaml

    out: dict[tuple[Any, ...], int] = {}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                key = (*prefix, k.value)
                out[key] = k.start_mark.line + 1
                out.update(_key_lines(v, key))
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            key = (*prefix, i)
            out[key] = v.start_mark.line + 1
            out.update(_key_lines(v, key))
    return out


def _expr(text: Any, where: _Where, keys: tuple[Any, ...], dotted: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise where.error(keys, dotted, "must be a non-empty string")
    try:
        ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise where.error(keys, dotted, f"not a valid expression ({exc.msg})") from None
    return text


def _text(raw: dict[str, Any], key: str, where: _Where, keys: tuple[Any, ...], dotted: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise where.error((*keys, key), f"{dotted}.{key}", "missing or not a non-empty string")
    return " ".join(value.split())


def _number(value: Any, where: _Where, keys: tuple[Any, ...], dotted: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise where.error(keys, dotted, f"must be a number, got {value!r}")
    return float(value)


def _unknown(raw: dict[str, Any], known: set[str], where: _Where, keys: tuple[Any, ...], dotted: str) -> None:
    extra = sorted(set(raw) - known)
    if extra:
        raise where.error(
            (*keys, extra[0]), f"{dotted}.{extra[0]}", f"unknown key (known: {', '.join(sorted(known))})"
        )


def _term(raw: Any, roles: dict[str, str], where: _Where, keys: tuple[Any, ...], dotted: str) -> Term:
    if not isinstance(raw, dict):
        raise where.error(keys, dotted, "must be a mapping with table and value")
    _unknown(raw, TERM_KEYS, where, keys, dotted)
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
    term = Term(
        table=table,
        value=_expr(raw["value"], where, (*keys, "value"), f"{dotted}.value"),
        label=str(raw.get("label") or ""),
        models=tuple(models.items()),
        query=_expr(raw["query"], where, (*keys, "query"), f"{dotted}.query")
        if raw.get("query") is not None
        else None,
        per=raw.get("per", "examples"),
        count=raw.get("count"),
        example=raw.get("example"),
        reduce=raw.get("reduce", "mean"),
        unit=_unit(raw.get("unit"), where, (*keys, "unit"), f"{dotted}.unit"),
    )
    if term.per not in PER:
        raise where.error((*keys, "per"), f"{dotted}.per", f"{term.per!r} is not one of {', '.join(PER)}")
    if term.reduce not in REDUCE:
        raise where.error(
            (*keys, "reduce"), f"{dotted}.reduce", f"{term.reduce!r} is not one of {', '.join(REDUCE)}"
        )
    if term.per == "proportion" and not isinstance(term.count, str):
        raise where.error(
            (*keys, "count"), f"{dotted}.count", "required with per: proportion (the column of n)"
        )
    try:
        table_roles = term.table_roles
    except ValueError as exc:
        raise where.error((*keys, "table"), f"{dotted}.table", f"bad {{role}} placeholder ({exc})") from None
    for role in [*table_roles, *(r for _, r in term.models)]:
        if role not in roles:
            key = "table" if role in table_roles else "models"
            raise where.error(
                (*keys, key),
                f"{dotted}.{key}",
                f"unknown role '{role}' (the claims file's roles: {', '.join(roles)})",
            )
    return term


def _unit(raw: Any, where: _Where, keys: tuple[Any, ...], dotted: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw or not all(isinstance(c, str) and c for c in raw):
        raise where.error(keys, dotted, "must be a non-empty list of column names")
    return tuple(raw)


def _changes(
    raw: Any, margin: float, where: _Where, keys: tuple[Any, ...], dotted: str
) -> tuple[Change, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise where.error(keys, dotted, "must be a list of {date, old, new, reason}")
    out = []
    for i, item in enumerate(raw):
        k, d = (*keys, i), f"{dotted}[{i}]"
        if not isinstance(item, dict) or set(item) != {"date", "old", "new", "reason"}:
            raise where.error(k, d, "must have exactly date, old, new, reason")
        date = str(item["date"])
        if not re.fullmatch(r"\d{4}-\d\d-\d\d", date):
            raise where.error((*k, "date"), f"{d}.date", f"{date!r} is not YYYY-MM-DD")
        old = _number(item["old"], where, (*k, "old"), f"{d}.old")
        new = _number(item["new"], where, (*k, "new"), f"{d}.new")
        reason = _text(item, "reason", where, k, d)
        if out and old != out[-1].new:
            raise where.error(
                (*k, "old"), f"{d}.old", f"{old:g} is not the previous change's new value {out[-1].new:g}"
            )
        out.append(Change(date, old, new, reason))
    if out and out[-1].new != margin:
        raise where.error(keys, dotted, f"the last change sets {out[-1].new:g} but the margin is {margin:g}")
    return tuple(out)


def _test(raw: Any, where: _Where, keys: tuple[Any, ...], dotted: str) -> Test:
    if not isinstance(raw, dict):
        raise where.error(keys, dotted, "missing or not a mapping (effect, direction, margin, margin_source)")
    _unknown(raw, TEST_KEYS, where, keys, dotted)
    effect = raw.get("effect")
    if effect not in EFFECTS:
        raise where.error(
            (*keys, "effect"), f"{dotted}.effect", f"{effect!r} is not one of {', '.join(EFFECTS)}"
        )
    direction = raw.get("direction")
    if direction not in DIRECTIONS:
        raise where.error(
            (*keys, "direction"), f"{dotted}.direction", f"{direction!r} is not greater or less"
        )
    if "margin" not in raw:
        raise where.error(keys, f"{dotted}.margin", "missing (the margin the source implies)")
    margin = _number(raw["margin"], where, (*keys, "margin"), f"{dotted}.margin")
    src = raw.get("margin_source")
    if not isinstance(src, dict) or len(src) != 1 or next(iter(src)) not in ("source", "ours"):
        raise where.error(
            (*keys, "margin_source"),
            f"{dotted}.margin_source",
            "must be {source: <the source's number>} or {ours: <reason>}",
        )
    kind, note = next(iter(src.items()))
    if not isinstance(note, str) or not note.strip():
        raise where.error(
            (*keys, "margin_source"), f"{dotted}.margin_source.{kind}", "needs the number or the reason"
        )
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
    changes = _changes(raw.get("changes"), margin, where, (*keys, "changes"), f"{dotted}.changes")
    return Test(effect, direction, margin, kind, " ".join(note.split()), by, paired, changes)


def parse_claim(raw: Any, i: int, roles: dict[str, str], where: _Where) -> Claim:
    """Check entry ``i`` of ``claims`` and build its :class:`Claim`."""
    keys, dotted = ("claims", i), f"claims[{i}]"
    if not isinstance(raw, dict):
        raise where.error(keys, dotted, "must be a mapping")
    cid = raw.get("id")
    if not isinstance(cid, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", cid):
        raise where.error((*keys, "id"), f"{dotted}.id", "missing or not a name ([A-Za-z][A-Za-z0-9_]*)")
    dotted = f"claims[{cid}]"
    _unknown(raw, CLAIM_KEYS, where, keys, dotted)
    texts = {k: _text(raw, k, where, keys, dotted) for k in ("section", "quote", "statement")}
    source = str(raw.get("source"))
    if source not in SOURCES:
        raise where.error(
            (*keys, "source"), f"{dotted}.source", f"{raw.get('source')!r} is not one of {', '.join(SOURCES)}"
        )
    group = raw.get("group", "source")
    if group not in GROUPS:
        raise where.error((*keys, "group"), f"{dotted}.group", f"{group!r} is not one of {', '.join(GROUPS)}")
    status = raw.get("status", "measured")
    if status not in STATUSES:
        raise where.error(
            (*keys, "status"), f"{dotted}.status", f"{status!r} is not one of {', '.join(STATUSES)}"
        )
    reason = raw.get("reason")
    if status != "measured" and (not isinstance(reason, str) or not reason.strip()):
        raise where.error((*keys, "reason"), f"{dotted}.reason", f"status {status} needs the reason")
    paper = raw.get("paper_value")
    common = dict(
        id=cid,
        source=source,
        group=group,
        status=status,
        reason=" ".join(str(reason or "").split()),
        paper_value=None if paper is None else " ".join(str(paper).split()),
        notes=" ".join(str(raw.get("notes") or "").split()),
        line=where.lines.get(keys),
        **texts,
    )
    if status != "measured" and "test" not in raw:
        return Claim(**common)
    test = _test(raw.get("test"), where, (*keys, "test"), f"{dotted}.test")
    needed = EFFECTS[test.effect]
    for key in ("a", "b"):
        if key in needed and key not in raw:
            raise where.error(
                keys, f"{dotted}.{key}", f"missing (effect {test.effect} compares {' and '.join(needed)})"
            )
        if key not in needed and key in raw and test.effect not in OPTIONAL_B:
            raise where.error((*keys, key), f"{dotted}.{key}", f"effect {test.effect} reads a only")
    if test.effect in OPTIONAL_B and "b" in raw:
        needed = ("a", "b")
    terms = tuple(_term(raw[k], roles, where, (*keys, k), f"{dotted}.{k}") for k in needed)
    if test.paired and not all(t.per == "examples" and t.example for t in terms):
        raise where.error(
            (*keys, "test", "paired"),
            f"{dotted}.test.paired",
            "needs per: examples and example: on both sides",
        )
    return Claim(test=test, terms=terms, **common)


def read_claims_file(path: str | Path) -> ClaimsFile:
    """Read and check a claims file strictly; one :class:`ConfigError` line (the first problem)."""
    import yaml

    from advgen import yaml_loader
    from advgen.config_files import parse_yaml

    path = Path(path)
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{name}: claims file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{name}: is a folder, not a claims file") from None
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: byte {exc.start}: not valid UTF-8") from None
    raw = parse_yaml(text, name)
    # the document parsed, so libyaml's composer (where PyYAML has it) gives the key lines
    lines = _key_lines(yaml.compose(text, Loader=yaml_loader.C_SAFE_LOADER or yaml.SafeLoader))
    where = _Where(name, lines)
    if not isinstance(raw, dict):
        raise ConfigError(f"{name}: must be a mapping with roles and claims")
    _unknown(raw, {"roles", "claims"}, where, (), "<top level>")
    roles = raw.get("roles")
    if (
        not isinstance(roles, dict)
        or not roles
        or not all(
            isinstance(k, str) and re.fullmatch(r"[a-z][a-z0-9_]*", k) and isinstance(v, str)
            for k, v in roles.items()
        )
    ):
        raise where.error(("roles",), "roles", "must map each role name ([a-z][a-z0-9_]*) to its description")
    items = raw.get("claims")
    if not isinstance(items, list) or not items:
        raise where.error(("claims",), "claims", "must be a non-empty list")
    out = ClaimsFile(name, dict(roles))
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        claim = parse_claim(item, i, out.roles, where)
        if claim.id in seen:
            raise where.error(
                ("claims", i, "id"),
                f"claims[{claim.id}].id",
                f"duplicate id (first at claims[{seen[claim.id]}])",
            )
        seen[claim.id] = i
        out.claims.append(claim)
    return out


def load_claims(path: str | Path) -> list[Claim]:
    """The claims of a claims file (:func:`read_claims_file`)."""
    return read_claims_file(path).claims
