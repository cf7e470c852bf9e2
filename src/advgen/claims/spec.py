"""The claims file: each checkable claim of the source documents and the measurement testing it.

``config/claims.yaml`` holds ``defaults`` and a list ``claims``. A claim names its source
(seed document, section, quote, the paper's own number) and one generic comparison
(:data:`KINDS`) between *terms*. A term selects rows of one Parquet table under the results
folder and reduces one column (or a pandas expression over columns) to a number::

    table: robustness/attacks.parquet      # relative to --results
    query: "classifier == 'digits_cnn_pgd' and attack == 'pgd40' and eps == 0.2"
    value: robust_acc                      # column or pandas expression ("a - b")
    agg: mean                              # within one replicate: mean|median|min|max|sum|last
    over: seed                             # replicate column (default: seed, when present)

Nothing here is specific to one claim; loading checks every key and raises one
:class:`~advgen.errors.ConfigError` line naming the file and key.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from advgen import yaml_loader
from advgen.errors import ConfigError

#: comparison kinds and the terms each needs
KINDS: dict[str, tuple[str, ...]] = {
    "greater": ("a", "b"),  # a > factor * b + margin
    "less": ("a", "b"),  # a < factor * b - margin
    "threshold": ("a",),  # a <op> value
    "order": ("terms",),  # terms[0] < terms[1] < ... (direction: increasing|decreasing)
    "trend": ("a",),  # a, grouped by `by`, increases / decreases along the grid
}
AGGS = ("mean", "median", "min", "max", "sum", "last")
OPS = (">", ">=", "<", "<=")
SOURCES = ("001", "003")
DEFAULTS: dict[str, Any] = {"min_seeds": 3, "rel_tolerance": 0.05, "tolerance": 0.0}


@dataclass(frozen=True)
class Term:
    """One measured quantity: rows of a table reduced to a number (per replicate)."""

    table: str
    value: str
    query: str | None = None
    agg: str = "mean"
    over: str | None = None
    label: str | None = None
    order_by: str | None = None  # for agg "last"

    def describe(self) -> str:
        """Short human description: table, filter and value."""
        where = f" [{self.query}]" if self.query else ""
        return f"{self.table}{where}: {self.agg}({self.value})"


@dataclass(frozen=True)
class Claim:
    """One claim and its test."""

    id: str
    source: str
    section: str
    quote: str
    statement: str
    kind: str
    terms: tuple[Term, ...]
    paper_value: str | None = None
    margin: float = 0.0
    factor: float = 1.0
    op: str | None = None
    value: float | None = None
    direction: str = "increasing"
    by: str | None = None
    noisy: bool = False
    min_seeds: int = 3
    tolerance: float = 0.0
    rel_tolerance: float = 0.05
    notes: str = ""


def _fail(where: str, msg: str) -> ConfigError:
    return ConfigError(f"{where}: {msg}")


def _check_expr(text: Any, where: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise _fail(where, "must be a non-empty string")
    try:
        ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise _fail(where, f"not a valid expression ({exc.msg})") from exc
    return text


def _term(raw: Any, where: str, default_agg: str) -> Term:
    if not isinstance(raw, dict):
        raise _fail(where, "must be a mapping with table and value")
    unknown = set(raw) - {"table", "value", "query", "agg", "over", "label", "order_by"}
    if unknown:
        raise _fail(f"{where}.{sorted(unknown)[0]}", "unknown key")
    for key in ("table", "value"):
        if key not in raw:
            raise _fail(f"{where}.{key}", "missing")
    table = raw["table"]
    if (
        not isinstance(table, str)
        or not table.endswith(".parquet")
        or Path(table).is_absolute()
        or ".." in Path(table).parts
    ):
        raise _fail(f"{where}.table", "must be a .parquet path relative to the results folder")
    agg = raw.get("agg", default_agg)
    if agg not in AGGS:
        raise _fail(f"{where}.agg", f"{agg!r} is not one of {', '.join(AGGS)}")
    if agg == "last" and not raw.get("order_by"):
        raise _fail(f"{where}.order_by", "required with agg: last")
    query = _check_expr(raw["query"], f"{where}.query") if raw.get("query") is not None else None
    return Term(
        table=table,
        value=_check_expr(raw["value"], f"{where}.value"),
        query=query,
        agg=agg,
        over=raw.get("over"),
        label=raw.get("label"),
        order_by=raw.get("order_by"),
    )


def _number(raw: dict[str, Any], key: str, where: str, default: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(f"{where}.{key}", f"must be a number, got {value!r}")
    return float(value)


def parse_claim(raw: Any, where: str, defaults: dict[str, Any]) -> Claim:
    """Check one entry of ``claims`` and build its :class:`Claim`."""
    if not isinstance(raw, dict):
        raise _fail(where, "must be a mapping")
    for key in ("id", "source", "section", "quote", "statement", "kind"):
        if key not in raw or not isinstance(raw[key], str) or not raw[key].strip():
            raise _fail(f"{where}.{key}", "missing or not a non-empty string")
    where = f"claims[{raw['id']}]"
    if str(raw["source"]) not in SOURCES:
        raise _fail(f"{where}.source", f"{raw['source']!r} is not one of {', '.join(SOURCES)}")
    kind = raw["kind"]
    if kind not in KINDS:
        raise _fail(f"{where}.kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    known = {
        "id",
        "source",
        "section",
        "quote",
        "statement",
        "kind",
        "paper_value",
        "margin",
        "factor",
        "op",
        "value",
        "direction",
        "by",
        "noisy",
        "min_seeds",
        "tolerance",
        "rel_tolerance",
        "notes",
        "agg",
        "a",
        "b",
        "terms",
    }
    unknown = set(raw) - known
    if unknown:
        raise _fail(f"{where}.{sorted(unknown)[0]}", "unknown key")
    agg = raw.get("agg", "mean")
    if kind == "order":
        items = raw.get("terms")
        if not isinstance(items, list) or len(items) < 2:
            raise _fail(f"{where}.terms", "must list at least 2 terms")
        terms = tuple(_term(t, f"{where}.terms[{i}]", agg) for i, t in enumerate(items))
    else:
        for key in KINDS[kind]:
            if key not in raw:
                raise _fail(f"{where}.{key}", f"missing (kind {kind} needs {', '.join(KINDS[kind])})")
        terms = tuple(_term(raw[key], f"{where}.{key}", agg) for key in KINDS[kind])
    op = raw.get("op")
    if kind == "threshold":
        if op not in OPS:
            raise _fail(f"{where}.op", f"{op!r} is not one of {', '.join(OPS)}")
        if "value" not in raw:
            raise _fail(f"{where}.value", "missing (kind threshold compares against it)")
    direction = raw.get("direction", "increasing")
    if direction not in ("increasing", "decreasing"):
        raise _fail(f"{where}.direction", f"{direction!r} is not increasing or decreasing")
    if kind == "trend" and not isinstance(raw.get("by"), str):
        raise _fail(f"{where}.by", "missing (kind trend needs the grid column)")
    noisy = raw.get("noisy", False)
    if not isinstance(noisy, bool):
        raise _fail(f"{where}.noisy", "must be true or false")
    min_seeds = raw.get("min_seeds", defaults["min_seeds"])
    if isinstance(min_seeds, bool) or not isinstance(min_seeds, int) or min_seeds < 1:
        raise _fail(f"{where}.min_seeds", "must be a positive integer")
    paper = raw.get("paper_value")
    return Claim(
        id=raw["id"],
        source=str(raw["source"]),
        section=raw["section"],
        quote=raw["quote"].strip(),
        statement=raw["statement"].strip(),
        kind=kind,
        terms=terms,
        paper_value=None if paper is None else str(paper),
        margin=_number(raw, "margin", where, 0.0),
        factor=_number(raw, "factor", where, 1.0),
        op=op,
        value=_number(raw, "value", where, 0.0) if kind == "threshold" else None,
        direction=direction,
        by=raw.get("by"),
        noisy=noisy,
        min_seeds=min_seeds,
        tolerance=_number(raw, "tolerance", where, defaults["tolerance"]),
        rel_tolerance=_number(raw, "rel_tolerance", where, defaults["rel_tolerance"]),
        notes=str(raw.get("notes", "")).strip(),
    )


def load_claims(path: str | Path) -> list[Claim]:
    """Read and check a claims file; one :class:`ConfigError` line per problem (first found)."""
    path = Path(path)
    try:
        raw = yaml_loader.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: claims file not found") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}:{line} not valid YAML") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("claims"), list) or not raw["claims"]:
        raise ConfigError(f"{path}: claims: must be a non-empty list")
    defaults = dict(DEFAULTS)
    given = raw.get("defaults") or {}
    if not isinstance(given, dict) or set(given) - set(DEFAULTS):
        bad = sorted(set(given) - set(DEFAULTS)) if isinstance(given, dict) else ["defaults"]
        raise ConfigError(f"{path}: defaults.{bad[0]}: unknown key (known: {', '.join(DEFAULTS)})")
    defaults.update(given)
    claims, seen = [], set()
    for i, item in enumerate(raw["claims"]):
        try:
            claim = parse_claim(item, f"claims[{i}]", defaults)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None
        if claim.id in seen:
            raise ConfigError(f"{path}: claims[{claim.id}].id: duplicate id")
        seen.add(claim.id)
        claims.append(claim)
    return claims
