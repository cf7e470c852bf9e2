"""A claim's side from a run's Parquet tables: rows of the role's runs, grouped into seeds.

Broken is not missing: a table the workflow produces that is absent, unreadable or empty, or a
query that fails on an existing table, raises :class:`~advgen.errors.AdvgenError` (one line,
exit 2). *Not measured* is kept for what this config does not produce: a role it does not
declare, a table no job of its DAG makes, or no matching rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from advgen.claims.reading import expressions
from advgen.claims.reading.model import Term
from advgen.claims.statistics.proportions import empirical_logit
from advgen.claims.statistics.stats import Side, side_from_proportions
from advgen.errors import AdvgenError, CheckpointError
from advgen.paths import SAMPLE_QUALITY_SUMMARY
from advgen.paths import WORST_CASE as _WORST_CASE
from advgen.replicates import seed_part

#: the worst-case table, relative to the results folder (its sides get a note on the page)
WORST_CASE = _WORST_CASE.removeprefix("results/")
#: the table whose ``gate`` / ``gate_failures`` columns hold each generator run's quality gate
GATE_TABLE = SAMPLE_QUALITY_SUMMARY.removeprefix("results/")


class NotMeasured(Exception):
    """This config does not produce what a side needs (the message says what)."""


class AllMissing(Exception):
    """Rows matched, but the side's value is NaN (or infinite) in every one of them."""


@dataclass
class Context:
    """Where a run's tables are and what its config declares.

    ``roles``: role -> the runs (config entries after replicate expansion) it names.
    ``produced``: the tables (relative to ``results``) this config's DAG makes; None when
    unknown (a results folder checked by hand), where an absent table is not measured.
    ``generators``: the roles that name generators (their runs' quality gate applies);
    ``budgets``: budget name -> ``{"what", "ours", "source"}`` (the page's scale header);
    ``seeds``: run -> its seed; ``bars``: role -> its quality bar (``sample_quality.bars``).
    """

    results: Path
    roles: Mapping[str, list[str]]
    produced: set[str] | None = None
    generators: frozenset[str] = frozenset()
    budgets: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    seeds: Mapping[str, int] = field(default_factory=dict)
    bars: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict)

    def table(self, rel: str) -> pd.DataFrame:
        if rel in self._cache:
            return self._cache[rel]
        if self.produced is not None and rel not in self.produced:
            raise NotMeasured(f"this config does not produce {rel}")
        path = self.results / rel
        if not path.is_file():
            if self.produced is None:
                from advgen.claims.shown_path import shown_path

                raise NotMeasured(f"{rel} is not in {shown_path(self.results)}")
            raise AdvgenError(f"{path}: missing (the workflow produces it: rerun snakemake)")
        from advgen.io import read_parquet

        try:
            frame = read_parquet(path)
        except CheckpointError as exc:
            raise AdvgenError(" ".join(str(exc).split())) from None
        except Exception as exc:  # pyarrow's errors on a corrupt file
            raise AdvgenError(f"{path}: not a readable Parquet table ({type(exc).__name__})") from None
        if frame.empty:  # a job that ran and wrote nothing: broken, not "not measured"
            raise AdvgenError(f"{path}: the table has no rows (rerun the job that writes it)")
        self._cache[rel] = frame
        return frame

    def runs(self, role: str) -> list[str]:
        if role not in self.roles:
            raise NotMeasured(f"this config declares no role '{role}'")
        return list(self.roles[role])

    def quality_rows(self) -> dict[str, dict[str, object]] | None:
        """Run -> its sample-quality row (the metrics a quality bar reads); None where the table
        is not produced."""
        try:
            frame = self.table(GATE_TABLE)
        except NotMeasured:
            return None
        return {str(row["model"]): row for row in frame.to_dict("records")}

    def gates(self) -> dict[str, tuple[str, str]] | None:
        """Run -> (gate, failures) from the sample-quality table's quality gate (``gate``:
        "pass", "fail" or "" where no bar is declared); None where the table or its gate
        columns are absent ("quality not gated")."""
        try:
            frame = self.table(GATE_TABLE)
        except NotMeasured:
            return None
        if not {"model", "gate"} <= set(frame.columns):
            return None
        failures = (
            frame["gate_failures"] if "gate_failures" in frame.columns else pd.Series("", index=frame.index)
        )
        return {
            str(m): (str(g) if isinstance(g, str) else "", str(f) if isinstance(f, str) else "")
            for m, g, f in zip(frame["model"], frame["gate"], failures, strict=True)
        }


@dataclass
class Measured:
    """A side as measured: the runs' values, and what the reader should know about them."""

    side: Side
    rows: int
    note: str = ""
    ids: tuple[np.ndarray, ...] = ()  # per run, the example ids (sides declaring `example:`)


def _fail(ctx: Context, rel: str, claim: str, what: str, exc: Exception) -> AdvgenError:
    msg = " ".join(str(exc).split()) or type(exc).__name__
    return AdvgenError(f"{ctx.results / rel}: claim {claim}: {what} failed ({type(exc).__name__}: {msg})")


def _values(frame: pd.DataFrame, expr: str) -> pd.Series:
    if expr in frame.columns:
        out = frame[expr]
    else:
        out = pd.Series(expressions.evaluate(expr, frame), index=frame.index)
    return pd.to_numeric(out, errors="raise").astype("float64")


def _frames(
    ctx: Context, term: Term, claim: str, counts: dict[str, int] | None = None
) -> list[tuple[str, pd.DataFrame, str]]:
    """(run name or "", rows, table) of every table the side reads, filtered by roles and query;
    ``counts`` (when given) adds up the rows of the tables, of their roles' runs and of the query
    (:func:`_no_rows` says which filter left none)."""
    counts = {} if counts is None else counts
    out = []
    for role in term.roles:
        ctx.runs(role)  # a role this config does not declare: not measured
    table_roles = term.table_roles
    if len(table_roles) > 1:
        raise AdvgenError(f"claim {claim}: {term.table}: at most one {{role}} placeholder")
    tables = (
        [(run, term.table.format(**{table_roles[0]: run})) for run in ctx.runs(table_roles[0])]
        if table_roles
        else [("", term.table)]
    )
    for run, rel in tables:
        frame = ctx.table(rel)
        counts["table"] = counts.get("table", 0) + len(frame)
        for column, role in term.models:
            if column not in frame.columns:
                raise AdvgenError(f"{ctx.results / rel}: claim {claim}: no column {column!r}")
            frame = frame[frame[column].isin(ctx.runs(role))]
        counts["runs"] = counts.get("runs", 0) + len(frame)
        if term.query:
            try:
                frame = expressions.select(frame, term.query)
            except Exception as exc:  # ExpressionError, pandas' TypeError (a string against a number), ...
                raise _fail(ctx, rel, claim, f"query {term.query!r}", exc) from None
        out.append((run, frame, rel))
    return out


def _no_rows(ctx: Context, term: Term, counts: Mapping[str, int]) -> NotMeasured:
    """ "Not measured", saying which of the side's filters matched no row: its roles' runs, or its query."""
    runs = "; ".join(
        f"{column} one of role {role}'s runs ({', '.join(ctx.runs(role)) or 'none'})"
        for column, role in term.models
    )
    if counts.get("table", 0) and not counts.get("runs", 0):
        return NotMeasured(f"{term.table}: none of its {counts['table']} rows has {runs}")
    of = f" of role {', '.join(role for _, role in term.models)}'s runs" if term.models else ""
    return NotMeasured(
        f"{term.table}: the query {term.query!r} matched none of the {counts.get('runs', 0)} rows{of}"
    )


def _read(ctx: Context, term: Term, claim: str) -> list[tuple[str, pd.DataFrame, str]]:
    """:func:`_frames`; "not measured" naming the filter that left no row, where none is left."""
    counts: dict[str, int] = {}
    frames = _frames(ctx, term, claim, counts)
    if counts.get("table", 0) and not any(len(frame) for _, frame, _ in frames):
        raise _no_rows(ctx, term, counts)
    return frames


def _run_key(term: Term, frame: pd.DataFrame, run: str) -> Iterable[tuple[str, pd.DataFrame]]:
    if run:
        yield run, frame
    elif term.unit:
        for name, rows in frame.groupby(list(term.unit), sort=True):
            yield "/".join(map(str, name if isinstance(name, tuple) else (name,))), rows
    elif term.models:
        column = term.models[0][0]
        for name, rows in frame.groupby(column, sort=True):
            yield str(name), rows
    elif term.per == "run":
        for i, (_, row) in enumerate(frame.iterrows()):
            yield f"row{i}", frame.loc[[row.name]]
    else:
        yield "", frame


def _reduce_run(term: Term, rows: pd.DataFrame) -> tuple[float, float]:
    """A run's one value (its rows' mean) and its resolution: one row's share, ``1 / rows``, where
    the value is a share of rows (every row 0 or 1: "g_grad_norm < 0.001"), else 0."""
    values = _values(rows, term.value)
    if term.reduce == "last_epoch":
        values = values[rows["epoch"] == rows["epoch"].max()]
    values = values[np.isfinite(values)]
    if not len(values):
        return float("nan"), 0.0
    share = bool(values.isin((0.0, 1.0)).all()) and len(values) > 1
    return float(values.mean()), (1.0 / len(values) if share else 0.0)


def _table_note(term: Term, frames: list[pd.DataFrame]) -> str:
    """What the page says of a side of the worst-case table: over which attacks, and the gap to
    AutoAttack's standard budget where it was measured (:func:`advgen.robustness.worst_case.claim_note`)."""
    if term.table != WORST_CASE or not frames:
        return ""
    from advgen.robustness.worst_case import claim_note

    return claim_note(pd.concat(frames))


def _one_side(term: Term, groups: list[tuple[str, pd.DataFrame]], where: str) -> Measured:
    names, runs, rates, counts, ids, steps = [], [], [], [], [], []
    matched = sum(len(rows) for _, rows in groups)
    note = _table_note(term, [rows for _, rows in groups if not rows.empty])
    for name, rows in groups:
        if rows.empty:
            continue
        if term.per == "examples":
            if term.example:
                rows = rows.sort_values(term.example, kind="stable")
            vals = _values(rows, term.value).to_numpy()
            keep = np.isfinite(vals)
            if keep.any():
                names.append(name)
                runs.append(vals[keep])
                if term.example:
                    ids.append(rows[term.example].to_numpy()[keep])
            continue
        if term.per == "proportion":
            # the count is an expression like the value: a success rate's is "n * clean_acc"
            assert term.count is not None  # required with per: proportion (advgen.claims.reading.fields)
            n = np.rint(_values(rows, term.count).to_numpy())
            k = (_values(rows, term.value).to_numpy() * n).sum()
            if n.sum() > 0 and np.isfinite(k):
                names.append(name)
                rates.append(k / n.sum())
                counts.append(int(n.sum()))
        else:
            value, step = _reduce_run(term, rows)
            if term.logit and np.isfinite(value):
                if not step:
                    raise ValueError(
                        f"{where}: the logit scale reads a share of each run's rows, and {name}'s value is not one"
                    )
                value, step = float(empirical_logit(value, 1 / step)), 0.0
            if np.isfinite(value):
                names.append(name)
                runs.append(np.array([value]))
                steps.append(step)
    if term.per == "proportion":
        side = side_from_proportions(rates, counts, names)
    else:
        level = {"examples": "examples", "exact": "exact"}.get(term.per, "aggregate")
        side = Side(tuple(runs), tuple(names), level, tuple(steps) if any(steps) else ())
    if not side.runs:
        if matched:
            raise AllMissing(f"value {term.value!r} is NaN in all {matched} matching rows")
        raise NotMeasured(f"{where}: no rows match")
    return Measured(side, matched, note, tuple(ids))


def _all_missing(
    ctx: Context, frames: list[tuple[str, pd.DataFrame, str]], claim: str, exc: Exception
) -> AdvgenError:
    tables = ", ".join(dict.fromkeys(str(ctx.results / rel) for _, _, rel in frames))
    return AdvgenError(f"{tables}: claim {claim}: {exc}")


def measure(ctx: Context, term: Term, claim: str) -> Measured:
    """The side's runs (seeds) and their examples."""
    frames = _read(ctx, term, claim)
    groups = [g for run, frame, _ in frames for g in _run_key(term, frame, run)]
    try:
        return _one_side(term, groups, term.table)
    except AllMissing as exc:
        raise _all_missing(ctx, frames, claim, exc) from None
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise _fail(ctx, frames[0][2], claim, f"value {term.value!r}", exc) from None


def rows(ctx: Context, term: Term, claim: str) -> pd.DataFrame:
    """Every row a side selects (its roles' runs, its query), with the side's value as
    ``value`` (a requirement reads each row)."""
    frames = _frames(ctx, term, claim)
    out = []
    for _, frame, rel in frames:
        try:
            out.append(frame.assign(value=_values(frame, term.value).to_numpy()))
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise _fail(ctx, rel, claim, f"value {term.value!r}", exc) from None
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def measure_by(ctx: Context, term: Term, by: str, claim: str) -> list[tuple[object, Measured]]:
    """One measurement per value of the grid column ``by`` (sorted)."""
    frames = _read(ctx, term, claim)
    out = []
    grid = sorted({v for _, frame, _ in frames for v in frame[by].dropna().unique()}) if frames else []
    for value in grid:
        groups = [g for run, frame, _ in frames for g in _run_key(term, frame[frame[by] == value], run)]
        try:
            out.append((value, _one_side(term, groups, f"{term.table} at {by}={value}")))
        except NotMeasured:
            continue
        except AllMissing as exc:
            raise _all_missing(ctx, frames, claim, exc) from None
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise _fail(ctx, frames[0][2], claim, f"value {term.value!r}", exc) from None
    if len(out) < 2:
        raise NotMeasured(f"{term.table}: fewer than 2 values of {by!r} with rows")
    return out


def paired(a: Measured, b: Measured) -> tuple[Side, Side]:
    """The two sides aligned run by run (same run names) and example by example (same ids).
    Two sides that share no run name (two models evaluated on the same examples, e.g. the AE's
    and the GAN's interpolation of the same image pairs) pair run by run by replicate (the
    entries' own runs together, ``<entry>_seed<k>`` with ``<other>_seed<k>``; one run each: those
    two), then by example."""
    runs_a, runs_b, names = [], [], []
    cross = not set(a.side.names) & set(b.side.names)
    b_seeds = [seed_part(name) for name in b.side.names]
    for j, name in enumerate(a.side.names):
        if not cross:
            if name not in b.side.names:
                continue
            k = b.side.names.index(name)
        elif a.side.n_runs == b.side.n_runs == 1:
            k = 0
        elif seed_part(name) in b_seeds:
            k = b_seeds.index(seed_part(name))
        else:
            continue
        sa = pd.Series(a.side.runs[j], index=a.ids[j])
        sb = pd.Series(b.side.runs[k], index=b.ids[k])
        both = sa.index.intersection(sb.index).sort_values()
        if len(both):
            runs_a.append(sa.loc[both].to_numpy(dtype=float))
            runs_b.append(sb.loc[both].to_numpy(dtype=float))
            names.append(name)
    if not names:
        raise NotMeasured("the two sides share no run and example to pair")
    return Side(tuple(runs_a), tuple(names)), Side(tuple(runs_b), tuple(names))
