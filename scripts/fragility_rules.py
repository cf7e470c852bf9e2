"""Candidate fragility rules for the next round, measured on the committed reruns (exploratory).

Usage: ``python scripts/fragility_rules.py [--tau T ...] [--seeds R ...] [--plan PLAN.json]
[--plan-table CLAIMS.parquet] [--power P ...] [--plan-tau T ...] [--pair RERUN PUBLISHED NAME
ROUND ...] [--only-given] [--predictions]``

The frozen rule (:mod:`advgen.claims.deciding.fragility`) flags a verdict whose deciding
Holm-adjusted p lies within ``[alpha / 4, 4 alpha]``. Each committed rerun of a frozen study on
other arithmetic (round 1 on three hardware kinds, round 2 with other CPU kernels: ``PAIRS``)
shows how far a change of arithmetic moves each row's statistic on the probit scale,
``z = Phi^-1(1 - p_value)``. The root mean square of ``(z_rerun - z_published) / sqrt 2`` over a
kind of row, read where ``|z| < Z_NEAR`` on both pages, is that kind's *perturbation scale*
``lam``: 0 where the arithmetic changes nothing, 1 where a rerun is as different as one on fresh
seeds.

The yardstick: a rerun's statistic ``z' = z + N(0, 2 lam^2)`` (the replication distribution of
Goodman 1992, Stat. Med. 11:875, narrowed by ``lam``), decided against the row's own levels
(``alpha`` over the row's Holm multiplier on the page, in both directions where the table was
adjusted in both). Per row it gives ``P(flip)``, the chance that a rerun gives another verdict; a
"not valid" verdict (a failed precondition) is not modelled. The scales are read off the *other*
round's pairs, so no pair predicts itself; the yardstick takes them by kind of model the row's
measurement trains (generative models or classifiers) and by row (each row's own moves, shrunk
towards its kind's).

The candidate rules, each read off the published table alone: the p band with factors 2, 4
(the frozen rule) and 8; and ``P(flip) > tau`` under the pooled scale, the scale by kind, the
scale by row and fresh seeds (``lam = 1``). Per rule and pair: the flagged share of the decided
source verdicts, the verdicts that differ and how many of them the rule flags, and under each
yardstick the expected number of differing verdicts the rule leaves unflagged and the chance that
it flags every one. The union of the frozen band and ``P(flip) > tau`` by kind is a
candidate too. Then the latest round's page as it would read with more seeds (:func:`with_seeds`),
and the same figures in expectation over a power plan's claims at the sizes of plans for more
power (:func:`plan_report`, the model of ``scripts/fragile_share.py``).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import fragile_share  # scripts/fragile_share.py, beside this script
import numpy as np
import pandas as pd
from scipy.special import ndtr
from scipy.stats import norm

from advgen.claims.deciding import fragility
from advgen.claims.deciding.verdict import AT_SCALE
from advgen.claims.page.compare import compare
from advgen.claims.statistics import stats
from advgen.errors import AdvgenError

#: the verdicts a test decided, as the page counts them (stated in scripts/fragile_share.py)
DECIDED = fragile_share.DECIDED

#: (rerun, published, name, round): the committed reruns of a frozen study on other arithmetic
PAIRS = (
    ("docs/round1/claims_h200.parquet", "docs/round1/claims_xeon.parquet", "round 1: H200 / Xeon-2", 1),
    ("docs/round1/claims_epyc.parquet", "docs/round1/claims_xeon.parquet", "round 1: EPYC-2 / Xeon-2", 1),
    ("docs/round1/claims_epyc.parquet", "docs/round1/claims_h200.parquet", "round 1: EPYC-2 / H200", 1),
    (
        "docs/round2/claims_xeone_avx2.parquet",
        "docs/default_run/claims.parquet",
        "round 2: XeonE-2 AVX2 / XeonE-2",
        2,
    ),
)
#: the families whose measurements train generative models (GANs, autoencoders); the rest train classifiers
GENERATIVE = frozenset(
    {"gans_mlp", "generator_samples", "inversion", "inpainting", "interpolation", "ae_training"}
)
KINDS = ("generative", "classifier")
#: the verdicts the yardstick models (a "not valid" one turns on a precondition, not on the test)
MODELLED = (*DECIDED, stats.INCONCLUSIVE)
#: probit values beyond this are taken as this (p of 0 or 1)
Z_CAP = 8.0
#: moves are read on rows whose |z| lies below this on both pages (p within [3e-5, 1 - 3e-5]):
#: near a boundary, where a move can change a verdict
Z_NEAR = 4.0
#: a row's own scale is shrunk towards its kind's with the weight of this many pairs
PRIOR_PAIRS = 1
COLUMNS = ("id", "group", "verdict", "estimate", "lo", "hi", "p_value", "alpha", "family")
#: the plan whose sizes the last part scales (``advgen power-plan --json``), and the verdict
#: table of the round that ran it (the sizes it ran)
PLAN = "docs/default_run/power_plan.json"
PLAN_TABLE = "docs/default_run/claims.parquet"


def kind(family: object) -> str:
    """What the row's measurement trains: ``generative`` or ``classifier``."""
    return "generative" if str(family or "") in GENERATIVE else "classifier"


def _finite(x: object) -> float:
    try:
        out = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return out if math.isfinite(out) else math.nan


@dataclass(frozen=True)
class Levels:
    """A row's deciding statistic and the levels its verdict is decided at, on the probit scale."""

    verdict: str
    z: float  # Phi^-1(1 - p_value): large where the claim holds
    holds_at: float  # z' above this: holds
    fails_at: float  # z' below this: does not hold
    k_holds: float = 1.0  # the Holm multiplier of the "holds" direction
    k_fails: float = 1.0  # and of the "does not hold" direction

    def decide(self, z: float) -> str:
        if z > self.holds_at:
            return stats.HOLDS
        if z < self.fails_at:
            return AT_SCALE if self.verdict == AT_SCALE else stats.FAILS
        return stats.INCONCLUSIVE

    def p_flip(self, lam: float) -> float:
        """P(a rerun gives another verdict) when ``z' = z + N(0, 2 lam^2)``."""
        if lam <= 0:
            return float(self.decide(self.z) != self.verdict)
        sd = math.sqrt(2.0) * lam
        holds = float(norm.cdf((self.z - self.holds_at) / sd))
        fails = float(norm.cdf((self.fails_at - self.z) / sd))
        kept = {stats.HOLDS: holds, stats.FAILS: fails, AT_SCALE: fails}.get(self.verdict, 1 - holds - fails)
        return max(0.0, 1.0 - kept)


def levels(table: pd.DataFrame) -> dict[str, Levels]:
    """Each modelled row's :class:`Levels`. The Holm multiplier is the page's ``p_adjusted`` over
    the deciding p (:func:`advgen.claims.deciding.fragility.deciding_p`), applied to both
    directions where the table was adjusted in both (it has ``p_against``), else to "holds" only
    (round 1's analysis)."""
    both = "p_against" in table.columns
    out = {}
    for row in table.itertuples():
        p, alpha = _finite(row.p_value), _finite(row.alpha)
        if str(row.verdict) not in MODELLED or not (math.isfinite(p) and math.isfinite(alpha)):
            continue
        adjusted = _finite(getattr(row, "p_adjusted", math.nan))
        deciding = fragility.deciding_p(row) if both else p
        k = adjusted / deciding if math.isfinite(adjusted) and deciding > 0 else 1.0
        k = max(1.0, k)
        k_holds, k_fails = k, (k if both else 1.0)
        z = float(min(Z_CAP, max(-Z_CAP, norm.isf(p)))) if 0 < p < 1 else (Z_CAP if p <= 0 else -Z_CAP)
        holds_at = float(norm.isf(min(1.0, alpha / k_holds)))
        fails_at = float(norm.ppf(min(1.0, alpha / k_fails)))
        out[str(row.id)] = Levels(str(row.verdict), z, holds_at, fails_at, k_holds, k_fails)
    return out


def moves(rerun: pd.DataFrame, published: pd.DataFrame) -> dict[str, float]:
    """Per source claim modelled on both pages with ``|z| < Z_NEAR`` on both, the rerun's move
    on the probit scale in units of the yardstick's ``lam``: ``(z_rerun - z_published) / sqrt 2``."""
    source = set(published.loc[published["group"] == "source", "id"].astype(str))
    a, b = levels(rerun), levels(published)
    return {
        rid: (a[rid].z - b[rid].z) / math.sqrt(2.0)
        for rid in sorted(source & set(a) & set(b))
        if abs(a[rid].z) < Z_NEAR and abs(b[rid].z) < Z_NEAR
    }


def _rms(zs: Sequence[float]) -> float:
    return math.sqrt(sum(z * z for z in zs) / len(zs)) if zs else math.nan


@dataclass(frozen=True)
class Scales:
    """Perturbation scales read off reruns: pooled, for each kind, and each row's own (shrunk
    towards its kind's with the weight of ``PRIOR_PAIRS`` pairs)."""

    pooled: float
    kinds: Mapping[str, float]
    rows: Mapping[str, tuple[int, float]]  # id: (moves seen, their mean square)

    def of_kind(self, family: object) -> float:
        return self.kinds[kind(family)]

    def of_row(self, rid: str, family: object) -> float:
        n, mean_square = self.rows.get(rid, (0, 0.0))
        prior = self.of_kind(family) ** 2
        return math.sqrt((n * mean_square + PRIOR_PAIRS * prior) / (n + PRIOR_PAIRS))


def scales(pairs: Sequence[tuple[pd.DataFrame, pd.DataFrame]]) -> Scales:
    """The perturbation scales (root mean square of the moves) of ``pairs``."""
    by_kind: dict[str, list[float]] = {k: [] for k in KINDS}
    by_row: dict[str, list[float]] = {}
    for rerun, published in pairs:
        family = dict(zip(published["id"].astype(str), published["family"], strict=True))
        for rid, z in moves(rerun, published).items():
            by_kind[kind(family.get(rid))].append(z)
            by_row.setdefault(rid, []).append(z)
    pooled = [z for zs in by_kind.values() for z in zs]
    rows = {rid: (len(zs), _rms(zs) ** 2) for rid, zs in by_row.items()}
    return Scales(_rms(pooled), {k: _rms(zs) for k, zs in by_kind.items()}, rows)


def yardsticks(
    levels_: Mapping[str, Levels], family: Mapping[str, object], sc: Scales
) -> tuple[dict[str, float], ...]:
    """Each row's P(flip) with the scales ``sc``: by kind, and by row."""
    return (
        {rid: lv.p_flip(sc.of_kind(family[rid])) for rid, lv in levels_.items()},
        {rid: lv.p_flip(sc.of_row(rid, family[rid])) for rid, lv in levels_.items()},
    )


def count_law(p_flip: Iterable[float]) -> np.ndarray:
    """The law of the number of rows that flip, each with its own chance, independently (the
    Poisson-binomial law): ``law[k] = P(k rows flip)``."""
    law = np.array([1.0])
    for p in p_flip:
        law = np.convolve(law, [1.0 - p, p])
    return law


def count_range(law: np.ndarray, mass: float = 0.95) -> tuple[int, int]:
    """The central range of counts holding at least ``mass``: ``(1 - mass) / 2`` at most in each tail."""
    tail = (1.0 - mass) / 2
    cdf = np.cumsum(law)
    lo = int(np.searchsorted(cdf, tail, side="right"))
    hi = int(np.searchsorted(cdf, 1.0 - tail - 1e-12, side="left"))
    return lo, min(hi, len(law) - 1)


def calibration(p_flip: Mapping[str, float], observed: int) -> str:
    """The count a rerun is read against: its 95 % range, and the tail beyond what was seen."""
    law = count_law(p_flip.values())
    lo, hi = count_range(law)
    below, above = float(law[: observed + 1].sum()), float(law[observed:].sum())
    verdict = "within" if lo <= observed <= hi else "outside"
    tails = f"P(<= {observed}) {below:.2f}, P(>= {observed}) {above:.2f}"
    return f"95 % of counts {lo}-{hi}, {observed} {verdict} ({tails})"


Rule = Callable[[pd.DataFrame], set[str]]


def band(factor: float) -> Rule:
    """Flag a deciding adjusted p within ``[alpha / factor, factor alpha]``."""

    def rule(table: pd.DataFrame) -> set[str]:
        adjusted = fragility.deciding_adjusted(table)
        alpha = pd.to_numeric(table["alpha"], errors="coerce")
        flagged = (adjusted >= alpha / factor) & (adjusted <= alpha * factor)
        return set(table.loc[flagged.fillna(False), "id"].astype(str))

    return rule


def either(*rules: Rule) -> Rule:
    """Flag what any of ``rules`` flags."""

    def rule(table: pd.DataFrame) -> set[str]:
        return set().union(*(r(table) for r in rules))

    return rule


def replication(tau: float, lam: Callable[[str, object], float]) -> Rule:
    """Flag ``P(flip) > tau`` with the row's scale ``lam(id, family)``."""

    def rule(table: pd.DataFrame) -> set[str]:
        family = dict(zip(table["id"].astype(str), table["family"], strict=True))
        return {rid for rid, lv in levels(table).items() if lv.p_flip(lam(rid, family[rid])) > tau}

    return rule


@dataclass(frozen=True)
class Outcome:
    """One rule on one pair."""

    flagged: int  # source rows flagged
    decided: int  # decided source verdicts
    decided_flagged: int
    differ: int  # verdicts that differ (all rows on both pages)
    differ_flagged: int
    expected_unflagged: tuple[float, ...]  # per yardstick: differing verdicts the rule leaves unflagged
    all_flagged: tuple[float, ...]  # per yardstick: P(every differing verdict is flagged)

    @property
    def share(self) -> float:
        return self.decided_flagged / self.decided if self.decided else math.nan


def differing(rerun: pd.DataFrame, published: pd.DataFrame) -> list[str]:
    """The claims whose verdicts differ between the two pages (in the published page's order)."""
    return [r.id for r in compare(rerun, published)[0] if not r.agree]


def outcome(
    flags: set[str], differ: set[str], published: pd.DataFrame, flips: Sequence[Mapping[str, float]]
) -> Outcome:
    """``flags`` (the rule's rows on ``published``) against the verdicts that ``differ`` on a
    rerun, and against each yardstick's ``P(flip)`` per row (``flips``: :func:`yardsticks`)."""
    source = published[published["group"] == "source"]
    decided = set(source.loc[source["verdict"].isin(DECIDED), "id"].astype(str))
    unflagged = [[p for rid, p in y.items() if rid not in flags] for y in flips]
    return Outcome(
        flagged=len(flags & set(source["id"].astype(str))),
        decided=len(decided),
        decided_flagged=len(flags & decided),
        differ=len(differ),
        differ_flagged=len(flags & differ),
        expected_unflagged=tuple(sum(u) for u in unflagged),
        all_flagged=tuple(math.prod(1.0 - p for p in u) for u in unflagged),
    )


def read(path: str) -> pd.DataFrame:
    from advgen.io import read_table

    table = read_table(path, list(COLUMNS))
    table["id"] = table["id"].astype(str)
    table["family"] = table["family"].fillna("").astype(str)
    return table


def with_seeds(table: pd.DataFrame, ratio: float) -> pd.DataFrame:
    """The table as it would read with ``ratio`` times the seeds, every estimate and spread as
    measured: each modelled row's ``z`` times ``sqrt(ratio)``, decided again at its own levels (a
    "not valid" row as it is; the t-quantiles' shrinking with more seeds is left out, so this errs
    towards fragile)."""
    out = table.copy()
    lv = levels(table)
    for i, row in zip(out.index, out.itertuples(), strict=True):
        rid = str(row.id)
        if rid not in lv:
            continue
        z = lv[rid].z * math.sqrt(ratio)
        verdict = lv[rid].decide(z)
        p, against = float(norm.sf(z)), float(norm.cdf(z))
        adjusted = {stats.HOLDS: p * lv[rid].k_holds}.get(verdict, against * lv[rid].k_fails)
        if verdict == stats.INCONCLUSIVE:
            adjusted = min(p * lv[rid].k_holds, against * lv[rid].k_fails)
        out.loc[i, ["verdict", "p_value", "p_against", "p_adjusted"]] = [
            verdict,
            p,
            against,
            min(1.0, adjusted),
        ]
        if "raw_verdict" in out.columns:
            out.loc[i, "raw_verdict"] = ""
    return out


def rules(s: Scales, taus: Sequence[float]) -> list[tuple[str, Rule]]:
    """The candidate rules, with the scales ``s`` where a rule reads one."""
    out: list[tuple[str, Rule]] = [
        (f"p band x{f:g}" + (" (frozen)" if f == fragility.FACTOR else ""), band(f)) for f in (2.0, 4.0, 8.0)
    ]
    for tau in taus:
        out += [
            (f"P(flip) > {tau:g}, pooled scale", replication(tau, lambda _r, _f: s.pooled)),
            (f"P(flip) > {tau:g}, scale by kind", replication(tau, lambda _r, f: s.of_kind(f))),
            (f"P(flip) > {tau:g}, scale by row", replication(tau, s.of_row)),
            (f"P(flip) > {tau:g}, fresh seeds", replication(tau, lambda _r, _f: 1.0)),
            (
                f"p band x{fragility.FACTOR:g} or P(flip) > {tau:g} by kind",
                either(band(fragility.FACTOR), replication(tau, lambda _r, f: s.of_kind(f))),
            ),
        ]
    return out


def report(pairs: Sequence[tuple[str, str, str, int]], taus: Sequence[float]) -> list[str]:
    tables = {path: read(path) for pair in pairs for path in pair[:2]}
    by_round: dict[int, list[tuple[pd.DataFrame, pd.DataFrame]]] = {}
    for a, b, _, rnd in pairs:
        by_round.setdefault(rnd, []).append((tables[a], tables[b]))
    lines = [
        "Perturbation scales (root mean square of (z_rerun - z_published) / sqrt 2 over source rows "
        f"with |z| < {Z_NEAR:g} on both pages):",
        "",
        "| pairs | moves | pooled | generative | classifier |",
        "|---|---:|---:|---:|---:|",
    ]
    for what, chosen in [
        *((f"round {r}", ps) for r, ps in sorted(by_round.items())),
        ("all", [p for ps in by_round.values() for p in ps]),
    ]:
        sc = scales(chosen)
        n = sum(len(moves(a, b)) for a, b in chosen)
        lines.append(
            f"| {what} | {n} | {sc.pooled:.2f} | {sc.kinds['generative']:.2f} | {sc.kinds['classifier']:.2f} |"
        )
    for rerun_path, published_path, name, rnd in pairs:
        others = [p for r, ps in by_round.items() if r != rnd for p in ps]
        if not others:
            raise AdvgenError(f"{name}: no pair of another round to read the perturbation scales from")
        sc = scales(others)
        rerun, published = tables[rerun_path], tables[published_path]
        family = dict(zip(published["id"], published["family"], strict=True))
        flips = yardsticks(levels(published), family, sc)
        differ = differing(rerun, published)
        lines += [
            "",
            f"**{name}** (scales from the other round: pooled {sc.pooled:.2f}, generative "
            f"{sc.kinds['generative']:.2f}, classifier {sc.kinds['classifier']:.2f}): {len(differ)} verdicts "
            f"differ ({', '.join(differ) or 'none'}); the yardsticks expect "
            f"{sum(flips[0].values()):.2f} (scale by kind: {calibration(flips[0], len(differ))}) and "
            f"{sum(flips[1].values()):.2f} (by row: {calibration(flips[1], len(differ))}).",
            "",
            "| rule | source rows flagged | fragile share of decided | differing flagged "
            "| expected unflagged (by kind / by row) | P(all flagged) (by kind / by row) |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for what, rule in rules(sc, taus):
            o = outcome(rule(published), set(differ), published, flips)
            lines.append(
                f"| {what} | {o.flagged} | {o.decided_flagged}/{o.decided} ({100 * o.share:.1f} %) | "
                f"{o.differ_flagged}/{o.differ} | {' / '.join(f'{x:.2f}' for x in o.expected_unflagged)} | "
                f"{' / '.join(f'{x:.2f}' for x in o.all_flagged)} |"
            )
    return lines


def predictions(published_path: str, others: Sequence[tuple[str, str, str, int]]) -> list[str]:
    """Per modelled row of the published page, most likely first: its verdict, whether the frozen
    rule flags it, and P(flip) on a rerun on other arithmetic with the scales of ``others`` by
    kind and by row: the prediction a new rerun of that page is read against."""
    sc = scales([(read(a), read(b)) for a, b, *_ in others])
    published = read(published_path)
    family = dict(zip(published["id"], published["family"], strict=True))
    flags = band(fragility.FACTOR)(published)
    lv = levels(published)
    by_kind, by_row = yardsticks(lv, family, sc)
    rows = [(by_kind[rid], by_row[rid], rid, lv[rid].verdict) for rid in lv]
    rows.sort(key=lambda r: (-r[0], -r[1], r[2]))
    lines = [
        "| claim | verdict | fragile (frozen rule) | kind | P(flip) by kind | P(flip) by row |",
        "|---|---|---|---|---:|---:|",
    ]
    lines += [
        f"| `{rid}` | {verdict} | {'yes' if rid in flags else ''} | {kind(family[rid])} | "
        f"{by_kind:.3f} | {by_row:.3f} |"
        for by_kind, by_row, rid, verdict in rows
    ]
    expected = (sum(r[0] for r in rows), sum(r[1] for r in rows))
    ranges = [count_range(count_law(r[i] for r in rows)) for i in (0, 1)]
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


def seeds_report(
    pair: tuple[str, str, str, int],
    others: Sequence[tuple[str, str, str, int]],
    ratios: Sequence[float],
    taus: Sequence[float],
) -> list[str]:
    """``pair``'s published page with more seeds (:func:`with_seeds`) under the frozen rule and
    the ``P(flip) > tau`` rules by kind: the fragile share and, under the yardsticks with the
    scales of ``others``, the verdicts a rerun is expected to change, those the rule leaves
    unflagged and the chance that it flags every one."""
    sc = scales([(read(a), read(b)) for a, b, *_ in others])
    published = read(pair[1])
    family = dict(zip(published["id"], published["family"], strict=True))
    candidates: list[tuple[str, Rule]] = [(f"p band x{fragility.FACTOR:g} (frozen)", band(fragility.FACTOR))]
    for t in taus:
        by_kind = replication(t, lambda _r, f: sc.of_kind(f))
        candidates += [
            (f"P(flip) > {t:g}, scale by kind", by_kind),
            (
                f"p band x{fragility.FACTOR:g} or P(flip) > {t:g} by kind",
                either(band(fragility.FACTOR), by_kind),
            ),
        ]
    lines = [
        "",
        f"**{pair[2]}: the published page with more seeds** (every estimate and spread as measured; "
        f"scales of the other round):",
        "",
        "| seeds | rule | fragile share of decided | expected differing (by kind / by row) "
        "| expected unflagged (by kind / by row) | P(all flagged) (by kind / by row) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for ratio in ratios:
        table = with_seeds(published, ratio)
        flips = yardsticks(levels(table), family, sc)
        for what, rule in candidates:
            o = outcome(rule(table), set(), table, flips)
            lines.append(
                f"| {ratio:g}x | {what} | {o.decided_flagged}/{o.decided} ({100 * o.share:.1f} %) | "
                f"{' / '.join(f'{sum(y.values()):.2f}' for y in flips)} | "
                f"{' / '.join(f'{x:.2f}' for x in o.expected_unflagged)} | "
                f"{' / '.join(f'{x:.2f}' for x in o.all_flagged)} |"
            )
    return lines


#: the probit grid over which a plan's expectation is taken; the mass beyond it sits at its ends
PLAN_GRID = np.arange(-5.0, 7.0001, 0.1)
#: the power function is read on PLAN_GRID, a rule on a grid this many times finer
FINE = 20


@dataclass(frozen=True)
class Expected:
    """One rule's expectations over a plan's claims."""

    decided: float
    fragile: float  # decided and flagged
    differ: float  # verdicts a rerun on other arithmetic changes
    unflagged: float  # of those, the ones the rule leaves unflagged
    all_flagged: float  # P(the rule flags every one), the claims taken as independent


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


def plan_report(
    plan: str, powers: Sequence[float], taus: Sequence[float], sc: Scales, table: str | None = None
) -> list[str]:
    """The frozen rule and its unions with ``P(flip) > tau`` by kind, in expectation over a plan's
    sized source claims (``scripts/fragile_share.py``'s model: the exploratory estimate is the
    true effect, Holm's first step the family's level, the power function the p-value's
    distribution), at the sizes the round ran (``table``, the verdict table of the round that
    ran the plan), at the plan's ``n_run``, at the sizes it asked for and at those of plans for
    ``powers``: the decided verdicts, the fragile share, the verdicts a rerun with the scales
    ``sc`` by kind changes, those each rule leaves unflagged and the chance that it flags every
    one."""
    from advgen.claims.freeze.bounded_files import read_json

    claims = fragile_share.read_plan(plan)
    records = read_json(plan, "power plan")["claims"]
    lam = {c.id: sc.of_kind(records[c.id].get("family")) for c in claims}
    rules_: list[tuple[str, float | None]] = [(f"p band x{fragility.FACTOR:g} (frozen)", None)]
    rules_ += [(f"p band x{fragility.FACTOR:g} or P(flip) > {t:g} by kind", t) for t in taus]
    cache: dict[tuple[str, int], list[tuple[float, float, float, float]]] = {}

    def one(c: Any, n: int) -> list[tuple[float, float, float, float]]:
        if (c.id, n) not in cache:
            z, mass = statistic(lambda level: c.power(n, level), edges_of(c.alpha))
            cache[(c.id, n)] = expected_at(z, mass, c.alpha, lam[c.id], [t for _, t in rules_])
        return cache[(c.id, n)]

    def at(sizes: Mapping[str, int], which: int) -> Expected:
        parts = [one(c, sizes[c.id])[which] for c in claims if c.id in sizes]
        return Expected(
            decided=sum(p[0] for p in parts),
            fragile=sum(p[1] for p in parts),
            differ=sum(p[2] for p in parts),
            unflagged=sum(p[3] for p in parts),
            all_flagged=math.prod(1 - p[3] for p in parts),
        )

    planned = {c.id: c.n_planned for c in claims if c.n_planned is not None}
    rows: list[tuple[str, Mapping[str, int]]] = []
    if table is not None:
        rows.append(("as the round ran them", fragile_share.ran_sizes(table, claims)))
    rows += [
        ("at the plan's n_run", {c.id: c.n_run for c in claims}),
        (f"as planned ({len(planned)} claims with a plan's n)", planned),
    ]
    for target in powers:
        sizes: dict[str, int] = {}
        for c in claims:
            if c.id in planned:
                n = fragile_share.required_n(lambda n, c=c: c.decided(n), target)
                if n is not None:
                    sizes[c.id] = n
        rows.append((f"a plan for {100 * target:g} % power", sizes))
    lines = [
        "",
        f"**{plan}, in expectation** ({len(claims)} sized source claims; scales by kind of all pairs: "
        f"generative {sc.kinds['generative']:.2f}, classifier {sc.kinds['classifier']:.2f}):",
        "",
        "| sizes | rule | decided | fragile share of decided | expected differing | expected unflagged "
        "| P(all flagged) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for what, chosen in rows:
        for which, (name, _) in enumerate(rules_):
            e = at(chosen, which)
            lines.append(
                f"| {what} | {name} | {e.decided:.1f} | {100 * e.fragile / e.decided:.1f} % | {e.differ:.2f} | "
                f"{e.unflagged:.2f} | {e.all_flagged:.2f} |"
            )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--tau", type=float, nargs="*", default=[0.1, 0.2])
    parser.add_argument(
        "--seeds",
        type=float,
        nargs="*",
        default=[1.0, 1.22, 1.5, 2.0],
        help="seed ratios for the latest round's page with more seeds (1.22: the median of a 97 %% power plan)",
    )
    parser.add_argument("--plan", default=PLAN, help=f"a power plan's JSON (default {PLAN}; '' for none)")
    parser.add_argument(
        "--plan-table",
        default=PLAN_TABLE,
        help=f"the verdict table of the round that ran the plan (default {PLAN_TABLE}; '' for none)",
    )
    parser.add_argument("--power", type=float, nargs="*", default=[0.9, 0.95, 0.97, 0.99])
    parser.add_argument("--plan-tau", type=float, nargs="*", default=[0.1, 0.05, 0.02])
    parser.add_argument(
        "--pair",
        nargs=4,
        action="append",
        metavar=("RERUN", "PUBLISHED", "NAME", "ROUND"),
        help="a rerun's verdict table, the published one, a name and the round, added to the committed pairs",
    )
    parser.add_argument(
        "--predictions",
        action="store_true",
        help="only the latest round's per-row P(flip), with the other rounds' scales (what a rerun is read against)",
    )
    parser.add_argument(
        "--only-given", action="store_true", help="read the --pair pairs only, not the committed ones"
    )
    args = parser.parse_args(argv)
    try:
        if any(not r >= 1 for r in args.seeds):
            raise AdvgenError(f"--seeds: each ratio must be at least 1, got {args.seeds}")
        if any(not 0 < p < 1 for p in args.power):
            raise AdvgenError(f"--power: each value must lie in (0, 1), got {args.power}")
        if not args.tau:
            raise AdvgenError("--tau: give at least one value")
        if any(not 0 < t < 1 for t in [*args.tau, *args.plan_tau]):
            raise AdvgenError(
                f"--tau, --plan-tau: each value must lie in (0, 1), got {args.tau}, {args.plan_tau}"
            )
        try:
            given = [(a, b, name, int(r)) for a, b, name, r in args.pair or []]
        except ValueError as exc:
            raise AdvgenError(f"--pair: ROUND must be an integer ({exc})") from None
        if args.only_given and not given:
            raise AdvgenError("--only-given: give at least one --pair")
        pairs: Sequence[tuple[str, str, str, int]] = given if args.only_given else [*PAIRS, *given]
        latest = max(r for *_, r in pairs)
        last = [p for p in pairs if p[3] == latest][-1]
        others = [p for p in pairs if p[3] != latest]
        if args.predictions:
            if not others:
                raise AdvgenError(
                    "--predictions: no pair of another round to read the perturbation scales from"
                )
            print("\n".join(predictions(last[1], others)))
            return 0
        lines = report(pairs, args.tau)
        if others and args.seeds:
            lines += seeds_report(last, others, args.seeds, args.tau)
        if args.plan:
            every = scales([(read(a), read(b)) for a, b, *_ in pairs])
            lines += plan_report(args.plan, args.power, args.plan_tau, every, args.plan_table or None)
        print("\n".join(lines))
    except AdvgenError as exc:
        print(f"fragility_rules: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
