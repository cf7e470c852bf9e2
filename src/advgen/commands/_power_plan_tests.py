"""The test a verdict table's row was read with against the claim's test in the claims file now
(``advgen power-plan --claims``): a row whose test differs has no exploratory estimate for the
current test, so the plan cannot start from its estimate.

Compared, as the table writes them (:func:`advgen.claims.page.table.frame`): the test in words
(the effect, its sides, direction, margin and tolerance: :func:`advgen.claims.deciding.verdict.claim_text`),
the direction, margin and tolerance, the scales the verdict read, and whether the control is
subtracted from the effect (what moves the estimate; a control that only vetoes does not;
:func:`advgen.claims.measuring.controls.rule`). Scales that
are one computation count as one (:mod:`advgen.claims.reading.scales`: probability and raw on
rates; log, raw and probability for a ratio). A table written before 2026-11-29 (its ``scale``
column holds the training budget, it has no ``control_flag`` column) read each claim on its own
scale and never subtracted a control.
"""

from __future__ import annotations

import math
from typing import Any

#: the label of a row planned at the budget's maximum because its test changed
TEST_CHANGED = "test changed since the table: planned at the budget's maximum"
#: the label of a claim of the claims file the table lacks
NEW_CLAIM = "new in the claims file: no exploratory estimate, planned at the budget's maximum"
#: the label of a claim of the table the claims file lacks
MISSING_CLAIM = "not in the claims file: planned from the table's test as before"
#: a table before 2026-11-29 (readings' scales, controls entering the test)
_LATER_COLUMNS = ("budget", "control_flag")


def _same_number(a: Any, b: Any) -> bool:
    x, y = float("nan") if a is None else float(a), float("nan") if b is None else float(b)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)


def _scale_class(scale: str, ratio: bool) -> str:
    """The computation a scale stands for: one class per distinct rewriting of the sides."""
    if scale == "logit":
        return "logit"
    return "log" if ratio else ("probability" if scale in ("probability", "raw") else scale)


def _scales_equal(old: str, new: str, ratio: bool) -> bool:
    classes = [
        tuple(dict.fromkeys(_scale_class(s.strip(), ratio) for s in text.split(",") if s.strip()))
        for text in (old, new)
    ]
    return classes[0] == classes[1]


def _num(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{float(x):g}"


def current_test(claim: Any) -> dict[str, Any]:
    """The fields of ``claim``'s test now, as the table would write them."""
    from advgen.claims.deciding.verdict import claim_text
    from advgen.claims.measuring.controls import rule
    from advgen.claims.reading.scales import own_scale, scales

    test = claim.test
    return {
        "test": claim_text(claim),
        "direction": test.direction if test else "",
        "margin": float(test.margin) if test else math.nan,
        "tolerance": float(test.tolerance) if test else math.nan,
        "scale": ", ".join(scales(claim)) if test else "",
        "own_scale": own_scale(claim) if test else "",
        "ratio": bool(test and test.effect == "ratio"),
        "subtracted": rule(claim) == "subtract",
    }


def differences(row: dict[str, Any], claim: Any, columns: set[str]) -> list[str]:
    """What the row's test records that the claim's test now would record differently, in words
    (``margin 0.9 → 0``); empty where the tests are the same."""
    now = current_test(claim)
    later = all(c in columns for c in _LATER_COLUMNS)
    out = []
    if str(row.get("test") or "") != now["test"]:
        out.append(f"test '{row.get('test') or ''}' → '{now['test']}'")
    if str(row.get("direction") or "") != now["direction"]:
        out.append(f"direction {row.get('direction') or '–'} → {now['direction'] or '–'}")
    for key in ("margin", "tolerance"):
        if not _same_number(row.get(key), now[key]):
            out.append(f"{key} {_num(row.get(key))} → {_num(now[key])}")
    old_scale = str(row.get("scale") or "") if later else _own_scale_then(row, now["own_scale"])
    if "scale" in columns and not _scales_equal(old_scale, now["scale"], now["ratio"]):
        shown = old_scale if later else f"{old_scale} (its own, a table before the readings' scales)"
        out.append(f"scale {shown or '–'} → {now['scale'] or '–'}")
    was = _row_subtracted(row, claim, columns) if later else False
    if was != now["subtracted"]:
        words = {True: "subtracted from the effect", False: "not subtracted"}
        out.append(f"control {words[was]} → {words[now['subtracted']]}")
    return out


def _own_scale_then(row: dict[str, Any], own_now: str) -> str:
    """The scale a table before 2026-11-29 read a row on: log where its method read log values
    (a ratio), else the claim's own scale (its sides, as the test's words name them, unchanged)."""
    method = str(row.get("method") or "")
    return "log" if "log values" in method or "log ratio" in method else own_now


def _row_subtracted(row: dict[str, Any], claim: Any, columns: set[str]) -> bool:
    """Whether a table from 2026-11-29 on subtracted the row's control: the rule of the claim's
    test with the control's kind the row records."""
    import dataclasses

    from advgen.claims.measuring.controls import rule

    kind = str(row.get("control_kind") or "") if "control_kind" in columns else ""
    if claim.control is None or kind in ("", "none"):
        return False
    return (
        rule(dataclasses.replace(claim, control=dataclasses.replace(claim.control, kind=kind))) == "subtract"
    )


def compare(rows: list[dict[str, Any]], claims: list[Any], columns: set[str]) -> dict[str, Any]:
    """Per table row id its differences (:func:`differences`; None: not in the claims file), and
    the claims file's measured claims the table lacks (``new``)."""
    by_id = {c.id: c for c in claims}
    ids = {str(r.get("id")) for r in rows}
    changed: dict[str, list[str] | None] = {}
    for row in rows:
        rid = str(row.get("id"))
        claim = by_id.get(rid)
        if claim is None:
            changed[rid] = None
        elif claim.status == "measured" and claim.test is not None:
            changed[rid] = differences(row, claim, columns)
        elif str(row.get("status") or "") != claim.status:
            changed[rid] = [f"status {row.get('status') or '–'} → {claim.status}"]
        else:
            changed[rid] = []
    new = [c for c in claims if c.id not in ids and c.status == "measured" and c.test is not None]
    status = {c.id: c.status for c in claims}
    return {"changed": changed, "new": new, "status": status}
