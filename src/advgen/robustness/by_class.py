"""Attack success per true class: which digits an attack fools, from the per-example tables.

The ``attack`` jobs write each evaluated test example's outcome
(``advgen.columns.ATTACK_EXAMPLE_COLUMNS``; ``example`` indexes the prepared test split), and
the data manifest (``results/data/<dataset>/manifest.parquet``) gives each test example's true
``label``. :func:`success_by_class` makes one row per (classifier, attack, eps, label) of
:data:`COLUMNS`: ``n`` evaluated examples of that class, ``clean_acc`` and ``robust_acc`` (the
shares classified correctly without and under the attack) and ``success_rate``, the share of
the correctly classified ones the attack fools (the curve table's definition,
:mod:`advgen.robustness.evaluate`; NaN when the class has none). The per-example tables record
no perturbation size, so the table has none; the curve table's ``mean_l2`` / ``mean_linf`` are
per attack and eps. Minimal-perturbation attacks keep their unbounded ``eps = inf`` rows.

:func:`attack_success_by_class` is the ``attack_success_by_class`` job
(:mod:`advgen.pipeline.jobkinds`): it reads the tables, joins them and writes the result
atomically. pandas is imported inside the functions: the job-kind table imports this module
while the workflow is parsed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from advgen.columns import ATTACK_EXAMPLE_COLUMNS
from advgen.errors import AdvgenError
from advgen.jobfiles import Files
from advgen.specs import NAME, job_schema, ref_map

#: the table's columns (``results/robustness/attack_success_by_class.parquet``)
COLUMNS = (
    "classifier",
    "dataset",
    "attack",
    "eps",
    "label",
    "n",
    "clean_acc",
    "robust_acc",
    "success_rate",
)
#: what the job reads of a data manifest (:func:`advgen.data.prepared.manifest`)
MANIFEST_COLUMNS = ("index", "label", "split")


@dataclass(frozen=True)
class SuccessByClassSpec:
    """The job's spec: each attacked classifier's data set (whose manifest labels its examples),
    and the data set of each ``manifests`` input, in the inputs' order."""

    datasets: Mapping[str, str] = field(
        metadata=job_schema(schema=ref_map(NAME), description="attacked classifier -> its dataset")
    )
    manifests: tuple[str, ...] = field(
        metadata=job_schema(ref="#/$defs/names", description="the datasets whose manifests are read")
    )


def split_labels(manifest: Any) -> Any:
    """The true label of each test example of a manifest: a Series indexed by ``example``."""
    test = manifest[manifest["split"] == "test"]
    return test.set_index("index")["label"].rename_axis("example").astype("int64")


def success_by_class(examples: Any, labels: Mapping[str, Any], datasets: Mapping[str, str]) -> Any:
    """One row per (classifier, attack, eps, label), sorted so (module docstring).

    ``examples``: per-example outcomes of any attacks on any classifiers; ``labels``: data set ->
    :func:`split_labels`; ``datasets``: classifier -> its data set.
    """
    import pandas as pd

    frames = []
    for classifier, rows in examples.groupby("classifier", sort=True):
        dataset = datasets.get(str(classifier))
        if dataset is None:
            raise AdvgenError(f"attack-success-by-class: no data set given for classifier {classifier}")
        if dataset not in labels:
            raise AdvgenError(
                f"attack-success-by-class: no manifest given for data set {dataset} ({classifier})"
            )
        truth = labels[dataset]
        unknown = ~rows["example"].isin(truth.index)
        if unknown.any():
            example = int(rows.loc[unknown, "example"].iloc[0])
            raise AdvgenError(
                f"attack-success-by-class: {classifier}: example {example} is not in {dataset}'s test split"
            )
        frames.append(rows.assign(dataset=dataset, label=truth.loc[rows["example"]].to_numpy()))
    if not frames:
        return pd.DataFrame({c: [] for c in COLUMNS}, columns=COLUMNS)
    joined = pd.concat(frames, ignore_index=True)
    joined["clean"] = joined["clean_correct"].astype(bool)
    joined["robust"] = joined["adv_correct"].astype(bool)
    joined["fooled"] = joined["clean"] & ~joined["robust"]
    keys = ["classifier", "dataset", "attack", "eps", "label"]
    grouped = joined.groupby(keys, sort=True)
    out = grouped.agg(
        n=("example", "size"),
        clean_acc=("clean", "mean"),
        robust_acc=("robust", "mean"),
        correct=("clean", "sum"),
        fooled=("fooled", "sum"),
    ).reset_index()
    correct = out["correct"].astype(float)
    out["success_rate"] = (out["fooled"] / correct.where(correct > 0)).astype(float)
    out = out.astype({"n": "int64", "label": "int64", "eps": "float64"})
    return out[list(COLUMNS)]


def attack_success_by_class(inputs: Files, outputs: Files, spec: SuccessByClassSpec) -> None:
    """The job: input ``examples`` (per-example tables) and input ``manifests`` (one per
    data set of ``spec.manifests``, same order) -> output ``table`` (Parquet, atomic)."""
    import pandas as pd

    from advgen.io import read_table, write_parquet

    manifests = list(inputs.get("manifests", ()))
    if len(manifests) != len(spec.manifests):
        raise AdvgenError(
            f"attack-success-by-class: {len(manifests)} manifest input(s) for the spec's "
            f"{len(spec.manifests)} data set(s) ({', '.join(spec.manifests) or 'none'})"
        )
    labels = {
        dataset: split_labels(read_table(path, MANIFEST_COLUMNS))
        for dataset, path in zip(spec.manifests, manifests, strict=True)
    }
    tables = [read_table(path, ATTACK_EXAMPLE_COLUMNS) for path in inputs.get("examples", ())]
    examples = (
        pd.concat(tables, ignore_index=True)
        if tables
        else pd.DataFrame({c: [] for c in ATTACK_EXAMPLE_COLUMNS}, columns=ATTACK_EXAMPLE_COLUMNS)
    )
    write_parquet(success_by_class(examples, labels, spec.datasets), outputs.one("table"))
