"""The share of fragile verdicts a power plan implies, before any run
(``advgen claims fragility --plan``).

For each source claim a plan (``advgen power-plan --json``) sized, taking the exploratory
estimate as the true effect as the plan does (:mod:`advgen.claims.statistics.power`): the chance
that its test decides at its Holm-adjusted level ``alpha / m``, and the chance that it decides
with an adjusted p within ``[alpha / FACTOR, alpha)``, a fragile verdict
(:mod:`advgen.claims.deciding.fragility`). Holm's first step stands for the family's adjustment,
as in the plan. Summed over the claims: the decided verdicts the plan expects and the fragile
share among them, and the chance that the share stays within a bound (10 %), at the plan's
``n_run``, at the sizes the plan asked for, and at those of plans for more power. A round's
verdict table gives the share it measured, and its sizes (a claim's seeds, or its examples where
the plan counts examples per run) the share the model expects at the sizes the round ran: a
model entry serves several claims and runs the largest size any of them asks, and a claim past
the budget runs what its entries have, so these differ from ``n_run``. A "not valid" verdict (a
failed precondition) is outside what a plan models.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from advgen.claims.deciding.fragility import FACTOR
from advgen.claims.deciding.verdict_words import AT_SCALE
from advgen.claims.statistics import stats
from advgen.claims.statistics.power import Design, one_sided_power, required_n, tost_power
from advgen.errors import AdvgenError

#: the plan statuses whose claims have a size to run at
SIZED = ("planned", "underpowered at this budget")
#: the verdicts a test decided (as the page counts them: advgen.claims.page.counts)
DECIDED = (stats.HOLDS, stats.FAILS, AT_SCALE)
#: the fragile share a round was held to (docs/rounds/round2.md, "The fragile share a plan implies")
BOUND = 0.10


@dataclass(frozen=True)
class Claim:
    """One sized claim of a plan: its power at a size ``n`` and level ``alpha``."""

    id: str
    alpha: float  # the Holm-adjusted level the plan used
    n_run: int
    n_planned: int | None
    power: Callable[[int, float], float]
    unit: str = "seeds"  # what n counts ("... per run": examples of a run)

    def decided(self, n: int) -> float:
        """P(the test decides) at size ``n``."""
        return self.power(n, self.alpha)

    def fragile(self, n: int) -> float:
        """P(it decides with an adjusted p within [alpha / FACTOR, alpha))."""
        return self.power(n, self.alpha) - self.power(n, self.alpha / FACTOR)


def _number(record: Mapping[str, Any], key: str, where: str) -> float:
    value = record.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AdvgenError(f"{where}.{key}: expected a number, got {value!r}")
    return float(value)


def claim_of(cid: str, record: Mapping[str, Any], where: str) -> Claim | None:
    """The plan's record of one claim as a :class:`Claim` (None: not a sized source claim)."""
    if record.get("group") != "source" or record.get("plan") not in SIZED:
        return None
    design_text = str(record.get("design") or "")
    design = Design(two_sample=design_text.startswith("two"), normal="normal" in design_text)
    alpha, sd = _number(record, "alpha", where), _number(record, "sd", where)
    n_run = int(_number(record, "n_run", where))
    planned = record.get("n_planned")
    n_planned = None if planned is None else int(_number(record, "n_planned", where))
    if not (math.isfinite(sd) and sd > 0 and 0 < alpha < 1 and n_run >= 1):
        return None
    estimate, margin = _number(record, "estimate", where), _number(record, "margin", where)
    tolerance = _number(record, "tolerance", where) if record.get("tolerance") is not None else 0.0
    if record.get("direction") == "equivalent":
        low, high = margin - tolerance, margin + tolerance
        if record.get("scale") == "log":
            estimate, low, high = math.log(estimate), math.log(low), math.log(high)
        to_low, to_high = estimate - low, high - estimate
        if to_low > 0 and to_high > 0:  # inside the band: the two one-sided tests

            def power(n: int, level: float) -> float:
                return tost_power(to_low, to_high, sd, n, level, design)

            return Claim(cid, alpha, n_run, n_planned, power, str(record.get("unit") or "seeds"))
    delta = _number(record, "delta", where)
    if not (math.isfinite(delta) and delta > 0):
        return None

    def one_sided(n: int, level: float) -> float:
        return one_sided_power(delta, sd, n, level, design)

    return Claim(cid, alpha, n_run, n_planned, one_sided, str(record.get("unit") or "seeds"))


def read_plan(path: str) -> list[Claim]:
    """The sized source claims of the plan at ``path`` (one-line errors naming the file and key)."""
    from advgen.claims.freeze.bounded_files import read_json

    raw = read_json(path, "power plan")
    claims = raw.get("claims") if isinstance(raw, dict) else None
    if not isinstance(claims, dict):
        raise AdvgenError(f"{path}: claims: expected a mapping of claim ids to records")
    return sized_claims(claims, f"{path}: claims")


def sized_claims(records: Mapping[str, Any], where: str) -> list[Claim]:
    """The sized source claims among a plan's records (``power_plan.json``'s ``claims``), by id."""
    out = []
    for cid, record in sorted(records.items()):
        if not isinstance(record, dict):
            raise AdvgenError(f"{where}.{cid}: expected a record")
        claim = claim_of(cid, record, f"{where}.{cid}")
        if claim is not None:
            out.append(claim)
    return out


def expected(claims: Sequence[Claim], sizes: Sequence[int]) -> tuple[float, float]:
    """Expected decided verdicts and expected fragile ones among them, at ``sizes``."""
    decided = sum(c.decided(n) for c, n in zip(claims, sizes, strict=True))
    fragile = sum(c.fragile(n) for c, n in zip(claims, sizes, strict=True))
    return decided, fragile


def within(claims: Sequence[Claim], sizes: Sequence[int], bound: float = BOUND) -> float:
    """P(fragile <= bound x decided) at ``sizes``, the claims independent: each is undecided,
    decided firm or decided fragile, and a dynamic programme over (decided, fragile) adds them."""
    mass = {(0, 0): 1.0}
    for c, n in zip(claims, sizes, strict=True):
        decided, fragile = c.decided(n), c.fragile(n)
        outcomes = ((0, 0, 1 - decided), (1, 0, decided - fragile), (1, 1, fragile))
        step: dict[tuple[int, int], float] = {}
        for (d, f), p in mass.items():
            for dd, df, q in outcomes:
                if q > 0:
                    step[(d + dd, f + df)] = step.get((d + dd, f + df), 0.0) + p * q
        mass = step
    return sum(p for (d, f), p in mass.items() if f <= bound * d + 1e-9)


def ran_sizes(path: str, claims: Sequence[Claim]) -> dict[str, int]:
    """Each claim's size in the verdict table at ``path``: its examples where the plan counts
    examples per run, else its seeds (runs); a claim the table lacks is one line."""
    import pandas as pd

    from advgen.io import read_table

    table = read_table(path, ["id", "seeds", "examples"]).set_index("id")
    out = {}
    for c in claims:
        if c.id not in table.index:
            raise AdvgenError(f"{path}: no row for claim {c.id} of the plan")
        column = "examples" if c.unit.endswith("per run") else "seeds"
        value = pd.to_numeric(table.at[c.id, column], errors="coerce")
        if not (math.isfinite(value) and value >= 1):
            raise AdvgenError(f"{path}: {c.id}: {column}: expected a size >= 1, got {value!r}")
        out[c.id] = int(value)
    return out


def measured(path: str) -> tuple[int, int]:
    """A verdict table's decided source verdicts and the fragile ones among them."""
    from advgen.io import read_table

    table = read_table(path, ["group", "verdict", "fragile"])
    source = table[table["group"] == "source"]
    decided = source[source["verdict"].isin(DECIDED)]
    return len(decided), int((decided["fragile"].fillna("").astype(str) != "").sum())


def _row(what: str, claims: Sequence[Claim], sizes: Sequence[int], bound: float, note: str = "") -> str:
    decided, fragile = expected(claims, sizes)
    share = fragile / decided if decided else math.nan
    return (
        f"| {what} | {decided:.1f} | {fragile:.1f} | {100 * share:.1f} % | "
        f"{within(claims, sizes, bound):.2f} | {note} |"
    )


def report(
    claims: Sequence[Claim], powers: Sequence[float], table: str | None, bound: float = BOUND
) -> list[str]:
    lines = [
        f"{len(claims)} sized source claims; fragile: a deciding adjusted p within [alpha / {FACTOR:g}, alpha).",
        "",
        f"| sizes | decided (expected) | fragile among them | share | P(share <= {100 * bound:g} %) "
        "| sizes against the plan's |",
        "|---|---:|---:|---:|---:|---|",
    ]
    if table is not None:
        ran = ran_sizes(table, claims)
        lines.append(_row(f"as the round ran them ({table})", claims, [ran[c.id] for c in claims], bound))
    lines.append(_row("at the plan's n_run", claims, [c.n_run for c in claims], bound))
    base = {c.id: c.n_planned for c in claims if c.n_planned is not None}
    planned = [c for c in claims if c.id in base]
    lines.append(_row(f"as planned ({len(planned)} claims with a plan's n)", planned,
                      [base[c.id] for c in planned], bound))  # fmt: skip
    for target in powers:
        sizes = {}
        for c in planned:
            n = required_n(lambda n, c=c: c.decided(n), target)
            if n is not None:
                sizes[c.id] = n
        sized = [c for c in planned if c.id in sizes]
        ratios = [sizes[c.id] / base[c.id] for c in sized]
        note = f"median {statistics.median(ratios):.2f}x, largest {max(ratios):.2f}x" if ratios else ""
        lines.append(
            _row(f"a plan for {100 * target:g} % power", sized, [sizes[c.id] for c in sized], bound, note)
        )
    if table is not None:
        decided, fragile = measured(table)
        lines.append(
            f"| measured: {table} | {decided} | {fragile} | {100 * fragile / max(decided, 1):.1f} % | | |"
        )
    return lines
