"""What a next confirmatory round would cost at each power, planned from the last round's table
(``advgen claims cost``).

For each power, ``advgen power-plan``'s plan (:func:`advgen.commands.power_plan.build`, its
default budget: 10 runs per side, 1,000 examples per run) from the last round's verdict table,
turned into model sizes (:mod:`.study_sizes`) and priced from one measured run's job times
(:mod:`.job_times`). The time on the measured host is that run's ``make run`` wall scaled by the
summed job wall, as if the run kept its cores as busy as the measured one did. Beside each plan:
the decided and fragile source verdicts it expects (:mod:`.plan_share`'s model, at the sizes the
study would run) and the claims it leaves underpowered. An estimate for a decision, not a
measurement of the round.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from advgen.commands._rounds import plan_share
from advgen.commands._rounds.job_times import Estimate, Job, costs, estimate
from advgen.commands._rounds.study_sizes import Sizes, attack_examples, model_runs, run_sizes, sizes


def plan_records(table: str, power: float) -> dict[str, dict[str, Any]]:
    """``advgen power-plan TABLE --power P --conservative 0``'s records (planned for the exploratory
    estimate, as round 2 was planned), at its default budget, without files."""
    import os

    from advgen.commands import power_plan
    from advgen.io import read_table

    parser = argparse.ArgumentParser()
    power_plan.add_arguments(parser)
    argv = [table, "--markdown", os.devnull, "--json", os.devnull, "--power", str(power)]
    args = parser.parse_args([*argv, "--conservative", "0"])
    rows = read_table(table, power_plan.COLUMNS).to_dict("records")
    return {r["id"]: {k: v for k, v in r.items() if k != "id"} for r in power_plan.build(rows, args)}


def expected_fragile(
    plan: Mapping[str, Mapping[str, Any]], sizes: Mapping[str, int]
) -> tuple[float, float, float]:
    """Expected decided and fragile source verdicts at ``sizes`` (a claim absent: its plan's
    ``n_run``), and P(fragile share within the bound): :mod:`.plan_share`'s model."""
    claims = plan_share.sized_claims(plan, "plan")
    n = [sizes.get(c.id, c.n_run) for c in claims]
    return (*plan_share.expected(claims, n), plan_share.within(claims, n))


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min"


def _expectation(decided: float, fragile: float, within: float) -> str:
    share = 100 * fragile / decided if decided else math.nan
    return f"{decided:.1f} | {fragile:.1f} ({share:.1f} %) | {within:.2f}"


def report(
    table: str, config: Mapping[str, Any], claims: Mapping[str, Any], times: str, jobs: Sequence[Job],
    wall: float, powers: Iterable[float], per_entry: bool,
) -> list[str]:  # fmt: skip
    cost = costs(jobs, config)
    now = Sizes(model_runs(config), attack_examples(config))
    lines = [
        f"Measured run ({times}): {cost.jobs} jobs, summed job wall {cost.total:,.0f} s, "
        f"make run {wall:,.0f} s ({cost.total / wall:.2f} jobs busy on average).",
        "",
        f"| plan from {table} | runs added (entries) | examples added | summed job wall | x the measured run | "
        f"time on the measured host | decided (expected) | fragile (expected share) | "
        f"P(share <= {100 * plan_share.BOUND:g} %) | underpowered |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    details = []
    for i, power in enumerate(powers):
        plan = plan_records(table, power)
        ran = plan_share.ran_sizes(table, plan_share.sized_claims(plan, "plan"))
        then = sizes(plan, claims, config)
        est = estimate(now, then, cost)
        if i == 0:  # today's sizes: the plan's estimates are the same at every power
            lines.append(
                f"| today's sizes | 0 | none | {cost.total:,.0f} s | 1.00x | "
                f"{wall:,.0f} s ({_minutes(wall)}) | {_expectation(*expected_fragile(plan, ran))} | |"
            )
        at = run_sizes(plan, claims, config, now, then, ran)
        runs = sum(est.added_runs.values())
        examples = ", ".join(
            f"{k} {now.examples[k]} -> {v}" for k, v in then.examples.items() if v > now.examples[k]
        )
        lost = (
            f" (+{len(est.unmeasured)} entries not measured: {', '.join(est.unmeasured)})"
            if est.unmeasured
            else ""
        )
        ratio = est.total / cost.total
        lines.append(
            f"| {100 * power:g} % power | {runs} ({len(est.added_runs)}){lost} | {examples or 'none'} | "
            f"{est.total:,.0f} s | {ratio:.2f}x | {wall * ratio:,.0f} s ({_minutes(wall * ratio)}) | "
            f"{_expectation(*expected_fragile(plan, at))} | {len(then.underpowered)} |"
        )
        if per_entry:
            details += _details(power, now, then, est)
    return lines + details


def _details(power: float, now: Sizes, then: Sizes, est: Estimate) -> list[str]:
    """What grows at ``power``, the job wall it adds and the claims that ask for it."""
    out = ["", f"{100 * power:g} % power: what grows", "",
           "| entry | runs now | runs | added job wall | asked by |", "|---|---:|---:|---:|---|"]  # fmt: skip
    for entry in sorted(est.added_runs):
        who = ", ".join(sorted({f"{c} {n}" for c, n in then.asked_by.get(entry, []) if n > now.runs[entry]}))
        added = est.added_seconds.get(entry)
        cell = "not measured" if added is None else f"{added:,.0f} s"
        out.append(f"| {entry} | {now.runs[entry]} | {then.runs[entry]} | {cell} | {who} |")
    for name, n in sorted(then.examples.items()):
        if n > now.examples[name]:
            key = f"attack {name}"
            who = ", ".join(
                sorted({f"{c} {m}" for c, m in then.asked_by.get(key, []) if m > now.examples[name]})
            )
            added = est.added_seconds.get(key, 0.0)
            out.append(f"| {key} (examples) | {now.examples[name]} | {n} | {added:,.0f} s | {who} |")
    out.append(f"\nUnderpowered at this budget: {', '.join(then.underpowered) or 'none'}")
    return out
