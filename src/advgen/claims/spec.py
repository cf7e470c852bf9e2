"""The claims file: each checkable claim of the source documents and the test fixed for it.

``config/claims.yaml`` (read with the strict loader of :mod:`advgen.config_files`: FILE:LINE
in every message, duplicate keys refused) holds:

* ``roles``: the vocabulary of model roles (``standard_cnn: "standard CNN"``, ...). A workflow
  config maps each role it fills to a config entry (its top-level ``roles:``); claims never
  name a model, so one claims file serves every config.
* ``sources``: each source document's text, relative to the claims file (``docs/sources/``):
  every quote must appear in it verbatim (:mod:`advgen.claims.sources`).
* ``budgets``: the sources' training budgets per group of roles, which the page sets beside the
  study's own (computed from the config).
* ``families``: the families of claims that share data (Holm's adjustment runs within each).
* ``freeze``: the freeze record's path (:mod:`advgen.claims.phase`).
* ``claims``: a list. A claim quotes its source (document, section, quote, the paper's
  number), says whether it is measured here (``status``) and declares its test (``test``: the
  effect, the claimed ``direction`` against a ``margin`` or, for the source's number,
  ``equivalent`` within a ``tolerance``; where the margin comes from; every change, dated), its
  control of the first kind (``control``: ``kind`` and the same measurement where the effect is
  absent by construction, or ``kind: none`` with the reason), its margin checks (``checks``:
  the sides swapped or made equal), its ``family``, the preconditions of a verdict
  (``requires``), the training-scale comparison that may explain a failure (``scale``) and the
  one quality bar of its generators or the roles exempt from it (``quality_gate``).

A side (``a``, ``b``) selects rows of one Parquet table (relative to the results folder)::

    table: robustness/attacks.parquet   # or gans/{ns_gan}/losses.parquet: one table per run
    models: {classifier: standard_cnn}  # rows of the role's runs; each run is one seed
    query: "attack == 'fgsm' and eps == 0.25"
    value: success_rate                 # column or expression (advgen.claims.expressions)
    per: proportion                     # examples | proportion (+ count) | run
    count: n
    runs: seeds                         # what one run is: seeds, architectures, source-target pairs

Loading checks every key and raises one :class:`~advgen.errors.ConfigError` line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from advgen.claims import fields, sources
from advgen.claims.fields import EFFECTS, OPTIONAL_B, Where
from advgen.claims.model import (
    CONTROL_KINDS,
    POSITIVE_KINDS,
    Budget,
    Change,
    Claim,
    ClaimsFile,
    Control,
    Evidence,
    MarginCheck,
    Requirement,
    Scale,
    Term,
    Test,
)
from advgen.errors import AdvgenError, ConfigError

SOURCES = {"001": "GAN report (001)", "003": "robustness review (003)"}
GROUPS = ("source", "check")  # check: implementation checks, not counted as source claims
STATUSES = ("measured", "paper_only", "not_testable")
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
    "control",
    "calibration",
    "checks",
    "requires",
    "scale",
    "quality_gate",
    "family",
}
TOP_KEYS = {"roles", "sources", "budgets", "families", "freeze", "claims"}
CONTROL_KEYS = {"what", "kind", "reason", "a", "b"}
CALIBRATION_KEYS = {"what", "permute"}
CHECK_KEYS = {"what", "swap", "same"}
GATE_KEYS = {"exempt", "reason", "bar"}
BOUNDS = ("at_least", "at_most")
EACH = ("row", "run")

__all__ = [
    "SOURCES",
    "Budget",
    "Change",
    "Claim",
    "ClaimsFile",
    "Control",
    "Evidence",
    "MarginCheck",
    "Requirement",
    "Scale",
    "Term",
    "Test",
    "load_claims",
    "parse_claim",
    "read_claims_file",
]


def _sides(
    raw: dict[str, Any], test: Test, where: Where, keys: tuple[Any, ...], dotted: str
) -> tuple[str, ...]:
    """The sides the effect reads (a, or a and b), checked against what ``raw`` holds."""
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
    return needed


def _paired_sides(
    test: Test, terms: tuple[Term, ...], where: Where, keys: tuple[Any, ...], dotted: str
) -> None:
    if test.paired and not all(t.per == "examples" and t.example for t in terms):
        raise where.error(
            (*keys, "test", "paired"),
            f"{dotted}.test.paired",
            "needs per: examples and example: on both sides",
        )


def _control(
    raw: Any,
    claim: dict[str, Any],
    test: Test,
    sides: dict[str, Any],
    roles: dict[str, str],
    where: Where,
    keys: tuple[Any, ...],
    dotted: str,
) -> Control | None:
    """A control of the first kind (:data:`~advgen.claims.model.CONTROL_KINDS`): overrides of
    the claim's sides; ``kind: none`` with its reason. Source claims need one; implementation
    checks may have none. The permuted halves are a calibration (:func:`_calibration`)."""
    if raw is None:
        if claim.get("group", "source") != "source":
            return None
        raise where.error(
            keys,
            dotted,
            "missing: every source claim with a test declares a control of the first kind (a "
            "measurement through the same code where the effect is absent by how its data or model "
            "was made), or {kind: none, reason: ...}",
        )
    if not isinstance(raw, dict):
        raise where.error(keys, dotted, "must be a mapping with kind, what, and side overrides")
    for key in ("same", "swap"):
        if key in raw:
            raise where.error(
                (*keys, key),
                f"{dotted}.{key}",
                "the sides made equal or swapped are margin checks, not controls: list them under checks:",
            )
    if raw.get("kind") == "permuted" or "permute" in raw:
        raise where.error(
            (*keys, "permute" if "permute" in raw else "kind"),
            f"{dotted}.{'permute' if 'permute' in raw else 'kind'}",
            "the permuted halves check the interval's calibration, not the measurement: list them "
            "under calibration: {what, permute}, and give a control a fault of the measurement could make hold",
        )
    fields.unknown(raw, CONTROL_KEYS, where, keys, dotted)
    kind = raw.get("kind")
    if kind not in CONTROL_KINDS:
        raise where.error(
            (*keys, "kind"), f"{dotted}.kind", f"{kind!r} is not one of {', '.join(CONTROL_KINDS)}"
        )
    if kind == "none":
        extra = sorted(set(raw) - {"kind", "reason"})
        if extra:
            raise where.error((*keys, extra[0]), f"{dotted}.{extra[0]}", "kind none has only its reason")
        return Control("", "none", reason=fields.text(raw, "reason", where, keys, dotted))
    if "reason" in raw:
        raise where.error((*keys, "reason"), f"{dotted}.reason", "only with kind none")
    what = fields.text(raw, "what", where, keys, dotted)
    expect = "holds" if kind in POSITIVE_KINDS else "not_holds"
    if "a" not in raw and "b" not in raw:
        raise where.error(keys, dotted, "needs overrides of a / b (the side or sides the control replaces)")
    terms = []
    for key, side in sides.items():
        override = raw.get(key) or {}
        if not isinstance(override, dict):
            raise where.error(
                (*keys, key), f"{dotted}.{key}", "must be a mapping of the side's keys to replace"
            )
        merged = {**side, **override}
        terms.append(fields.term(merged, roles, where, (*keys, key), f"{dotted}.{key}"))
    for key in ("a", "b"):
        if key in raw and key not in sides:
            raise where.error((*keys, key), f"{dotted}.{key}", "the claim has no such side")
    return Control(what, kind, terms=tuple(terms), expect=expect)


def _calibration(
    raw: Any, test: Test, sides: dict[str, Any], where: Where, keys: tuple[Any, ...], dotted: str
) -> Control | None:
    """The permuted-halves calibration (``{what, permute}``): a side of a difference or ratio
    split at random in two halves of one condition (``permute: a|b``), or a trend's grid column
    permuted within each run. It checks the interval, not the measurement, so it is no control."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise where.error(keys, dotted, "must be a mapping with what and permute")
    fields.unknown(raw, CALIBRATION_KEYS, where, keys, dotted)
    what = fields.text(raw, "what", where, keys, dotted)
    permute = raw.get("permute")
    ok = (
        permute == test.by
        if test.effect == "trend"
        else permute in ("a", "b") and "b" in sides and test.effect in ("difference", "ratio")
    )
    if not ok:
        what_ok = f"the trend's grid column {test.by!r}" if test.effect == "trend" else "a or b"
        raise where.error(
            (*keys, "permute"),
            f"{dotted}.permute",
            f"{what_ok} (a side of a difference or ratio, split in two halves; a trend's grid column)",
        )
    return Control(what, "permuted", permute=permute)


def _checks(
    raw: Any, sides: dict[str, Any], where: Where, keys: tuple[Any, ...], dotted: str
) -> tuple[MarginCheck, ...]:
    """Margin checks: the sides swapped or made equal (``{what, swap: true}``, ``{what, same: a|b}``)."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        raise where.error(keys, dotted, "must be a non-empty list of {what, swap: true} or {what, same: a|b}")
    out = []
    for i, item in enumerate(raw):
        k, d = (*keys, i), f"{dotted}[{i}]"
        if not isinstance(item, dict):
            raise where.error(k, d, "must be a mapping with what, and swap: true or same: a|b")
        fields.unknown(item, CHECK_KEYS, where, k, d)
        what = fields.text(item, "what", where, k, d)
        if ("swap" in item) == ("same" in item):
            raise where.error(k, d, "needs exactly one of swap: true, same: a|b")
        if "b" not in sides:
            raise where.error(k, d, "only for a claim with sides a and b")
        if "swap" in item:
            if item["swap"] is not True:
                raise where.error((*k, "swap"), f"{d}.swap", "must be true")
            out.append(MarginCheck(what, swap=True))
        else:
            if item["same"] not in ("a", "b"):
                raise where.error((*k, "same"), f"{d}.same", "a or b")
            out.append(MarginCheck(what, same=item["same"]))
    return tuple(out)


def _requires(
    raw: Any, roles: dict[str, str], where: Where, keys: tuple[Any, ...], dotted: str
) -> tuple[Requirement, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        raise where.error(keys, dotted, "must be a non-empty list of {what, at_least|at_most, <a side>}")
    out = []
    for i, item in enumerate(raw):
        k, d = (*keys, i), f"{dotted}[{i}]"
        if not isinstance(item, dict):
            raise where.error(k, d, "must be a mapping")
        bounds = [b for b in BOUNDS if b in item]
        if len(bounds) != 1:
            raise where.error(k, d, "needs exactly one of at_least, at_most")
        bound = fields.number(item[bounds[0]], where, (*k, bounds[0]), f"{d}.{bounds[0]}")
        what = fields.text(item, "what", where, k, d)
        each = item.get("each", "row")
        if each not in EACH:
            raise where.error((*k, "each"), f"{d}.each", f"{each!r} is not one of {', '.join(EACH)}")
        side = {key: v for key, v in item.items() if key not in ("what", "each", *BOUNDS)}
        out.append(Requirement(what, fields.term(side, roles, where, k, d), bound, bounds[0], each))
    return tuple(out)


def _scale(
    raw: Any,
    budgets: dict[str, Budget],
    roles: dict[str, str],
    where: Where,
    keys: tuple[Any, ...],
    dotted: str,
) -> Scale | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise where.error(keys, dotted, "must be a mapping with budget (and evidence)")
    fields.unknown(raw, {"budget", "evidence"}, where, keys, dotted)
    budget = raw.get("budget")
    if budget not in budgets:
        raise where.error(
            (*keys, "budget"),
            f"{dotted}.budget",
            f"{budget!r} is not one of the budgets ({', '.join(budgets) or 'none'})",
        )
    ev = raw.get("evidence")
    if ev is None:
        return Scale(budget)
    k, d = (*keys, "evidence"), f"{dotted}.evidence"
    if not isinstance(ev, dict):
        raise where.error(k, d, "must be a mapping with what, test and its sides")
    fields.unknown(ev, {"what", "test", "a", "b"}, where, k, d)
    what = fields.text(ev, "what", where, k, d)
    test = fields.test(ev.get("test"), where, (*k, "test"), f"{d}.test")
    needed = _sides(ev, test, where, k, d)
    terms = tuple(fields.term(ev[s], roles, where, (*k, s), f"{d}.{s}") for s in needed)
    _paired_sides(test, terms, where, k, d)
    return Scale(budget, Evidence(what, test, terms))


def _gate(
    raw: Any, roles: dict[str, str], where: Where, keys: tuple[Any, ...], dotted: str
) -> tuple[tuple[str, ...], str, str]:
    """(exempt roles, why, the role whose bar applies to every generator of the claim)."""
    if raw is None:
        return (), "", ""
    if not isinstance(raw, dict) or not raw:
        raise where.error(keys, dotted, "must be {exempt: [roles], reason: ...} and/or {bar: <role>}")
    fields.unknown(raw, GATE_KEYS, where, keys, dotted)
    if ("exempt" in raw) != ("reason" in raw):
        raise where.error(keys, dotted, "exempt and reason go together: {exempt: [roles], reason: ...}")
    exempt: tuple[str, ...] = ()
    reason = ""
    if "exempt" in raw:
        listed = raw["exempt"]
        if not isinstance(listed, list) or not listed or not all(r in roles for r in listed):
            raise where.error((*keys, "exempt"), f"{dotted}.exempt", "must list roles of the claims file")
        exempt, reason = tuple(listed), fields.text(raw, "reason", where, keys, dotted)
    bar = raw.get("bar", "")
    if "bar" in raw and bar not in roles:
        raise where.error(
            (*keys, "bar"),
            f"{dotted}.bar",
            f"{bar!r} is not a role of the claims file (its bar applies to both sides)",
        )
    return exempt, reason, str(bar)


def _family(
    raw: dict[str, Any], families: dict[str, str] | None, where: Where, keys: tuple[Any, ...], dotted: str
) -> str:
    family = raw.get("family")
    if family is None:
        return ""
    if families is not None and family not in families:
        raise where.error(
            (*keys, "family"),
            f"{dotted}.family",
            f"{family!r} is not one of the claims file's families ({', '.join(families) or 'none'})",
        )
    return str(family)


def digest(raw: Any) -> str:
    """sha256 of a claim's content as read (canonical JSON): the freeze record keeps one per claim,
    so a claim changed after the freeze is found whether or not its ``changes`` say so."""
    import hashlib
    import json

    text = json.dumps(raw, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_claim(
    raw: Any,
    i: int,
    roles: dict[str, str],
    where: Where,
    texts_of: dict[str, str] | None = None,
    budgets: dict[str, Budget] | None = None,
    families: dict[str, str] | None = None,
) -> Claim:
    """Check entry ``i`` of ``claims`` and build its :class:`Claim`; ``texts_of`` (source id ->
    its text) checks the quote."""
    keys, dotted = ("claims", i), f"claims[{i}]"
    if not isinstance(raw, dict):
        raise where.error(keys, dotted, "must be a mapping")
    cid = raw.get("id")
    if not isinstance(cid, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", cid):
        raise where.error((*keys, "id"), f"{dotted}.id", "missing or not a name ([A-Za-z][A-Za-z0-9_]*)")
    dotted = f"claims[{cid}]"
    fields.unknown(raw, CLAIM_KEYS, where, keys, dotted)
    texts = {k: fields.text(raw, k, where, keys, dotted) for k in ("section", "quote", "statement")}
    source = str(raw.get("source"))
    if source not in SOURCES:
        raise where.error(
            (*keys, "source"), f"{dotted}.source", f"{raw.get('source')!r} is not one of {', '.join(SOURCES)}"
        )
    if sources.wordless(texts["quote"]):
        raise where.error(
            (*keys, "quote"), f"{dotted}.quote", "has no words (quote the source's sentence verbatim)"
        )
    short = sources.too_short(texts["quote"])
    if short is not None:
        part, least = short
        n = sources.words(part)
        raise where.error(
            (*keys, "quote"),
            f"{dotted}.quote",
            f"{part[:60]!r} has {n} word{'s' if n != 1 else ''}, fewer than {least}: "
            f"{'a quote' if least == sources.MIN_QUOTE_WORDS else 'a piece between ... elisions'} that short "
            "is found in almost any text",
        )
    if texts_of is not None:
        missing = sources.find(texts["quote"], texts_of[source])
        if missing is not None:
            raise where.error(
                (*keys, "quote"),
                f"{dotted}.quote",
                f"not in the source text of {source} (verbatim): {missing[:60]!r}",
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
    exempt, gate_reason, gate_bar = _gate(
        raw.get("quality_gate"), roles, where, (*keys, "quality_gate"), f"{dotted}.quality_gate"
    )
    common = dict(
        id=cid,
        source=source,
        group=group,
        status=status,
        reason=" ".join(str(reason or "").split()),
        paper_value=None if paper is None else " ".join(str(paper).split()),
        notes=" ".join(str(raw.get("notes") or "").split()),
        line=where.lines.get(keys),
        gate_exempt=exempt,
        gate_reason=gate_reason,
        gate_bar=gate_bar,
        family=_family(raw, families, where, keys, dotted),
        digest=digest(raw),
        **texts,
    )
    if status != "measured" and "test" not in raw:
        for key in ("control", "calibration", "checks", "requires", "scale", "family"):
            if key in raw:
                raise where.error((*keys, key), f"{dotted}.{key}", "only for a claim with a test")
        return Claim(**common)
    test = fields.test(raw.get("test"), where, (*keys, "test"), f"{dotted}.test")
    needed = _sides(raw, test, where, keys, dotted)
    terms = tuple(fields.term(raw[k], roles, where, (*keys, k), f"{dotted}.{k}") for k in needed)
    _paired_sides(test, terms, where, keys, dotted)
    if group == "source" and not common["family"]:
        raise where.error(
            keys,
            f"{dotted}.family",
            "missing: every source claim with a test names its family (the claims that share its data)",
        )
    sides = {k: raw[k] for k in needed}
    control = _control(
        raw.get("control"), raw, test, sides, roles, where, (*keys, "control"), f"{dotted}.control"
    )
    calibration = _calibration(
        raw.get("calibration"), test, sides, where, (*keys, "calibration"), f"{dotted}.calibration"
    )
    checks = _checks(raw.get("checks"), sides, where, (*keys, "checks"), f"{dotted}.checks")
    requires = _requires(raw.get("requires"), roles, where, (*keys, "requires"), f"{dotted}.requires")
    scale = _scale(raw.get("scale"), budgets or {}, roles, where, (*keys, "scale"), f"{dotted}.scale")
    return Claim(
        test=test,
        terms=terms,
        control=control,
        calibration=calibration,
        checks=checks,
        requires=requires,
        scale=scale,
        **common,
    )


def _read_budgets(raw: Any, roles: dict[str, str], where: Where) -> dict[str, Budget]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise where.error(("budgets",), "budgets", "must map a name to {what, roles, source}")
    out = {}
    for name, item in raw.items():
        k, d = ("budgets", name), f"budgets.{name}"
        if not isinstance(item, dict) or set(item) != {"what", "roles", "source"}:
            raise where.error(k, d, "must have exactly what, roles, source")
        rs = item["roles"]
        if not isinstance(rs, list) or not rs or not all(r in roles for r in rs):
            raise where.error((*k, "roles"), f"{d}.roles", "must list roles of the claims file")
        out[name] = Budget(
            name, fields.text(item, "what", where, k, d), tuple(rs), fields.text(item, "source", where, k, d)
        )
    return out


def _read_families(raw: Any, where: Where) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and re.fullmatch(r"[a-z][a-z0-9_]*", k) and isinstance(v, str) and v.strip()
        for k, v in raw.items()
    ):
        raise where.error(
            ("families",),
            "families",
            "must map each family name ([a-z][a-z0-9_]*) to the data its claims share",
        )
    return {k: " ".join(v.split()) for k, v in raw.items()}


def _read_freeze(raw: Any, where: Where) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str) or not raw.strip() or Path(raw).is_absolute() or not raw.endswith(".json"):
        raise where.error(
            ("freeze",), "freeze", "must be the freeze record's .json path, relative to the claims file"
        )
    return raw


def read_claims_file(path: str | Path) -> ClaimsFile:
    """Read and check a claims file strictly; one :class:`ConfigError` line (the first problem)."""
    import hashlib

    import yaml

    from advgen import yaml_loader
    from advgen.config_files import parse_yaml
    from advgen.io import regular_input

    path = Path(path)
    name = str(path)
    try:
        regular_input(path)
    except AdvgenError as exc:
        raise ConfigError(str(exc)) from None
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
    lines = fields.key_lines(yaml.compose(text, Loader=yaml_loader.C_SAFE_LOADER or yaml.SafeLoader))
    where = Where(name, lines)
    if not isinstance(raw, dict):
        raise ConfigError(f"{name}: must be a mapping with roles, sources and claims")
    fields.unknown(raw, TOP_KEYS, where, (), "<top level>")
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
    paths, texts = sources.read_sources(raw.get("sources"), path, where, tuple(SOURCES))
    budgets = _read_budgets(raw.get("budgets"), dict(roles), where)
    families = _read_families(raw.get("families"), where)
    items = raw.get("claims")
    if not isinstance(items, list) or not items:
        raise where.error(("claims",), "claims", "must be a non-empty list")
    out = ClaimsFile(
        name,
        dict(roles),
        sources=paths,
        budgets=budgets,
        families=families,
        freeze=_read_freeze(raw.get("freeze"), where),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        claim = parse_claim(item, i, out.roles, where, texts, budgets, families)
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
