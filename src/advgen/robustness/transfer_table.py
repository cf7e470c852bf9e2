"""A transfer matrix's table from its sources' rows (:func:`advgen.robustness.transfer.source_rows`,
one job per source): concatenated in source name order, or one matrix per group of models
(the capacity sweep's runs of one seed: Madry et al. 2018, more capacity, less transfer) named
in a column, with per-model metadata as ``source_<key>`` / ``target_<key>`` columns. pandas
only: the table job does not import torch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd


def annotate(table: pd.DataFrame, meta: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Add ``source_<key>`` and ``target_<key>`` columns from per-model metadata.

    For the capacity transfer matrix (Madry et al. 2018: more capacity, less transfer):
    ``meta = {name: {"width": w, "mode": m}}`` gives ``source_width``, ``target_width``, ...
    A model missing from ``meta`` gets NaN / None.
    """
    out = table.copy()
    keys = sorted({k for m in meta.values() for k in m})
    for side in ("source", "target"):
        for key in keys:
            out[f"{side}_{key}"] = out[side].map(lambda name, key=key: (meta.get(name) or {}).get(key))
    return out


def groups(
    sources: Sequence[str], meta: Mapping[str, Mapping[str, Any]], key: str
) -> list[tuple[Any, list[str]]]:
    """``sources`` grouped by ``meta[source][key]``: (value, names) in sorted value order, each
    group's names sorted (the capacity matrix's runs of one seed)."""
    by_value: dict[Any, list[str]] = {}
    for name in sorted(sources):
        by_value.setdefault(meta[name][key], []).append(name)
    return [(value, by_value[value]) for value in sorted(by_value)]


def gather(
    tables: Mapping[str, pd.DataFrame],
    meta: Mapping[str, Mapping[str, Any]] | None = None,
    within: str | None = None,
) -> pd.DataFrame:
    """The transfer table from each source's rows (``tables``: source -> its
    :func:`advgen.robustness.transfer.source_rows`): the sources in name order, :func:`annotate` with ``meta``. With
    ``within`` (a ``meta`` key), one matrix per value of that key (sources and targets that share
    it, e.g. the runs of one seed; their rows are its sources' tables), in sorted order, each
    annotated with its models' other ``meta`` keys and that value in column ``within``."""
    if not within:
        table = pd.concat([tables[name] for name in sorted(tables)], ignore_index=True)
        return table if meta is None else annotate(table, meta)
    assert meta is not None
    rest = {name: {k: v for k, v in m.items() if k != within} for name, m in meta.items()}
    frames = []
    for value, names in groups(list(tables), meta, within):
        table = pd.concat([tables[name] for name in names], ignore_index=True)
        table = annotate(table, {n: rest[n] for n in names})
        table[within] = value
        frames.append(table)
    return pd.concat(frames, ignore_index=True)
