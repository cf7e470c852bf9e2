"""A row of the verdict table in words: the cells the page, the Markdown and the README summary
share (the verdict with its reason, the test, our interval, the control) and a cell's Markdown
escaping."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from advgen.claims.deciding.verdict_words import AT_SCALE, WITHHELD


def verdict_cell(row: Any, budgets: Mapping[str, str] | None = None) -> str:
    """The verdict with its reason; ``budgets`` (:func:`advgen.claims.page.digest.budget_refs`) turns
    a row's budget text into the reference to its budget stated once at the top."""
    text: str = row.verdict
    budget = str(getattr(row, "budget", "") or "")
    if row.verdict == AT_SCALE and budget:
        text += f" ({(budgets or {}).get(budget, budget)})"
    if row.verdict in WITHHELD:
        if getattr(row, "would_be", ""):
            text += f" (would be: {row.would_be})"
        if row.validity:
            text += f": {row.validity}"
    if row.verdict == "inconclusive" and row.settle:
        text += f" (would settle: {row.settle})"
    if getattr(row, "fragile", ""):
        text += f"; FRAGILE ({row.fragile})"
    if getattr(row, "control_flag", ""):
        text += f"; FLAG: {row.control_flag}"
    if row.verdict in ("not measured", "paper scale only", "not testable at this scale") and row.note:
        text += f" ({row.note})"
    return text


def level(row: Any) -> str:
    return "90 % (TOST)" if row.direction == "equivalent" else "95 %"


def p_text(row: Any) -> str:
    """``p 0.003, Holm 0.012 (family gans_mlp)``: the test's p-value and its family's adjustment."""
    p = getattr(row, "p_value", math.nan)
    if not isinstance(p, float) or not math.isfinite(p):
        return ""
    text = f"p {p:.2g}"
    adjusted = getattr(row, "p_adjusted", math.nan)
    if getattr(row, "family", "") and isinstance(adjusted, float) and math.isfinite(adjusted):
        text += f", Holm {adjusted:.2g} (family {row.family})"
    alpha = getattr(row, "alpha", math.nan)
    if isinstance(alpha, float) and math.isfinite(alpha):
        text += f"; holds at < {alpha:g}"
    return text


def n_text(row: Any) -> str:
    """The sample size used, the seeds' values, and the power plan's where the freeze has one:
    the n planned beside the n that ran, and "underpowered" where it is."""
    text: str = row.sample_size
    seeds = getattr(row, "seed_values", "")
    if seeds:
        text += f", seeds {seeds.replace(',', ', ')}"
    planned = getattr(row, "seeds_planned", "")
    if planned:
        text += f" (planned: {planned}" + (
            f"; ran {_whole(row.ran_n)}" if _number(getattr(row, "ran_n", None)) else ""
        )
        text += ")"
    under = getattr(row, "underpowered", "")
    if under:
        text += f"; UNDERPOWERED ({under})"
    return text


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and math.isfinite(float(x))


def _whole(x: Any) -> str:
    return f"{float(x):g}"


def scale_text(row: Any) -> str:
    """The scales the verdict read ("probability, logit: a verdict needs both")."""
    scale = str(getattr(row, "scale", "") or "")
    return f"{scale}: a verdict needs both" if "," in scale else scale


def ours(row: Any) -> str:
    if not row.sample_size:
        return "–"
    extra = "; ".join(x for x in (p_text(row),) if x)
    return f"{row.effect} ({level(row)}; {n_text(row)}; {row.sides}" + (f"; {extra})" if extra else ")")


def control_label(row: Any) -> str:
    """What the control is, with its kind: ``other_class: G(z*)'s label against ...``."""
    kind = getattr(row, "control_kind", "")
    what: str = row.control_what
    if kind == "none":
        return what
    return f"{kind}: {what}" if kind else what


def control_cell(row: Any) -> str:
    from advgen.claims.page.digest import control_words

    if not row.control_what:
        text = "–"
    elif getattr(row, "control_kind", "") == "none":
        text = row.control_what
    else:
        text = f"{control_words(row)} ({control_label(row)})"
    checks = getattr(row, "checks", "")
    calibration = getattr(row, "calibration", "")
    text += f"; margin checks: {checks}" if checks else ""
    return text + (f"; calibration (permuted halves): {calibration}" if calibration else "")


def test_cell(row: Any) -> str:
    """The declared test with its margin and where the margin comes from."""
    if not row.test:
        return "–"
    source = "source" if row.margin_source == "source" else "ours"
    text = f"{row.test} (margin: {source}: {row.margin_note}"
    if row.direction == "equivalent" and row.tolerance_note:
        text += f"; tolerance: {row.tolerance_note}"
    return text + ")"


#: where Markdown reads raw HTML or an autolink: ``<`` before a letter, ``/``, ``!`` or ``?``
_HTML_START = re.compile(r"<(?=[A-Za-z/!?])")


def md_cell(text: Any) -> str:
    """Text of the claims file as a Markdown table cell: ``|`` escaped, and ``<`` where it
    would open a tag, a comment or an autolink, so a statement's raw HTML shows as text
    instead of reaching the page (``a < b`` stays as it is)."""
    text = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return _HTML_START.sub(r"\\<", text)
