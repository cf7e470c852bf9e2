"""The main numbers' tables (:mod:`advgen.findings`): robustness per classifier entry, the
generators' scores and the verdict counts, each from one of the run's tables. Torch-free."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from advgen.specs import job_schema

if TYPE_CHECKING:
    import pandas as pd

#: the intervals' confidence (two-sided t over seeds, as the claims page's)
CONFIDENCE = 0.95
#: the robustness table's columns
ROBUSTNESS_COLUMNS = [
    "classifier",
    "attack",
    "attack_type",
    "reference",
    "eps",
    "clean",
    "clean_lo",
    "clean_hi",
    "robust",
    "robust_lo",
    "robust_hi",
    "seeds",
    "examples",
]
#: the generators' table's columns
GENERATOR_COLUMNS = [
    "model",
    "family",
    "dataset",
    "fid",
    "fid_lo",
    "fid_hi",
    "classes",
    "num_classes",
    "mean_max_prob",
    "mean_max_prob_lo",
    "mean_max_prob_hi",
    "seeds",
    "gate",
]
#: the columns each input must have
ATTACK_INPUT = ("classifier", "attack", "attack_type", "eps", "norm", "n", "clean_acc", "robust_acc")
QUALITY_INPUT = ("model", "family", "dataset", "fid", "modes", "num_classes", "mean_max_prob")
CLAIMS_INPUT = ("id", "group", "verdict")


@dataclass(frozen=True)
class FindingsSpec:
    """Each replicated run -> its config entry (``<entry>_seed<k>`` -> ``<entry>``): the runs
    the tables average over seeds."""

    replicate_of: dict[str, str] = field(
        default_factory=dict,
        metadata=job_schema(
            schema={"type": "object", "additionalProperties": {"$ref": "#/$defs/name"}},
            description="each replicated run -> its config entry (the runs the tables average over seeds)",
            required=True,
        ),
    )


def seed_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean of one value per seed and its two-sided t-interval (NaN ends from one seed)."""
    import numpy as np

    from advgen.claims.statistics.stats import interval, run_level

    v = np.asarray([x for x in values if math.isfinite(float(x))], dtype=float)
    if len(v) == 0:
        return math.nan, math.nan, math.nan
    if len(v) < 2:
        return float(v[0]), math.nan, math.nan
    lo, hi = interval(run_level(v), confidence)
    return float(v.mean()), float(lo), float(hi)


def accuracy_interval(rates: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean of one accuracy per seed and its t-interval (:func:`seed_interval`) cut at 0 and 1:
    a t-interval over a few seeds near 0 or 1 leaves [0, 1], and an accuracy cannot."""
    mean, lo, hi = seed_interval(rates, confidence)
    if math.isnan(lo):
        return mean, lo, hi
    return mean, max(lo, 0.0), min(hi, 1.0)


def _entry(run: str, replicate_of: Mapping[str, str]) -> str:
    return replicate_of.get(run, run)


def _is_reference(attack_type: str) -> bool:
    from advgen.attacks.registry import REGISTRY

    info = REGISTRY.get(attack_type)
    return bool(info is not None and info.reference)


def common_eps(attacks: pd.DataFrame) -> float | None:
    """The largest L-infinity eps above 0 at which every classifier of ``attacks`` was attacked
    (None where there is none)."""
    linf = attacks[(attacks["norm"] == "linf") & (attacks["eps"] > 0)]
    if linf.empty:
        return None
    sets = [set(map(float, g["eps"])) for _, g in linf.groupby("classifier")]
    common = set.intersection(*sets)
    return max(common) if common else None


def robustness_table(attacks: pd.DataFrame, replicate_of: Mapping[str, str]) -> pd.DataFrame:
    """One row per classifier entry (:data:`ROBUSTNESS_COLUMNS`; accuracies as fractions) from
    the attack table (``results/robustness/attacks.parquet``), at :func:`common_eps`."""
    import pandas as pd

    eps = common_eps(attacks)
    if eps is None:
        return pd.DataFrame(columns=ROBUSTNESS_COLUMNS)
    at = attacks[(attacks["norm"] == "linf") & (attacks["eps"].astype(float) == eps)].copy()
    at["entry"] = [_entry(str(c), replicate_of) for c in at["classifier"]]
    rows = []
    for entry, part in at.groupby("entry", sort=False):
        runs = list(dict.fromkeys(part["classifier"]))
        candidates = []
        for (attack, attack_type), rows_of in part.groupby(["attack", "attack_type"], sort=True):
            per_run = rows_of.groupby("classifier")[["robust_acc", "clean_acc", "n"]].mean()
            candidates.append(
                (
                    -len(per_run),  # every seed first
                    not _is_reference(str(attack_type)),  # then AutoAttack
                    float(per_run["robust_acc"].mean()),  # then the strongest
                    str(attack),
                    str(attack_type),
                    per_run,
                )
            )
        covered, not_reference, _, attack, attack_type, per_run = min(candidates, key=lambda c: c[:4])
        clean = accuracy_interval(per_run["clean_acc"].tolist())
        robust = accuracy_interval(per_run["robust_acc"].tolist())
        rows.append(
            {
                "classifier": entry,
                "attack": attack,
                "attack_type": attack_type,
                "reference": not not_reference,
                "eps": eps,
                "clean": clean[0],
                "clean_lo": clean[1],
                "clean_hi": clean[2],
                "robust": robust[0],
                "robust_lo": robust[1],
                "robust_hi": robust[2],
                "seeds": -covered,
                "examples": int(per_run["n"].min()) if len(runs) else 0,
            }
        )
    return pd.DataFrame(rows, columns=ROBUSTNESS_COLUMNS)


def generators_table(summary: pd.DataFrame, replicate_of: Mapping[str, str]) -> pd.DataFrame:
    """One row per generator entry and one per real data set (:data:`GENERATOR_COLUMNS`) from
    the sample-quality table (``results/sample_quality/summary.parquet``); rows whose scoring
    did not run (no FID) are left out."""
    import pandas as pd

    scored = summary[summary["fid"].notna()].copy()
    scored["entry"] = [_entry(str(m), replicate_of) for m in scored["model"]]
    rows = []
    for (entry, family, dataset), part in scored.groupby(["entry", "family", "dataset"], sort=False):
        fid = seed_interval(part["fid"].astype(float).tolist())
        mmp = accuracy_interval(part["mean_max_prob"].astype(float).tolist())  # a share: in [0, 1]
        gates = [str(g) for g in part["gate"]] if "gate" in part.columns else []
        failed = sum(g == "fail" for g in gates)
        if failed:
            gate = f"fail ({failed} of {len(gates)} seeds)" if len(gates) > 1 else "fail"
        elif gates and all(g == "pass" for g in gates):
            gate = "pass"
        else:
            gate = ""
        rows.append(
            {
                "model": entry,
                "family": family,
                "dataset": dataset,
                "fid": fid[0],
                "fid_lo": fid[1],
                "fid_hi": fid[2],
                "classes": float(part["modes"].astype(float).mean()),
                "num_classes": int(part["num_classes"].max()),
                "mean_max_prob": mmp[0],
                "mean_max_prob_lo": mmp[1],
                "mean_max_prob_hi": mmp[2],
                "seeds": len(part),
                "gate": gate,
            }
        )
    out = pd.DataFrame(rows, columns=GENERATOR_COLUMNS)
    real = out["family"] == "real"
    return pd.concat([out[~real], out[real]], ignore_index=True)


def verdict_counts(claims: pd.DataFrame) -> pd.DataFrame:
    """Per verdict (in the claims page's order, zeros left out) the number of source claims and
    of implementation checks; a confirmatory run's post-hoc claims are counted apart
    (:func:`advgen.claims.page.counts.counts_text`'s rule)."""
    import pandas as pd

    from advgen.claims.deciding.verdict_words import VERDICTS
    from advgen.claims.freeze.phase import POST_HOC

    late = claims["phase"] == POST_HOC if "phase" in claims.columns else False
    source = claims[(claims["group"] == "source") & ~late]
    checks = claims[claims["group"] == "check"]
    rows = [
        {
            "verdict": v,
            "source": int((source["verdict"] == v).sum()),
            "checks": int((checks["verdict"] == v).sum()),
        }
        for v in VERDICTS
    ]
    out = pd.DataFrame(rows, columns=["verdict", "source", "checks"])
    return out[(out["source"] > 0) | (out["checks"] > 0)].reset_index(drop=True)
