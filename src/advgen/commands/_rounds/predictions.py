"""The flip-prediction page: per row, the chance that a rerun of a round's frozen study on a
second hardware kind changes its verdict, written before that rerun (``advgen claims
predictions``; docs/rounds/round2/flip_predictions.md).

From a round's verdict table (after its run): each row's statistic as measured, moved by the
perturbation scales of the other rounds' reruns (:mod:`.yardstick`). From a frozen power plan
(before the round runs): each sized source claim's statistic as the plan models it at the size
that will run (the exploratory estimate taken as the true effect, the power function as the
p-value's distribution: :mod:`.plan_share`'s model), and the yardstick averaged over it. Either
way the expected count of differing verdicts, its 95 % range (the rows taken as independent) and
the chance that the frozen rule flags every one.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from scipy.special import ndtr
from scipy.stats import norm

from advgen.claims.deciding import fragility
from advgen.commands._rounds import plan_share
from advgen.commands._rounds.yardstick import (
    Pair,
    count_law,
    count_range,
    frozen_flags,
    kind,
    levels,
    read,
    scales_of,
    yardsticks,
)
from advgen.errors import AdvgenError

TABLE_HEADER = ("| claim | verdict | fragile (frozen rule) | kind | P(flip) by kind | P(flip) by row |",
                "|---|---|---|---|---:|---:|")  # fmt: skip
PLAN_HEADER = ("| claim | verdict of the planned-from table | kind | n to run | P(decided) | P(fragile) | P(flip) |",
               "|---|---|---|---:|---:|---:|---:|")  # fmt: skip


def table_predictions(published_path: str, others: Sequence[Pair]) -> list[str]:
    """Per modelled row of the published page, most likely first: its verdict, whether the frozen
    rule flags it, and P(flip) on a rerun on other arithmetic with the scales of ``others`` by
    kind and by row; then the expected count, its range and P(every flip flagged)."""
    sc = scales_of(others)
    published = read(published_path)
    family = dict(zip(published["id"], published["family"], strict=True))
    flags = frozen_flags(published)
    lv = levels(published)
    by_kind, by_row = yardsticks(lv, family, sc)
    rows = [(by_kind[rid], by_row[rid], rid, lv[rid].verdict) for rid in lv]
    rows.sort(key=lambda r: (-r[0], -r[1], r[2]))
    lines = list(TABLE_HEADER)
    lines += [
        f"| `{rid}` | {verdict} | {'yes' if rid in flags else ''} | {kind(family[rid])} | "
        f"{by_kind:.3f} | {by_row:.3f} |"
        for by_kind, by_row, rid, verdict in rows
    ]
    expected = (sum(r[0] for r in rows), sum(r[1] for r in rows))
    ranges = [count_range(count_law([r[0] for r in rows])), count_range(count_law([r[1] for r in rows]))]
    unflagged = [(r[0], r[1]) for r in rows if r[2] not in flags]
    lines += [
        "",
        f"Expected verdicts that differ: {expected[0]:.2f} (by kind), {expected[1]:.2f} (by row), "
        f"95 % of counts within {ranges[0][0]}-{ranges[0][1]} (by kind), {ranges[1][0]}-{ranges[1][1]} (by row); "
        f"P(the frozen rule flags every one): {math.prod(1 - u[0] for u in unflagged):.2f} (by kind), "
        f"{math.prod(1 - u[1] for u in unflagged):.2f} (by row). Scales of {len(others)} pairs: generative "
        f"{sc.kinds['generative']:.2f}, classifier {sc.kinds['classifier']:.2f}.",
    ]
    return lines


#: the probit grid over which a plan's expectation is taken; the mass beyond it sits at its ends
PLAN_GRID = np.arange(-5.0, 7.0001, 0.1)
#: the power function is read on PLAN_GRID, a rule on a grid this many times finer
FINE = 20


def statistic(
    survival: Callable[[float], float], edges: Sequence[float] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """The probit statistic's distribution from ``survival(level) = P(p < level)`` (a plan's power
    function at size n: exact under the plan's model), evaluated on :data:`PLAN_GRID` with
    ``edges`` added (a rule's boundaries) and interpolated linearly onto a grid :data:`FINE`
    times finer, on which a rule's indicators are read: cell midpoints and their masses, the tails
    lumped at the ends. Beyond ``level`` 0.5 a TOST design's power is a bound, not a distribution:
    there the mass below ``z = 0`` sits at its edge."""
    coarse = np.unique(np.concatenate([PLAN_GRID, np.asarray(edges, dtype=float)]))
    above = np.array([survival(float(norm.sf(z))) for z in coarse])  # P(z_probit > grid)
    above = np.nan_to_num(above, nan=0.0)
    above = np.minimum.accumulate(np.clip(above, 0.0, 1.0))  # a survival function falls
    step = float(PLAN_GRID[1] - PLAN_GRID[0]) / FINE
    grid = np.unique(np.concatenate([np.arange(coarse[0], coarse[-1] + step / 2, step), coarse]))
    above = np.interp(grid, coarse, above)
    mass = np.concatenate([[1.0 - above[0]], above[:-1] - above[1:], [above[-1]]])
    mids = np.concatenate([[grid[0]], (grid[:-1] + grid[1:]) / 2, [grid[-1]]])
    return mids, mass


def edges_of(alpha: float) -> list[float]:
    """The probit boundaries of the verdicts and of the band at level ``alpha``."""
    points = [
        norm.isf(alpha),
        norm.isf(alpha / fragility.FACTOR),
        norm.isf(min(0.5, alpha * fragility.FACTOR)),
    ]
    return [float(x) for x in points] + [-float(x) for x in points]


def expected_at(
    z: np.ndarray, mass: np.ndarray, alpha: float, lam: float, taus: Sequence[float | None]
) -> list[tuple[float, float, float, float]]:
    """One claim tested one-sided at ``alpha`` (``z`` towards the direction it was planned for,
    with probabilities ``mass``), per rule (``None``: the band; ``tau``: the band or
    ``P(flip) > tau``): P(decided), P(decided and flagged), P(a rerun flips it), P(it flips
    unflagged)."""
    c = float(norm.isf(alpha))
    holds, fails = z > c, z < -c
    decided = holds | fails
    p_deciding = np.where(holds, ndtr(-z), np.where(fails, ndtr(z), np.minimum(ndtr(-z), ndtr(z))))
    in_band = (p_deciding >= alpha / fragility.FACTOR) & (p_deciding <= alpha * fragility.FACTOR)
    sd = math.sqrt(2.0) * lam
    to_holds, to_fails = ndtr((z - c) / sd), ndtr((-c - z) / sd)
    flip = np.where(holds, 1 - to_holds, np.where(fails, 1 - to_fails, to_holds + to_fails))
    out = []
    for tau in taus:
        flagged = in_band if tau is None else in_band | (flip > tau)
        out.append(
            (
                float(mass @ decided),
                float(mass @ (decided & flagged)),
                float(mass @ flip),
                float(mass @ (flip * ~flagged)),
            )
        )
    return out


def plan_predictions(
    plan: str, table: str, others: Sequence[Pair], sizes: Mapping[str, int] | None = None
) -> list[str]:
    """Per sized source claim of the frozen ``plan`` (``power_plan.json``), most likely first: the
    verdict the table it was planned from gave, the size that will run (``sizes``, else the plan's
    ``n_run``), and in expectation under the plan's model P(decided), P(fragile) and P(flip) on a
    rerun with the scales of ``others`` by the claim's kind; then the expected count of differing
    verdicts, its range and P(the frozen rule flags every one)."""
    from advgen.claims.freeze.bounded_files import read_json

    sc = scales_of(others)
    claims = plan_share.read_plan(plan)
    records = read_json(plan, "power plan")["claims"]
    verdict = dict(zip(read(table)["id"], read(table)["verdict"], strict=True))
    rows = []
    for c in claims:
        n = (sizes or {}).get(c.id, c.n_run)
        family = records[c.id].get("family")
        z, mass = statistic(functools.partial(c.power, n), edges_of(c.alpha))
        decided, flagged, flip, unflagged = expected_at(z, mass, c.alpha, sc.of_kind(family), [None])[0]
        fragile = c.fragile(n)
        rows.append((flip, c.id, verdict.get(c.id, ""), kind(family), n, decided, fragile, unflagged))
    if not rows:
        raise AdvgenError(f"{plan}: no sized source claim to predict")
    rows.sort(key=lambda r: (-r[0], r[1]))
    lines = list(PLAN_HEADER)
    lines += [
        f"| `{rid}` | {was} | {k} | {n} | {decided:.3f} | {fragile:.3f} | {flip:.3f} |"
        for flip, rid, was, k, n, decided, fragile, _ in rows
    ]
    lo, hi = count_range(count_law(r[0] for r in rows))
    lines += [
        "",
        f"Expected verdicts that differ: {sum(r[0] for r in rows):.2f}, 95 % of counts within {lo}-{hi}; "
        f"P(the frozen rule flags every one): {math.prod(1 - r[7] for r in rows):.2f}; expected decided "
        f"{sum(r[5] for r in rows):.1f}, fragile {sum(r[6] for r in rows):.1f}. Scales by kind of {len(others)} "
        f"pairs: generative {sc.kinds['generative']:.2f}, classifier {sc.kinds['classifier']:.2f}.",
    ]
    return lines


def page(title: str, intro: str, lines: Sequence[str]) -> str:
    """The Markdown page: its title, what it is and how it was made, then the table."""
    return "\n".join([f"# {title}", "", intro.strip(), "", *lines]) + "\n"
