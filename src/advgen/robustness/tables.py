"""Tables of the robustness stage that need no torch (the table jobs must not import it).

:func:`minimal_table` is the minimal-perturbation table (:mod:`advgen.robustness.evaluate`'s
curves, Szegedy et al. 2014 Table 1 / DeepFool's rho_adv); :func:`masking_markdown` renders
the gradient-masking checks of :mod:`advgen.robustness.masking` (Carlini et al. 2019);
:func:`robust_features_table` concatenates the per-seed tables of Ilyas et al.'s robust
features (:mod:`advgen.robustness.robust_features`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from advgen.attacks.registry import MASKING_BLACKBOX, MINIMAL_ATTACKS
from advgen.columns import MASKING_COLUMNS, ROBUST_FEATURES_COLUMNS
from advgen.defense.tables import concat
from advgen.named import by_name

#: the rows of an attack curve (advgen.robustness.evaluate.attack_curve)
CURVE_COLUMNS = [
    "classifier",
    "attack",
    "attack_type",
    "eps",
    "norm",
    "n",
    "clean_acc",
    "robust_acc",
    "success_rate",
    "mean_l2",
    "median_l2",
    "mean_linf",
    "median_linf",
    "mean_norm",
    "rho_adv",
    "mean_adv_confidence",
    "seconds",
    "params",
]


@dataclass(frozen=True)
class MaskingCheck:
    """One gradient-masking check (Carlini et al. 2019, section 5): ``about`` says what it
    compares; ``settings`` are the :class:`advgen.robustness.masking_spec.MaskingSettings` fields it
    reads. One ``masking_checks`` job per (model, check) carries only its check's settings (so
    editing ``long_steps`` reruns the more_steps_restarts jobs alone); a check that reads
    ``n_queries`` also takes the job spec's ``blackbox`` (the black-box attack with its
    ``n_queries``). Every
    check also reads the job's ``max_examples``, ``seed``, ``purifier``, ``gradient`` and
    ``device``. The code of each is :data:`advgen.robustness.masking.CHECK_FUNCTIONS`."""

    name: str
    about: str
    settings: tuple[str, ...]


#: the checks, in the order of the table's rows
MASKING_CHECK_REGISTRY: dict[str, MaskingCheck] = by_name(
    MaskingCheck(
        "zero_gradients",
        "share of images whose input gradient is all zero or not finite",
        ("zero_tolerance",),
    ),
    MaskingCheck(
        "monotone_in_eps",
        "robust accuracy does not rise from one eps of the grid to the next",
        ("eps_grid", "pgd_steps", "tolerance", "early_stop"),
    ),
    MaskingCheck(
        "unbounded_eps",
        "robust accuracy at eps 1 (the whole [0, 1] box) is about 0",
        ("unbounded_steps", "tolerance", "early_stop"),
    ),
    MaskingCheck(
        "iterative_vs_single_step",
        "PGD is at least as strong as FGSM",
        ("eps", "pgd_steps", "tolerance", "early_stop"),
    ),
    MaskingCheck(
        "whitebox_vs_blackbox",
        f"PGD is at least as strong as a black-box attack ({MASKING_BLACKBOX})",
        ("eps", "pgd_steps", "tolerance", "early_stop", "n_queries"),
    ),
    MaskingCheck(
        "more_steps_restarts",
        "more PGD steps and restarts lower robust accuracy by at most the tolerance",
        ("eps", "pgd_steps", "long_steps", "long_restarts", "tolerance", "early_stop"),
    ),
)
MASKING_CHECKS = tuple(MASKING_CHECK_REGISTRY)
MASKING_CHECK_SETTINGS: dict[str, tuple[str, ...]] = {
    n: c.settings for n, c in MASKING_CHECK_REGISTRY.items()
}


#: what the attack table's sort (advgen.robustness.jobs.attack_table) and :func:`minimal_table`
#: read of the curves
SORTED_CURVE_COLUMNS = (
    "classifier",
    "attack",
    "attack_type",
    "eps",
    "n",
    "clean_acc",
    "success_rate",
    "rho_adv",
    "mean_l2",
    "median_l2",
)


def minimal_table(curves: pd.DataFrame) -> pd.DataFrame:
    """Szegedy Table 1 / DeepFool rho_adv: per classifier and minimal attack, the unbounded row."""
    rows = curves[curves["attack_type"].isin(MINIMAL_ATTACKS) & curves["eps"].eq(math.inf)]
    out = rows[[c for c in SORTED_CURVE_COLUMNS if c != "eps"]]
    return out.sort_values(["classifier", "attack"]).reset_index(drop=True)


def masking_markdown(table: pd.DataFrame, models: Sequence[str] | None = None) -> str:
    """A Markdown table of masking-check rows: one line per model and check, FLAG on a failure."""
    missing = [c for c in MASKING_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"not a masking-check table (missing column(s) {', '.join(missing)})")
    lines = ["| model | check | result | value | reference | eps | detail |", "|---|---|---|---|---|---|---|"]
    order = {c: i for i, c in enumerate(MASKING_CHECKS)}
    df = table if models is None else table[table["model"].isin(list(models))]
    df = df.assign(_o=df["check"].map(order).fillna(len(order))).sort_values(["model", "_o"], kind="stable")
    for r in df.itertuples():
        eps = "" if math.isnan(r.eps) else f"{r.eps:g}"
        lines.append(
            f"| {r.model} | {r.check} | {'pass' if r.passed else '**FLAG**'} | {r.value:.3f} | "
            f"{r.reference:.3f} | {eps} | {r.detail} |"
        )
    return "\n".join(lines) + "\n"


def robust_features_table(paths: Sequence[str | Path]) -> pd.DataFrame:
    """The per-seed tables of the ``robust_features`` jobs as one table, in the given order
    (each checked for :data:`ROBUST_FEATURES_COLUMNS`)."""
    return concat("robust-features", paths, list(ROBUST_FEATURES_COLUMNS))
