"""The claims file: each checkable claim of the source documents and the test fixed for it.

``config/claims.yaml`` (read by :mod:`advgen.claims.reading.claims_file`: FILE:LINE in every message,
duplicate keys refused) holds:

* ``roles``: the vocabulary of model roles (``standard_cnn: "standard CNN"``, ...). A workflow
  config maps each role it fills to a config entry (its top-level ``roles:``); claims never
  name a model, so one claims file serves every config.
* ``sources``: each source document's text, relative to the claims file (``docs/sources/``):
  every quote must appear in it verbatim (:mod:`advgen.claims.reading.sources`).
* ``budgets``: the sources' training budgets per group of roles, which the page sets beside the
  study's own (computed from the config).
* ``families``: the families of claims that share data (Holm's adjustment runs within each).
* ``freeze``: the freeze record's path (:mod:`advgen.claims.freeze.phase`).
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
    value: success_rate                 # column or expression (advgen.claims.reading.expressions)
    per: proportion                     # examples | proportion (+ count) | run
    count: n
    runs: seeds                         # what one run is: seeds, architectures, source-target pairs

The shapes (keys, types, choices, bounds) are ``schemas/claims.schema.yaml``'s, checked when the
file is read (:func:`advgen.claims.reading.claims_file.read_claims_file`); this module builds each
:class:`Claim` from a checked entry and checks what its keys say about each other and what they
name (roles, budgets, families, the sides an effect reads, the quote in its source). Each problem
is one :class:`~advgen.errors.ConfigError` line.
"""

from __future__ import annotations

from typing import Any

from advgen.claims.reading import fields, sources
from advgen.claims.reading.fields import EFFECTS, OPTIONAL_B, At, Where
from advgen.claims.reading.model import (
    POSITIVE_KINDS,
    REASONED_SCALES,
    Budget,
    Claim,
    Control,
    Evidence,
    MarginCheck,
    Reading,
    Requirement,
    Scale,
    Term,
    Test,
)

#: the source documents (ids as in the schema's ``source`` choices) and how the page names them
SOURCES = {"001": "GAN report (001)", "003": "robustness review (003)"}
BOUNDS = ("at_least", "at_most")
#: the parts of a claim that only a claim with a test has
TESTED_PARTS = ("control", "calibration", "checks", "requires", "scale", "family")

__all__ = ["SOURCES", "parse_claim"]


def _sides(raw: dict[str, Any], test: Test, at: At) -> tuple[str, ...]:
    """The sides the effect reads (a, or a and b), checked against what ``raw`` holds."""
    needed = EFFECTS[test.effect]
    for key in ("a", "b"):
        if key in needed and key not in raw:
            raise at.missing(key, f"missing (effect {test.effect} compares {' and '.join(needed)})")
        if key not in needed and key in raw and test.effect not in OPTIONAL_B:
            raise at.key(key).error(f"effect {test.effect} reads a only")
    if test.effect in OPTIONAL_B and "b" in raw:
        needed = ("a", "b")
    return needed


def _test_and_terms(
    raw: dict[str, Any], roles: dict[str, str], at: At
) -> tuple[Test, tuple[str, ...], tuple[Term, ...]]:
    """The test at ``raw["test"]``, the sides it reads and their terms (a claim's, or a scale
    evidence's)."""
    test = fields.test(raw["test"], *at.key("test"))
    needed = _sides(raw, test, at)
    terms = tuple(fields.term(raw[k], roles, *at.key(k)) for k in needed)
    if test.paired and not all(t.per == "examples" and t.example for t in terms):
        raise at.key("test").key("paired").error("needs per: examples and example: on both sides")
    return test, needed, terms


def _control(raw: Any, group: str, sides: dict[str, Any], roles: dict[str, str], at: At) -> Control | None:
    """A control of the first kind (:data:`~advgen.claims.reading.model.CONTROL_KINDS`): overrides of
    the claim's sides; ``kind: none`` with its reason. Source claims need one; implementation
    checks may have none. The permuted halves are a calibration (:func:`_calibration`)."""
    if raw is None:
        if group != "source":
            return None
        raise at.error(
            "missing: every source claim with a test declares a control of the first kind (a "
            "measurement through the same code where the effect is absent by how its data or model "
            "was made), or {kind: none, reason: ...}",
        )
    kind = raw["kind"]
    if kind == "none":
        extra = sorted(set(raw) - {"kind", "reason"})
        if extra:
            raise at.key(extra[0]).error("kind none has only its reason")
        return Control("", "none", reason=fields.text(raw, "reason"))
    if "reason" in raw:
        raise at.key("reason").error("only with kind none")
    if "a" not in raw and "b" not in raw:
        raise at.error("needs overrides of a / b (the side or sides the control replaces)")
    for key in ("a", "b"):
        if key in raw and key not in sides:
            raise at.key(key).error("the claim has no such side")
    terms = tuple(
        fields.term({**side, **(raw.get(key) or {})}, roles, *at.key(key)) for key, side in sides.items()
    )
    expect = "holds" if kind in POSITIVE_KINDS else "not_holds"
    return Control(fields.text(raw, "what"), kind, terms=terms, expect=expect)


def _calibration(raw: Any, test: Test, sides: dict[str, Any], at: At) -> Control | None:
    """The permuted-halves calibration (``{what, permute}``): a side of a difference or ratio
    split at random in two halves of one condition (``permute: a|b``), or a trend's grid column
    permuted within each run. It checks the interval, not the measurement, so it is no control."""
    if raw is None:
        return None
    permute = raw["permute"]
    ok = (
        permute == test.by
        if test.effect == "trend"
        else permute in ("a", "b") and "b" in sides and test.effect in ("difference", "ratio")
    )
    if not ok:
        what_ok = f"the trend's grid column {test.by!r}" if test.effect == "trend" else "a or b"
        raise at.key("permute").error(
            f"{what_ok} (a side of a difference or ratio, split in two halves; a trend's grid column)"
        )
    return Control(fields.text(raw, "what"), "permuted", permute=permute)


def _checks(raw: Any, sides: dict[str, Any], at: At) -> tuple[MarginCheck, ...]:
    """Margin checks: the sides swapped or made equal (``{what, swap: true}``, ``{what, same: a|b}``)."""
    out = []
    for i, item in enumerate(raw or ()):
        if "b" not in sides:
            raise at.item(i).error("only for a claim with sides a and b")
        what = fields.text(item, "what")
        out.append(MarginCheck(what, swap=True) if "swap" in item else MarginCheck(what, same=item["same"]))
    return tuple(out)


def _requires(raw: Any, roles: dict[str, str], at: At) -> tuple[Requirement, ...]:
    out = []
    for i, item in enumerate(raw or ()):
        each = at.item(i)
        bounds = [b for b in BOUNDS if b in item]
        if len(bounds) != 1:
            raise each.error("needs exactly one of at_least, at_most")
        side = {key: v for key, v in item.items() if key not in ("what", "each", *BOUNDS)}
        term = fields.term(side, roles, *each)
        bound = float(item[bounds[0]])
        out.append(Requirement(fields.text(item, "what"), term, bound, bounds[0], item.get("each", "row")))
    return tuple(out)


def _scale(raw: Any, budgets: dict[str, Budget], roles: dict[str, str], at: At) -> Scale | None:
    if raw is None:
        return None
    budget = raw["budget"]
    if budget not in budgets:
        raise at.key("budget").error(f"{budget!r} is not one of the budgets ({', '.join(budgets) or 'none'})")
    ev = raw.get("evidence")
    if ev is None:
        return Scale(budget)
    test, _, terms = _test_and_terms(ev, roles, at.key("evidence"))
    return Scale(budget, Evidence(fields.text(ev, "what"), test, terms))


def _gate(raw: Any, roles: dict[str, str], at: At) -> tuple[tuple[str, ...], str, str]:
    """(exempt roles, why, the role whose bar applies to every generator of the claim)."""
    if raw is None:
        return (), "", ""
    exempt = tuple(raw.get("exempt", ()))
    if not all(r in roles for r in exempt):
        raise at.key("exempt").error("must list roles of the claims file")
    bar = raw.get("bar", "")
    if "bar" in raw and bar not in roles:
        raise at.key("bar").error(f"{bar!r} is not a role of the claims file (its bar applies to both sides)")
    return exempt, fields.text(raw, "reason") if exempt else "", str(bar)


def _family(raw: dict[str, Any], families: dict[str, str] | None, at: At) -> str:
    family = raw.get("family")
    if family is None:
        return ""
    if families is not None and family not in families:
        raise at.key("family").error(
            f"{family!r} is not one of the claims file's families ({', '.join(families) or 'none'})"
        )
    return str(family)


def digest(raw: Any) -> str:
    """sha256 of a claim's content as read (canonical JSON): the freeze record keeps one per claim,
    so a claim changed after the freeze is found whether or not its ``changes`` say so."""
    import hashlib
    import json

    text = json.dumps(raw, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _reading(raw: Any, test: dict[str, Any] | None, group: str, claim: At) -> Reading | None:
    """The claim's reading (its shape checked by the schema): every source claim has one, an
    implementation check may. A claim with a test reads every field; its sidedness agrees with the
    test's direction (two-sided is an equivalence test), and a logit or log scale says why."""
    if raw is None:
        if group == "source":
            raise claim.missing(
                "reading",
                "missing: every source claim is read against its quote (proposition; with a test, "
                "measures, sides, scales, control_guards: docs/claims.md, the rubric)",
            )
        return None
    at = claim.key("reading")
    reading = Reading(
        proposition=fields.text(raw, "proposition"),
        measures=" ".join(str(raw.get("measures") or "").split()),
        sides=str(raw.get("sides") or ""),
        scales=tuple(raw.get("scales") or ()),
        scale_reason=" ".join(str(raw.get("scale_reason") or "").split()),
        control_guards=" ".join(str(raw.get("control_guards") or "").split()),
    )
    if test is None:
        return reading
    for key in ("measures", "sides", "scales", "control_guards"):
        if key not in raw:
            raise at.missing(key, "missing: a claim with a test says it (docs/claims.md, the rubric)")
    equivalent = test.get("direction") == "equivalent"
    if (reading.sides == "two_sided") != equivalent:
        raise at.key("sides").error(
            f"{reading.sides} but the test's direction is {test.get('direction')}: a two-sided claim "
            "is tested for equivalence (direction: equivalent), a one-sided one against its margin"
        )
    if REASONED_SCALES & set(reading.scales) and not reading.scale_reason:
        raise at.missing(
            "scale_reason", "missing: a logit or log scale says why the source's own does not do"
        )
    return reading


def _quote(quote: str, source: str, texts_of: dict[str, str] | None, at: At) -> None:
    """A quote with words enough, found verbatim in its source's text (``texts_of``, when given)."""
    fail = at.key("quote").error
    if sources.wordless(quote):
        raise fail("has no words (quote the source's sentence verbatim)")
    short = sources.too_short(quote)
    if short is not None:
        part, least = short
        n = sources.words(part)
        raise fail(
            f"{part[:60]!r} has {n} word{'s' if n != 1 else ''}, fewer than {least}: "
            f"{'a quote' if least == sources.MIN_QUOTE_WORDS else 'a piece between ... elisions'} that short "
            "is found in almost any text"
        )
    if texts_of is not None:
        missing = sources.find(quote, texts_of[source])
        if missing is not None:
            raise fail(f"not in the source text of {source} (verbatim): {missing[:60]!r}")


def _tested(
    raw: dict[str, Any], roles: dict[str, str], budgets: dict[str, Budget] | None, at: At
) -> dict[str, Any]:
    """The test of a claim and what goes with it: its sides, control, calibration, margin checks,
    preconditions and scale (the :class:`Claim` fields)."""
    test, needed, terms = _test_and_terms(raw, roles, at)
    if raw.get("group", "source") == "source" and "family" not in raw:
        raise at.missing(
            "family",
            "missing: every source claim with a test names its family (the claims that share its data)",
        )
    sides = {k: raw[k] for k in needed}
    group = raw.get("group", "source")
    return dict(
        test=test,
        terms=terms,
        control=_control(raw.get("control"), group, sides, roles, at.key("control")),
        calibration=_calibration(raw.get("calibration"), test, sides, at.key("calibration")),
        checks=_checks(raw.get("checks"), sides, at.key("checks")),
        requires=_requires(raw.get("requires"), roles, at.key("requires")),
        scale=_scale(raw.get("scale"), budgets or {}, roles, at.key("scale")),
    )


def parse_claim(
    raw: dict[str, Any],
    i: int,
    roles: dict[str, str],
    where: Where,
    texts_of: dict[str, str] | None = None,
    budgets: dict[str, Budget] | None = None,
    families: dict[str, str] | None = None,
) -> Claim:
    """Build the :class:`Claim` of entry ``i`` of ``claims`` (its shape checked by the schema),
    checking what its keys say about each other and name; ``texts_of`` (source id -> its text)
    checks the quote."""
    keys, dotted = ("claims", i), f"claims[{raw['id']}]"
    at = At(where, keys, dotted)
    texts = {k: fields.text(raw, k) for k in ("section", "quote", "statement")}
    source = raw["source"]
    _quote(texts["quote"], source, texts_of, at)
    status = raw.get("status", "measured")
    paper = raw.get("paper_value")
    exempt, gate_reason, gate_bar = _gate(raw.get("quality_gate"), roles, at.key("quality_gate"))
    common = dict(
        id=raw["id"],
        source=source,
        group=raw.get("group", "source"),
        status=status,
        reason=" ".join(str(raw.get("reason") or "").split()),
        paper_value=None if paper is None else " ".join(str(paper).split()),
        notes=" ".join(str(raw.get("notes") or "").split()),
        line=where.lines.get(keys),
        gate_exempt=exempt,
        gate_reason=gate_reason,
        gate_bar=gate_bar,
        family=_family(raw, families, at),
        reading=_reading(raw.get("reading"), raw.get("test"), raw.get("group", "source"), at),
        digest=digest(raw),
        **texts,
    )
    if status != "measured" and "test" not in raw:
        for key in TESTED_PARTS:
            if key in raw:
                raise at.key(key).error("only for a claim with a test")
        return Claim(**common)
    if "test" not in raw:
        raise at.missing("test", "missing (a measured claim declares its test)")
    return Claim(**_tested(raw, roles, budgets, at), **common)
