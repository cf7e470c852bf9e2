"""PGD vs AutoAttack: the robust-accuracy gap that flags gradient masking or a weak attack.

Croce and Hein 2020 ("Reliable evaluation of adversarial robustness with an ensemble of
diverse parameter-free attacks") and Carlini et al. 2019: a robust accuracy that a stronger,
parameter-free attack lowers by more than a couple of points was overestimated. Torch-free.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advgen.attacks.registry import BASELINE_ATTACKS, REFERENCE_ATTACKS

#: robust-accuracy gap (points) above which PGD is flagged against AutoAttack
GAP_FLAG_POINTS = 2.0


def pgd_vs_autoattack(attacks: pd.DataFrame, flag_points: float = GAP_FLAG_POINTS) -> pd.DataFrame:
    """PGD and AutoAttack robust accuracy side by side, per classifier, norm and eps.

    ``pgd_acc`` is the strongest (lowest) PGD row at that eps and norm, ``autoattack_acc`` the
    AutoAttack row's; ``gap_points`` = 100 x (pgd_acc - autoattack_acc). A gap above
    ``flag_points`` (Croce & Hein 2020 report PGD overestimating robustness by more on masked
    or weakly evaluated models) sets ``flagged``: a sign of gradient masking or a weak attack.
    Empty when the table has no AutoAttack rows.
    """
    columns = [
        "classifier",
        "norm",
        "eps",
        "pgd_attack",
        "pgd_acc",
        "autoattack_acc",
        "gap_points",
        "flagged",
    ]
    if "attack_type" not in attacks.columns:
        return pd.DataFrame(columns=columns)
    df = attacks[np.isfinite(attacks["eps"].astype(float))]
    if "norm" not in df.columns:
        df = df.assign(norm="linf")
    pgd = df[df["attack_type"].isin(BASELINE_ATTACKS)]
    aa = df[df["attack_type"].isin(REFERENCE_ATTACKS)]
    rows = []
    for (clf, norm, eps), part in aa.groupby(["classifier", "norm", "eps"], sort=True):
        match = pgd[
            (pgd["classifier"] == clf) & (pgd["norm"] == norm) & (pgd["eps"].astype(float) == float(eps))
        ]
        if match.empty:
            continue
        best = match.loc[match["robust_acc"].astype(float).idxmin()]
        aa_acc = float(part["robust_acc"].min())
        gap = 100.0 * (float(best["robust_acc"]) - aa_acc)
        rows.append(
            [clf, norm, float(eps), best["attack"], float(best["robust_acc"]), aa_acc, gap, gap > flag_points]
        )
    return pd.DataFrame(rows, columns=columns)
