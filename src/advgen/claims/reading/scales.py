"""The scale a claim's verdict reads (its ``reading.scales``: probability, logit, log, raw) and its
sides written on it.

A claim's sides are written on one scale, its *own*: a ratio is read on the log scale, a side
whose value is ``logit(p, n)`` on the logit scale, a rate (``per: proportion``) on the
probability scale, anything else in its measurement's units (raw). The verdict reads the scales
its reading lists (one, or two where they could disagree); a claim without a reading reads its
own. Another scale is reached by rewriting the sides: ``logit(p, n)`` -> ``p`` for the
probability (or raw) scale, a rate ``p`` with its count ``n`` -> ``logit(p, n)`` (one value per
run) for the logit scale, and a share of a run's rows (``per: run``, a 0/1 value per row) its
empirical logit with the rows as n. Probability and raw are the same computation on values that are rates;
log and raw the same for a ratio (its interval is read on the log scale and exponentiated).
Where two scales are listed, a verdict needs both (:mod:`advgen.claims.deciding.verdict`).
"""

from __future__ import annotations

import ast
import dataclasses

from advgen.claims.reading import expressions
from advgen.claims.reading.model import Claim, Term

PROBABILITY, LOGIT, LOG, RAW = "probability", "logit", "log", "raw"


class ScaleError(ValueError):
    """A listed scale the claim's sides cannot be written on (the message says why)."""


def _logit_argument(value: str) -> str | None:
    """``p`` of a value ``logit(p, n)``, None for any other value."""
    node = expressions.parse(value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "logit":
        return ast.unparse(node.args[0])
    return None


def own_scale(claim: Claim) -> str:
    """The scale the claim's sides are written on."""
    test = claim.test
    if test is not None and test.effect == "ratio":
        return LOG
    if claim.terms and all(_logit_argument(t.value) is not None for t in claim.terms):
        return LOGIT
    if claim.terms and all(t.per == "proportion" for t in claim.terms):
        return PROBABILITY
    return RAW


def scales(claim: Claim) -> tuple[str, ...]:
    """The scales the verdict reads: the reading's, or the claim's own where it has no reading."""
    if claim.reading is not None and claim.reading.scales:
        return tuple(claim.reading.scales)
    return (own_scale(claim),)


def on_scale(term: Term, scale: str, own: str) -> Term:
    """``term`` written on ``scale`` (the claim's sides are on ``own``); a side that cannot be
    raises :class:`ScaleError`."""
    if scale == own or {scale, own} <= {PROBABILITY, RAW} or {scale, own} <= {LOG, RAW}:
        return term
    inner = _logit_argument(term.value)
    if scale in (PROBABILITY, RAW) and inner is not None:
        return dataclasses.replace(term, value=inner)
    if scale in (PROBABILITY, RAW) and own == LOG:
        return term  # a ratio of rates: its sides are the rates themselves
    if scale == LOGIT and inner is not None:
        return term
    if scale == LOGIT and term.per == "proportion" and term.count:
        return dataclasses.replace(term, value=f"logit({term.value}, {term.count})", per="run", count=None)
    if scale == LOGIT and term.per == "run":
        return dataclasses.replace(term, logit=True)  # a share of each run's rows (checked when measured)
    raise ScaleError(
        f"its sides are on the {own} scale and side {term.label or term.value!r} cannot be read on the "
        f"{scale} scale (a logit needs a rate with its count, a share of a run's rows, or the side written "
        "as logit(p, n); a log scale needs a ratio)"
    )


def terms_on(claim: Claim, terms: tuple[Term, ...], scale: str) -> tuple[Term, ...]:
    """The claim's (or its control's) sides written on ``scale``."""
    own = own_scale(claim)
    return tuple(on_scale(t, scale, own) for t in terms)


def check(claim: Claim) -> None:
    """Every listed scale reachable from the claim's sides, and a log scale only for a ratio
    (raises :class:`ScaleError`)."""
    if claim.test is None:
        return
    for scale in scales(claim):
        if scale == LOG and claim.test.effect != "ratio":
            raise ScaleError(f"lists the log scale, but its test is a {claim.test.effect}, not a ratio")
        terms_on(claim, claim.terms, scale)
        if claim.control is not None and claim.control.terms:
            terms_on(claim, claim.control.terms, scale)
