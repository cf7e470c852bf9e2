"""The worst case per example over a set of attacks, and its gap to AutoAttack's standard budget.

The ``attack`` jobs write each example's outcome (``advgen.columns.ATTACK_EXAMPLE_COLUMNS``;
``example`` indexes the prepared test split). :func:`worst_case_table` makes one row per
(classifier, eps) that every attack of ``robustness.worst_case.attacks`` ran
(``advgen.columns.worst_case_columns``): on the examples all of them evaluated (``n``), an
example is robust only when no attack fools it (``robust_acc``), beside each attack's own
robust accuracy on the same examples (``robust_acc_<attack>``). Where the
``robustness.worst_case.standard`` attack (AutoAttack at its standard budget, on a smaller
subset) ran on that classifier and eps, ``standard_n`` examples are evaluated by it and by
every attack of the set, ``standard_worst_acc`` and ``standard_acc`` are the worst case's and
the standard attack's robust accuracy on them, and ``gap`` = ``standard_worst_acc -
standard_acc`` in points (positive: the standard budget fools examples the set does not).

:func:`worst_case` is the ``worst_case`` job (:mod:`advgen.pipeline.jobkinds`; its spec
:class:`WorstCaseSpec`). :func:`claim_note` words the table's rows for the claims page. pandas
only (no torch): the claims measure imports it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from advgen.columns import ATTACK_EXAMPLE_COLUMNS, worst_case_columns
from advgen.errors import AdvgenError
from advgen.jobfiles import Files
from advgen.specs import job_schema

log = logging.getLogger(__name__)

#: a gap (points) within this is "within" the standard budget; beyond, the worst case is an upper bound
GAP_TOLERANCE_PT = 0.5


def _outcomes(frame: pd.DataFrame, attack: str, classifier: str, eps: float) -> pd.DataFrame:
    rows = frame[(frame["attack"] == attack) & (frame["classifier"] == classifier) & (frame["eps"] == eps)]
    if rows["example"].duplicated().any():
        dup = int(rows.loc[rows["example"].duplicated(), "example"].iloc[0])
        raise AdvgenError(
            f"worst-case: attack {attack} on {classifier} at eps {eps:g}: example {dup} appears twice"
        )
    return rows.set_index("example").sort_index()


def worst_case_table(
    examples: pd.DataFrame, attacks: Sequence[str], standard: str | None = None
) -> pd.DataFrame:
    """One row per (classifier, eps) that every attack of ``attacks`` ran (module docstring).

    ``examples``: the per-example outcomes of the attacks (and of ``standard``), any order;
    rows of other attacks are ignored. Rows sorted by classifier and eps.
    """
    attacks = list(attacks)
    if len(set(attacks)) != len(attacks) or not attacks:
        raise AdvgenError(f"worst-case: the attacks must be distinct and at least one (got {attacks})")
    if standard in attacks:
        raise AdvgenError(f"worst-case: the standard attack {standard} is also one of the attacks")
    missing = [c for c in ATTACK_EXAMPLE_COLUMNS if c not in examples.columns]
    if missing:
        raise AdvgenError(f"worst-case: the per-example tables lack column {missing[0]!r}")
    frame = examples[examples["attack"].isin([*attacks, standard])]
    ran = frame[frame["attack"].isin(attacks)].groupby(["classifier", "eps"])["attack"].nunique()
    rows = []
    for classifier, eps in sorted(ran[ran == len(attacks)].index):
        per = {a: _outcomes(frame, a, classifier, eps) for a in attacks}
        common = per[attacks[0]].index
        for a in attacks[1:]:
            common = common.intersection(per[a].index)
        if not len(common):
            continue  # disjoint subsets: no example every attack evaluated
        adv = pd.DataFrame({a: per[a].loc[common, "adv_correct"].astype(bool) for a in attacks})
        robust = adv.all(axis=1)
        row = {
            "classifier": classifier,
            "eps": float(eps),
            "attacks": ", ".join(attacks),
            "n": len(common),
            "clean_acc": float(per[attacks[0]].loc[common, "clean_correct"].astype(bool).mean()),
            "robust_acc": float(robust.mean()),
            "standard_attack": standard or "",
            "standard_n": 0,
            "standard_worst_acc": float("nan"),
            "standard_acc": float("nan"),
            "gap": float("nan"),
        }
        if standard is not None:
            std = _outcomes(frame, standard, classifier, eps)
            both = common.intersection(std.index)
            if len(both):
                worst = float(robust.loc[both].mean())
                acc = float(std.loc[both, "adv_correct"].astype(bool).mean())
                row.update(standard_n=len(both), standard_worst_acc=worst, standard_acc=acc)
                row["gap"] = 100.0 * (worst - acc)
        row.update({f"robust_acc_{a}": float(adv[a].mean()) for a in attacks})
        rows.append(row)
    columns = list(worst_case_columns(attacks))
    out = pd.DataFrame(rows, columns=columns)
    return out.astype({"n": "int64", "standard_n": "int64"}) if rows else out


@dataclass(frozen=True)
class WorstCaseSpec:
    """The job's spec: ``robustness.worst_case``'s attack set (config order) and its
    standard-budget attack (``None``: none)."""

    attacks: tuple[str, ...] = field(metadata=job_schema(config_key="robustness.worst_case.attacks"))
    standard: str | None = field(metadata=job_schema(config_key="robustness.worst_case.standard"))


def worst_case(inputs: Files, outputs: Files, spec: WorstCaseSpec) -> None:
    """The job: input ``tables`` (the per-example tables of the set's attacks and of the
    standard one; rows of other attacks are ignored) -> output ``table`` (Parquet, atomic)."""
    from advgen.io import read_table, write_parquet

    frames = [read_table(path, ATTACK_EXAMPLE_COLUMNS) for path in inputs.get("tables", ())]
    if not frames:
        raise AdvgenError("worst-case: no per-example table given (--input tables=PATH)")
    table = worst_case_table(pd.concat(frames, ignore_index=True), spec.attacks, spec.standard)
    for row in table.itertuples():
        gap = (
            f", gap to {row.standard_attack} {row.gap:+.1f} pt on {row.standard_n}" if row.standard_n else ""
        )
        log.info("%s eps=%g: worst case %.3f on %d%s", row.classifier, row.eps, row.robust_acc, row.n, gap)
    write_parquet(table, outputs.one("table"))


def claim_note(rows: pd.DataFrame) -> str:
    """What the claims page says of a side read from the worst-case table (its selected rows):
    the attacks, per run with a standard-budget measurement its gap, and the eps at which the
    configured standard budget measured none of the side's rows."""
    if rows.empty:
        return ""
    attacks = sorted(set(rows["attacks"].astype(str)))
    parts = [f"worst case per example over {' / '.join(attacks)}"]
    checked = rows[(rows["standard_n"].fillna(0) > 0) & rows["gap"].notna()].sort_values(
        ["classifier", "eps"]
    )
    standard = sorted(set(rows["standard_attack"].fillna("").astype(str)) - {""})
    unchecked = sorted(set(rows["eps"].astype(float)) - set(checked["eps"].astype(float)))
    if standard and unchecked:  # a configured standard budget that ran at none of the side's rows at an eps
        grid = ", ".join(f"{e:g}" for e in unchecked)
        parts.append(
            f"not checked against AutoAttack's standard budget ({' / '.join(standard)}) at eps {grid}"
        )
    for row in checked.itertuples():
        gap, n = float(row.gap), int(row.standard_n)
        where = f"on {n} examples of {row.classifier} at eps {float(row.eps):g}"
        name = f"AutoAttack's standard budget ({row.standard_attack})"
        if gap > GAP_TOLERANCE_PT:
            parts.append(f"an upper bound: {name} is {gap:.1f} pt lower {where}")
        elif gap >= -GAP_TOLERANCE_PT:
            parts.append(f"within {GAP_TOLERANCE_PT:g} pt of {name} {where} (gap {gap:+.1f} pt)")
        else:
            parts.append(f"{-gap:.1f} pt below {name} {where}")
    return "; ".join(parts)
