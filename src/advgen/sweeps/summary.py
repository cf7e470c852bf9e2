"""A sweep's aggregate table and its one-screen summary, as its registry entry declares them
(:data:`advgen.sweeps.registry.SWEEPS`): the ``aggregate_sweep`` job (:func:`aggregate_sweep`)
checks and concatenates the per-point tables, and logs the summary (:func:`summary_table`: the
report's claims, as numbers).

:func:`problems` names what an entry lacks for that: the plan refuses a config that runs such a
sweep, in one line, before any job runs.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pandas as pd

from advgen.errors import ConfigError
from advgen.jobfiles import Files
from advgen.sweeps.registry import SWEEPS, Sweep
from advgen.sweeps.spec import SweepTableSpec
from advgen.sweeps.tables import ID_COLUMNS, aggregate

log = logging.getLogger(__name__)


def columns(sweep: Sweep[Any]) -> set[str]:
    """The columns of the sweep's tables: identity, the point's settings and metrics."""
    return {*ID_COLUMNS, *(f.name for f in dataclasses.fields(sweep.spec)), *sweep.metrics}


def problems(sweep: Sweep[Any]) -> list[str]:
    """What the entry of ``sweep`` lacks (one line each, naming the entry): a point spec of
    another sweep or without metric columns, a ``table`` that names no output, a summary of
    columns its tables do not have."""
    where = f"advgen.sweeps.registry: sweep {sweep.name}"
    out = []
    if sweep.spec.SWEEP != sweep.name:
        out.append(f"{where}: its spec {sweep.spec.__name__} is of sweep {sweep.spec.SWEEP!r}")
    if not sweep.metrics:
        out.append(f"{where}: its spec {sweep.spec.__name__} declares no metric columns (METRICS)")
    if sweep.table not in sweep.outputs:
        out.append(f"{where}: table {sweep.table!r} names none of its outputs ({', '.join(sweep.outputs)})")
    unknown = [c for c in (*sweep.summary.keys, *sweep.summary.stats) if c not in columns(sweep)]
    if unknown:
        out.append(f"{where}: its summary names {', '.join(unknown)}, no column of its tables")
    return out


def summary_table(sweep: str, table: pd.DataFrame) -> pd.DataFrame:
    """The aggregate grouped by the sweep's main axes and by every other setting that
    varies in the table (a grid axis of the config)."""
    entry = SWEEPS[sweep]
    keys = [k for k in entry.summary.keys if k in table.columns]
    fixed = set(ID_COLUMNS) | set(entry.metrics) | set(keys) | set(entry.summary.skip)
    varying = [c for c in table.columns if c not in fixed and table[c].astype(str).nunique() > 1]
    keys = keys[:-1] + varying + keys[-1:] if keys else varying
    frame = table.copy()
    for k in keys:
        frame[k] = frame[k].astype(str)
    return frame.groupby(keys, sort=True, dropna=False).agg(dict(entry.summary.stats))


def summarize(sweep: str, table: pd.DataFrame) -> list[str]:
    """Text lines of :func:`summary_table`."""
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.precision", 4):
        return summary_table(sweep, table).to_string().splitlines()


def aggregate_sweep(inputs: Files, outputs: Files, spec: SweepTableSpec) -> None:
    """The ``aggregate_sweep`` job: a sweep's per-point tables (inputs ``tables``, config order),
    checked and concatenated (output ``table``); its summary in the log."""
    from advgen.io import write_parquet

    if spec.sweep not in SWEEPS:
        raise ConfigError(f"--spec: sweep: unknown sweep {spec.sweep!r} (known: {', '.join(SWEEPS)})")
    tables = inputs.all("tables")
    table = aggregate(spec.sweep, SWEEPS[spec.sweep].metrics, tables)
    log.info("%s: %d rows from %d grid points", spec.sweep, len(table), len(tables))
    for line in summarize(spec.sweep, table):
        log.info("%s", line)
    write_parquet(table, outputs.one("table"))
