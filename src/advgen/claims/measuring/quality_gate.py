"""What makes a measured source claim *not reproduced* (since 2026-11-29; *not valid* before): a
failed precondition (``requires``: a construction the claim's model needs), or a generator run of
the claim below the one quality bar its comparison applies to both sides
(:mod:`advgen.metrics.gate`). Each says in words what did not reproduce, with the values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from advgen.claims.deciding.verdict_words import NOT_GATED
from advgen.claims.measuring.measure import Context, NotMeasured, measure, rows
from advgen.claims.reading.model import Claim


def failed_requirement(claim: Claim, ctx: Context) -> str:
    """What of the claim's preconditions failed ("" when they hold), in words: each row's value,
    or each run's mean (``each: run``), against the bound ("D_R carries robust features: 0.052-0.118
    in 5 of 8 runs, below 0.2")."""
    for req in claim.requires:
        if req.each == "run":
            side = measure(ctx, req.term, claim.id).side
            values, names = side.run_means(), list(side.names)
        else:
            frame = rows(ctx, req.term, claim.id)
            if frame.empty:
                raise NotMeasured(f"precondition {req.what!r}: no rows match")
            values, names = frame["value"].to_numpy(dtype=float), []
        ok = values >= req.bound if req.direction == "at_least" else values <= req.bound
        if not np.all(ok):
            side_of = "below" if req.direction == "at_least" else "above"
            what = "runs" if req.each == "run" else "rows"
            failing = f"{_bad(values, ok, names)} in {int((~ok).sum())} of {len(values)} {what}"
            return f"{req.what}: {failing}, {side_of} {req.bound:g}"
    return ""


def _bad(values: np.ndarray, ok: np.ndarray, names: list[str]) -> str:
    """The failing values: one with its run's name, several as their range."""
    bad = values[~ok]
    if len(bad) == 1:
        i = int(np.flatnonzero(~ok)[0])
        return f"{bad[0]:.3g}" + (f" ({names[i]})" if names and names[i] else "")
    lo, hi = float(bad.min()), float(bad.max())
    return f"{lo:.3g}" if lo == hi else f"{lo:.3g}-{hi:.3g}"


def generator_runs(claim: Claim, ctx: Context) -> list[tuple[str, str]]:
    """(role, run) of every generator the claim is built on, exempt roles left out."""
    roles = [r for r in dict.fromkeys(claim.roles) if r in ctx.generators and r not in claim.gate_exempt]
    return [(role, run) for role in roles for run in ctx.roles.get(role, [])]


def one_bar(bars: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The bars of several roles as one: every metric any of them bounds, at the strictest bound
    (:mod:`advgen.metrics.gate`'s directions); a flag holds where any sets it."""
    from advgen.metrics.gate import AT_MOST

    out: dict[str, Any] = {}
    for bar in bars:
        for metric, bound in bar.items():
            if metric not in out:
                out[metric] = bound
            elif isinstance(bound, bool) or isinstance(out[metric], bool):
                out[metric] = bool(out[metric]) or bool(bound)
            else:
                out[metric] = min(out[metric], bound) if metric in AT_MOST else max(out[metric], bound)
    return out


def quality_gate(claim: Claim, ctx: Context) -> tuple[str, bool]:
    """(the note on the generators' quality gate, whether it fails a run the claim is built on).

    One bar per comparison: where the config's bars are known (``ctx.bars``), every generator
    run of the claim faces the same bar, the claim's ``quality_gate.bar`` role's or else the
    union of its generator roles' bars; otherwise each run's own ``gate`` column is read."""
    runs = generator_runs(claim, ctx)
    if not runs:
        return "", False
    roles = list(dict.fromkeys(role for role, _ in runs))
    if ctx.bars:
        from advgen.metrics.gate import failures

        named = [claim.gate_bar] if claim.gate_bar else roles
        bar = one_bar([ctx.bars.get(role) or {} for role in named])
        if bar:
            rows_of = ctx.quality_rows()
            if rows_of is None:
                return NOT_GATED, False
            which = f"the bar of {', '.join(named)}"
            failed = []
            for _, run in runs:
                missed = failures(rows_of[run], bar) if run in rows_of else ["no sample-quality row"]
                if missed:
                    failed.append(f"{run} ({'; '.join(missed)})")
            if failed:
                return f"generator below {which}: " + "; ".join(failed), True
            return (f"every generator passes {which}" if len(roles) > 1 else ""), False
    gates = ctx.gates()
    if gates is None:
        return NOT_GATED, False
    failed, ungated = [], []
    for _, run in runs:
        gate, failures_text = gates.get(run, ("", ""))
        if gate == "fail":
            failed.append(f"{run} ({failures_text})" if failures_text else run)
        elif gate != "pass":
            ungated.append(run)
    if failed:
        return "generator below its quality bar: " + "; ".join(failed), True
    if ungated:
        return "no quality bar declared for " + ", ".join(ungated), False
    return "", False
