"""What an evaluation (:func:`advgen.robustness.evaluate_model.evaluate`) writes: its table's
columns, its stage times' columns and its files, stated once for the evaluation, its report
(:mod:`advgen.robustness.evaluation_report`) and their readers."""

from __future__ import annotations

from advgen.attacks.autoattack import LABELS as AUTOATTACK_LABELS
from advgen.robustness.tables import CURVE_COLUMNS

#: the confidence of the intervals on robust accuracy
CONFIDENCE = 0.95
#: AutoAttack's component -> the table's column of robust accuracy after it (NaN where it did
#: not run: another version, or another attack)
BREAKDOWN = {c: f"robust_acc_after_{c.replace('-', '_')}" for c in AUTOATTACK_LABELS}
#: the table's columns: the robustness curves', and per row the attack's seed, the Wilson
#: interval of ``robust_acc`` over the ``n`` examples and AutoAttack's breakdown
COLUMNS = [*CURVE_COLUMNS, "seed", "robust_acc_low", "robust_acc_high", *BREAKDOWN.values()]
#: the stage times' columns (:meth:`advgen.robustness.stages.Stages.rows`)
STAGE_COLUMNS = ["stage", "seconds", "share"]
#: what :meth:`advgen.robustness.evaluate_model.Evaluation.write` writes into its folder
FILES = {
    "table": "robustness.parquet",
    "masking": "masking.parquet",
    "markdown": "report.md",
    "html": "report.html",
}
