"""How far a rerun of a frozen study on other arithmetic moves each row, and each row's chance
that such a rerun changes its verdict (``advgen claims fragility``, ``advgen claims predictions``).

The frozen rule (:mod:`advgen.claims.deciding.fragility`) flags a verdict whose deciding
Holm-adjusted p lies within ``[alpha / 4, 4 alpha]``. Each committed rerun of a frozen study on
other arithmetic (round 1 on three hardware kinds, round 2 with other CPU kernels and on a second
CPU model: :data:`PAIRS`) shows how far a change of arithmetic moves each row's statistic on the
probit scale, ``z = Phi^-1(1 - p_value)``. The root mean square of ``(z_rerun - z_published) /
sqrt 2`` over a kind of row, read where ``|z| < Z_NEAR`` on both pages, is that kind's
*perturbation scale* ``lam``: 0 where the arithmetic changes nothing, 1 where a rerun is as
different as one on fresh seeds.

The yardstick: a rerun's statistic ``z' = z + N(0, 2 lam^2)`` (the replication distribution of
Goodman 1992, Stat. Med. 11:875, narrowed by ``lam``), decided against the row's own levels
(``alpha`` over the row's Holm multiplier on the page, in both directions where the table was
adjusted in both). Per row it gives ``P(flip)``, the chance that a rerun gives another verdict; a
"not valid" verdict (a failed precondition) is not modelled. The scales are taken by the kind of
model the row's measurement trains (generative models or classifiers) and by row (each row's own
moves, shrunk towards its kind's). Taking the rows as independent, the count of differing
verdicts follows a Poisson-binomial law (:func:`count_law`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.stats import norm

from advgen.claims.deciding import fragility
from advgen.claims.deciding.verdict_words import AT_SCALE
from advgen.claims.page.compare import compare
from advgen.claims.statistics import stats
from advgen.commands._rounds.plan_share import DECIDED
from advgen.errors import AdvgenError


class Pair(NamedTuple):
    """A rerun of a frozen study on other arithmetic: its verdict table, the published one, a
    name and the round."""

    rerun: str
    published: str
    name: str
    round: int


#: the committed reruns of a frozen study on other arithmetic (docs/rounds/)
R1, R2 = "docs/rounds/round1/", "docs/rounds/round2/"
PAIRS = (
    Pair(R1 + "claims_h200.parquet", R1 + "claims_xeon.parquet", "round 1: H200 / Xeon-2", 1),
    Pair(R1 + "claims_epyc.parquet", R1 + "claims_xeon.parquet", "round 1: EPYC-2 / Xeon-2", 1),
    Pair(R1 + "claims_epyc.parquet", R1 + "claims_h200.parquet", "round 1: EPYC-2 / H200", 1),
    Pair(
        R2 + "claims_xeone_avx2.parquet",
        "docs/default_run/claims.parquet",
        "round 2: XeonE-2 AVX2 / XeonE-2",
        2,
    ),
    Pair(R2 + "claims_epyc.parquet", "docs/default_run/claims.parquet", "round 2: EPYC-2 / XeonE-2", 2),
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


def differing(rerun: pd.DataFrame, published: pd.DataFrame) -> list[str]:
    """The claims whose verdicts differ between the two pages (in the published page's order)."""
    return [r.id for r in compare(rerun, published)[0] if not r.agree]


def read(path: str) -> pd.DataFrame:
    from advgen.io import read_table

    table = read_table(path, list(COLUMNS))
    table["id"] = table["id"].astype(str)
    table["family"] = table["family"].fillna("").astype(str)
    return table


def frozen_flags(table: pd.DataFrame) -> set[str]:
    """The rows the frozen rule flags: a deciding adjusted p within ``[alpha / FACTOR, FACTOR alpha]``."""
    adjusted = fragility.deciding_adjusted(table)
    alpha = pd.to_numeric(table["alpha"], errors="coerce")
    flagged = (adjusted >= alpha / fragility.FACTOR) & (adjusted <= alpha * fragility.FACTOR)
    return set(table.loc[flagged.fillna(False), "id"].astype(str))


def scales_of(pairs: Sequence[Pair]) -> Scales:
    """The perturbation scales of the verdict tables ``pairs`` name."""
    return scales([(read(p.rerun), read(p.published)) for p in pairs])


def report(pairs: Sequence[Pair]) -> list[str]:
    """The perturbation scales per round and of all ``pairs``, then per pair the verdicts that
    differ against the count the other rounds' scales predict (by kind and by row)."""
    tables = {path: read(path) for pair in pairs for path in pair[:2]}
    by_round: dict[int, list[tuple[pd.DataFrame, pd.DataFrame]]] = {}
    for pair in pairs:
        by_round.setdefault(pair.round, []).append((tables[pair.rerun], tables[pair.published]))
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
    lines += [
        "",
        "| pair | verdicts that differ | flagged | expected (by kind / by row) "
        "| the count against its law (by kind; by row) |",
        "|---|---|---:|---:|---|",
    ]
    for pair in pairs:
        others = [p for r, ps in by_round.items() if r != pair.round for p in ps]
        if not others:
            raise AdvgenError(f"{pair.name}: no pair of another round to read the perturbation scales from")
        sc = scales(others)
        published = tables[pair.published]
        family = dict(zip(published["id"], published["family"], strict=True))
        flips = yardsticks(levels(published), family, sc)
        differ = differing(tables[pair.rerun], published)
        flagged = frozen_flags(published) & set(differ)
        lines.append(
            f"| {pair.name} | {', '.join(f'`{d}`' for d in differ) or 'none'} | {len(flagged)}/{len(differ)} | "
            f"{sum(flips[0].values()):.2f} / {sum(flips[1].values()):.2f} | "
            f"{calibration(flips[0], len(differ))}; {calibration(flips[1], len(differ))} |"
        )
    return lines
