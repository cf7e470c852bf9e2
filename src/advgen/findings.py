"""The report's main numbers (its landing page), from the run's own tables: the ``findings`` job
(:func:`findings_job`; ``results/tables/findings.rst`` and ``findings.md``).

* **Robustness**, in the style of RobustBench (Croce et al., "RobustBench: a standardized
  adversarial robustness benchmark", NeurIPS 2021 Datasets and Benchmarks): per classifier
  entry (its runs, one per seed) the clean accuracy and the robust accuracy under AutoAttack
  (Croce & Hein 2020), or, where the run has no AutoAttack on every seed of that classifier,
  under the strongest L-infinity attack it has (the lowest mean robust accuracy), at one eps:
  the largest L-infinity eps at which every classifier was attacked. Each accuracy is the mean
  over seeds with its 95 % t-interval (Student 1908; cut at 0 and 100 %, which a t-interval over
  a few seeds near either end crosses; none from one seed) and the number of seeds.
* **Generators**: per GAN or autoencoder entry the mean over seeds of FID, classes covered
  (classes with at least 1/(2C) of the samples) and mean max-probability of the sample-quality
  classifier (each with its 95 % t-interval over seeds, Student 1908), with the real data's row
  as the reference, and the quality gate.
* **Claims**: the verdict counts of the claims table (source claims and implementation checks).

Torch-free; pandas is imported inside the functions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from advgen.jobfiles import Files

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

    replicate_of: dict[str, str] = field(default_factory=dict)


def seed_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean of one value per seed and its two-sided t-interval (NaN ends from one seed)."""
    import numpy as np

    from advgen.claims.stats import interval, run_level

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
        mmp = seed_interval(part["mean_max_prob"].astype(float).tolist())
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
    (:func:`advgen.claims.report.counts_text`'s rule)."""
    import pandas as pd

    from advgen.claims.phase import POST_HOC
    from advgen.claims.verdict import VERDICTS

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


# --- the texts
def percent(value: float, lo: float = math.nan, hi: float = math.nan) -> str:
    """``97.3 % [95.1, 99.5]`` (the interval left out where it is NaN)."""
    if not math.isfinite(value):
        return "–"
    text = f"{100 * value:.1f} %"
    return text + (f" [{100 * lo:.1f}, {100 * hi:.1f}]" if math.isfinite(lo) and math.isfinite(hi) else "")


def number(value: float, lo: float = math.nan, hi: float = math.nan, digits: int = 3) -> str:
    """``0.781 [0.702, 0.860]`` (the interval left out where it is NaN)."""
    if not math.isfinite(value):
        return "–"
    text = f"{value:.{digits}g}"
    return text + (f" [{lo:.{digits}g}, {hi:.{digits}g}]" if math.isfinite(lo) and math.isfinite(hi) else "")


def robustness_rows(table: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """The robustness table's header and cells, as the landing page shows them."""
    header = ["classifier", "clean accuracy", "robust accuracy", "attack", "seeds", "examples per seed"]
    cells = [
        [
            str(r.classifier),
            percent(r.clean, r.clean_lo, r.clean_hi),
            percent(r.robust, r.robust_lo, r.robust_hi),
            f"{r.attack_type} ({r.attack})" + ("" if r.reference else ", strongest the run has"),
            str(r.seeds),
            str(r.examples),
        ]
        for r in table.itertuples()
    ]
    return header, cells


def generator_rows(table: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """The generators' table's header and cells."""
    header = ["model", "kind", "FID", "classes covered", "mean max-prob", "seeds", "quality gate"]
    cells = [
        [
            str(r.model) + (" (real data)" if r.family == "real" else ""),
            str(r.family),
            number(r.fid, r.fid_lo, r.fid_hi),
            f"{r.classes:.3g} of {r.num_classes}",
            number(r.mean_max_prob, r.mean_max_prob_lo, r.mean_max_prob_hi),
            str(r.seeds),
            str(r.gate) or "–",
        ]
        for r in table.itertuples()
    ]
    return header, cells


def count_rows(counts: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    header = ["verdict", "source claims", "implementation checks"]
    return header, [[str(r.verdict), str(r.source), str(r.checks)] for r in counts.itertuples()]


@dataclass(frozen=True)
class Findings:
    """The three tables (None: the run has no such table)."""

    robustness: Any = None
    generators: Any = None
    counts: Any = None


def robustness_intro(table: pd.DataFrame) -> str:
    eps = float(table["eps"].iloc[0])
    return (
        f"Robustness at L-infinity eps {eps:g}, RobustBench style: mean over seeds [95 % t-interval, "
        "cut at 0 and 100 %; none from one seed]. The attack is AutoAttack where it ran on every seed "
        "of the classifier, else the strongest attack of the run there (lowest robust accuracy)."
    )


GENERATORS_INTRO = (
    "Generators, mean over seeds [95 % t-interval]: FID and mean max-probability of the "
    "sample-quality classifier, classes covered (classes with at least 1/(2C) of the samples); "
    "the real data's row is the reference."
)
CLAIMS_INTRO = "Claims of the source documents, tested on this run: verdict counts."


def _rst_text(text: str) -> str:
    text = str(text).replace("\n", " ").replace("\\", "\\\\")
    for ch in "`*|_":
        text = text.replace(ch, "\\" + ch)
    return text or "–"


def _rst_table(header: list[str], cells: list[list[str]]) -> list[str]:
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header, *cells]:
        lines.append(f"   * - {_rst_text(row[0])}")
        lines += [f"     - {_rst_text(c)}" for c in row[1:]]
    return [*lines, ""]


def rst(findings: Findings, *, claims_category: str = "Claims") -> str:
    """The landing page's main numbers (reStructuredText; ``claims_category``: the report's
    category that holds the claims page, linked by name)."""
    lines = ["**Main numbers of this run**", ""]
    if findings.robustness is not None and len(findings.robustness):
        lines += [_rst_text(robustness_intro(findings.robustness)), ""]
        lines += _rst_table(*robustness_rows(findings.robustness))
    if findings.generators is not None and len(findings.generators):
        lines += [_rst_text(GENERATORS_INTRO), ""]
        lines += _rst_table(*generator_rows(findings.generators))
    if findings.counts is not None:
        lines += [f"{_rst_text(CLAIMS_INTRO)} The claims page is in this report: `{claims_category}`_.", ""]
        lines += _rst_table(*count_rows(findings.counts))
    if len(lines) == 2:
        lines += ["This run has no attack, sample-quality or claims table.", ""]
    return "\n".join(lines)


def _md_table(header: list[str], cells: list[list[str]]) -> list[str]:
    def cell(x: str) -> str:
        return str(x).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(map(cell, header)) + " |", "|" + "---|" * len(header)]
    return [*lines, *("| " + " | ".join(map(cell, row)) + " |" for row in cells), ""]


def markdown(findings: Findings) -> str:
    """The same as Markdown (``results/tables/findings.md``)."""
    lines = ["# Main numbers of this run", ""]
    if findings.robustness is not None and len(findings.robustness):
        lines += [robustness_intro(findings.robustness), ""]
        lines += _md_table(*robustness_rows(findings.robustness))
    if findings.generators is not None and len(findings.generators):
        lines += [GENERATORS_INTRO, ""]
        lines += _md_table(*generator_rows(findings.generators))
    if findings.counts is not None:
        lines += [CLAIMS_INTRO + " The claims page: `results/claims.html`.", ""]
        lines += _md_table(*count_rows(findings.counts))
    if len(lines) == 2:
        lines += ["This run has no attack, sample-quality or claims table.", ""]
    return "\n".join(lines)


def findings_job(inputs: Files, outputs: Files, spec: FindingsSpec) -> None:
    """The ``findings`` job: optional inputs ``attacks`` (the attack table), ``quality`` (the
    sample-quality table) and ``claims`` (the verdict table); outputs ``rst`` and ``md``."""
    from advgen.io import read_table, write_text

    attacks, quality, claims = (inputs.optional(n) for n in ("attacks", "quality", "claims"))
    found = Findings(
        robustness_table(read_table(attacks, ATTACK_INPUT), spec.replicate_of) if attacks else None,
        generators_table(read_table(quality, QUALITY_INPUT), spec.replicate_of) if quality else None,
        verdict_counts(read_table(claims, CLAIMS_INPUT)) if claims else None,
    )
    texts = {outputs.one("rst"): rst(found), outputs.one("md"): markdown(found)}
    for path, text in texts.items():
        write_text(path, text)
