"""Claims stage: the verdicts of the claims file on this run's tables (``results/claims.html``).

Building the plan checks the claims file against the config, at config-check time (both
``advgen check-config`` and the workflow build the plans): the file is read strictly
(FILE:LINE, duplicate keys), the config's ``roles`` must name claims-file roles and existing
entries, and every table and column a claim reads must be one the DAG can produce
(:func:`check_claims`). What this config does not produce (a role it does not declare, a
table none of its jobs make) is "not measured" on the page, never an error.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from advgen import paths
from advgen.claims.freeze.freeze_record import precision
from advgen.claims.page.page_spec import Budget, ClaimsPageSpec, DatasetHeader
from advgen.columns import (
    AE_LOSS_COLUMNS,
    BOOL_COLUMNS,
    GAN_LOSS_COLUMNS,
    NAME_COLUMNS,
    NUMBER_COLUMNS,
    REPORT_FACTS_COLUMNS,
    ROBUST_FEATURES_COLUMNS,
    SAMPLE_QUALITY_COLUMNS,
    SWEEP_JOB_COLUMNS,
    TRANSFER_COLUMNS,
    WORST_CASE_COLUMNS,
    worst_case_columns,
)
from advgen.errors import ConfigError
from advgen.pipeline.base import Stage
from advgen.pipeline.study import Study, resolve_roles
from advgen.sweeps.grid import SweepPlan

__all__ = ["ClaimsPlan", "check_claims", "produced_tables", "table_columns"]

#: the folder the claims' table paths are relative to
RESULTS = "results"
#: the table holding each generator run's quality gate (columns gate, gate_failures)
GATE_TABLE = paths.SAMPLE_QUALITY_SUMMARY.removeprefix(f"{RESULTS}/")
#: the keys of a dataset entry the page's header reads
DATASET_HEADER_KEYS = tuple(f.name for f in dataclasses.fields(DatasetHeader))

# Columns of every table a claim may read, by template relative to RESULTS (advgen.columns, which
# the writers use too).
CAPACITY_META = ("width", "mode")  # source_<key> / target_<key> of the capacity transfer matrix
#: the capacity transfer matrix is made within each seed of the sweep's base classifier: one column
CAPACITY_WITHIN = "seed"
#: a classifier sweep's table: the rows its jobs write, and the gap the aggregate adds
ROBUSTNESS_SWEEP_COLUMNS = (*SWEEP_JOB_COLUMNS, "robust_gap")


#: the config sections a role may name where a side reads it: by the column of its ``models``
#: (any table, or one table only), and by the first folder of a per-run table path
#: (``gans/{ns_gan}/losses.parquet``). A role naming an entry of another section would match no
#: row: an error in the config, not "not measured".
GENERATOR_SECTIONS = ("gans", "autoencoders")
COLUMN_SECTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("*", "classifier"): ("classifiers",),
    ("*", "source"): ("classifiers",),
    ("*", "target"): ("classifiers",),
    ("*", "generator"): GENERATOR_SECTIONS,
    (paths.SAMPLE_QUALITY_SUMMARY.removeprefix(f"{RESULTS}/"), "model"): GENERATOR_SECTIONS,
}
TABLE_SECTIONS = {"gans": ("gans",), "autoencoders": ("autoencoders",)}


def _rel(path: str) -> str:
    return path.removeprefix(f"{RESULTS}/")


def table_columns(rel: str, study: Study | None, sweeps: SweepPlan | None) -> set[str] | None:
    """The columns of table ``rel`` (relative to ``results/``), or None for no known table."""
    from advgen.robustness.tables import CURVE_COLUMNS

    parts = Path(rel).parts
    fixed: dict[str, tuple[str, ...] | list[str]] = {
        "sample_quality/summary.parquet": SAMPLE_QUALITY_COLUMNS,
        "robustness/attacks.parquet": CURVE_COLUMNS,
        "robustness/transfer.parquet": TRANSFER_COLUMNS,
        "robustness/transfer_capacity.parquet": (
            *TRANSFER_COLUMNS,
            *(f"{side}_{k}" for side in ("source", "target") for k in CAPACITY_META),
            CAPACITY_WITHIN,
        ),
        "robustness/robust_features.parquet": ROBUST_FEATURES_COLUMNS,
        _rel(paths.REPORT_FACTS): REPORT_FACTS_COLUMNS,
    }
    if rel in fixed:
        return set(fixed[rel])
    if rel == _rel(paths.WORST_CASE):  # plus one robust_acc_<attack> per attack of the configured set
        worst = study.robustness.worst_case if study is not None else None
        return set(worst_case_columns(list(worst.attacks)) if worst else WORST_CASE_COLUMNS)
    if len(parts) == 3 and parts[0] == "gans" and parts[2] == "losses.parquet":
        return set(GAN_LOSS_COLUMNS)
    if len(parts) == 3 and parts[0] == "autoencoders" and parts[2] == "losses.parquet":
        return set(AE_LOSS_COLUMNS)
    if len(parts) == 3 and parts[:2] == ("robustness", "sweeps") and rel.endswith(".parquet"):
        return set(ROBUSTNESS_SWEEP_COLUMNS)
    if len(parts) == 2 and parts[0] == "sweeps":
        from advgen.sweeps.registry import SWEEPS
        from advgen.sweeps.tables import ID_COLUMNS

        sweep = parts[1].removesuffix(".parquet")
        if sweep not in SWEEPS:
            return None
        cols = set(ID_COLUMNS) | set(SWEEPS[sweep].metrics)
        for point in sweeps.points(sweep) if sweeps is not None else []:
            cols |= set(point.spec()) - {"device"}
        return cols
    return None


def check_claims(
    claims_file: str, study: Study, sweeps: SweepPlan, produced_paths: set[str]
) -> tuple[Any, dict[str, list[str]], set[str]]:
    """Check a claims file against the config and the DAG its plans make (no torch).

    Returns the parsed file, role -> runs, and the produced tables (relative to ``results/``).
    Raises one :class:`ConfigError` line: the claims file's own faults name FILE:LINE and the
    key; a role of the config that is unknown, names no entry or an entry of another kind than
    the claims read it as (:func:`check_role_sections`) names ``roles.<role>``; a table
    no config could produce, or a column its writer does not write, names the claim's key.
    """
    from advgen.claims.reading.claims_file import read_claims_file

    parsed = read_claims_file(claims_file)
    roles = resolve_roles(study, parsed.roles)
    check_role_sections(claims_file, parsed.claims, study, roles)
    produced = {_rel(t) for t in produced_paths}
    for claim in parsed.claims:
        for key, term in _named_terms(claim):
            where = (
                f"{claims_file}:{claim.line}: claims[{claim.id}].{key}"
                if claim.line
                else f"{claims_file}: claims[{claim.id}].{key}"
            )
            sample = term.table.format(**{r: "x" for r in term.table_roles})
            columns = table_columns(sample, study, sweeps)
            if columns is None:
                raise ConfigError(
                    f"{where}.table: unknown table {term.table} (no job of the workflow writes it)"
                )
            tables = (
                [term.table.format(**{term.table_roles[0]: r}) for r in roles.get(term.table_roles[0], [])]
                if term.table_roles
                else [term.table]
            )
            if not any(t in produced for t in tables):
                continue  # not produced by this config: "not measured"
            missing = sorted(term.columns() - columns)
            if claim.test is not None and claim.test.by and claim.test.by not in columns:
                missing.append(claim.test.by)
            if missing:
                raise ConfigError(
                    f"{where}: unknown column '{missing[0]}' of {sample if not term.table_roles else term.table} "
                    f"(columns: {', '.join(sorted(columns))})"
                )
            _check_types(where, term)
    return parsed, roles, produced


def _check_types(where: str, term: Any) -> None:
    """The side's query is a condition and its value and count numbers, on the column types of
    :mod:`advgen.columns` (``abs(attack)`` is one line here, not a pandas error in the claims job)."""
    from advgen.claims.reading import expressions as ex

    types = {
        **dict.fromkeys(NUMBER_COLUMNS, ex.NUMBER),
        **dict.fromkeys(BOOL_COLUMNS, ex.BOOL),
        **dict.fromkeys(NAME_COLUMNS, ex.STRING),
    }
    for key, text, want in (
        ("query", term.query, ex.BOOL),
        ("value", term.value, ex.NUMBER),
        ("count", term.count, ex.NUMBER),
    ):
        if text:
            try:
                ex.check_types(str(text), types, want)
            except ex.ExpressionError as exc:
                raise ConfigError(f"{where}.{key}: {exc}") from None


def role_sections(term: Any) -> list[tuple[str, str, tuple[str, ...]]]:
    """(key, role, the sections its entries may be in) for each role a side reads where the
    table fixes the kind of model: ``models.<column>`` or ``table``."""
    out: list[tuple[str, str, tuple[str, ...]]] = []
    first = Path(term.table).parts[0]
    for role in term.table_roles:
        if first in TABLE_SECTIONS:
            out.append(("table", role, TABLE_SECTIONS[first]))
    for column, role in term.models:
        sections = COLUMN_SECTIONS.get((term.table, column)) or COLUMN_SECTIONS.get(("*", column))
        if sections:
            out.append((f"models.{column}", role, sections))
    return out


def check_role_sections(
    claims_file: str, claims: Sequence[Any], study: Study, roles: Mapping[str, list[str]]
) -> None:
    """Every run a role names is an entry of a section its sides read it as (a classifier role
    naming a GAN is one ConfigError line naming ``roles.<role>`` and the claim's key)."""
    section_of, source = study.sections, study.source
    for claim in claims:
        for key, term in _named_terms(claim):
            for where, role, sections in role_sections(term):
                for run in roles.get(role, []):
                    if section_of.get(run) not in sections:
                        line = f":{claim.line}" if claim.line else ""
                        raise ConfigError(
                            f"{source}: roles.{role}: '{run}' is an entry of {section_of.get(run)}, but "
                            f"{claims_file}{line}: claims[{claim.id}].{key}.{where} reads it as one of "
                            f"{' or '.join(sections)}"
                        )


def _named_terms(claim: Any) -> list[tuple[str, Any]]:
    """Every side a claim reads, named by its key: a, b, control.a, requires[0], scale.evidence.a."""
    out = list(zip(("a", "b"), claim.terms, strict=False))
    if claim.control is not None:
        out += [(f"control.{k}", t) for k, t in zip(("a", "b"), claim.control.terms, strict=False)]
    out += [(f"requires[{i}]", r.term) for i, r in enumerate(claim.requires)]
    if claim.scale is not None and claim.scale.evidence is not None:
        out += [
            (f"scale.evidence.{k}", t) for k, t in zip(("a", "b"), claim.scale.evidence.terms, strict=False)
        ]
    return out


def generator_roles(study: Study, roles: Mapping[str, list[str]]) -> list[str]:
    """The roles whose runs are generators (entries of ``gans`` or ``autoencoders``): a claim
    built on one says whether its runs pass their quality gate."""
    generators = {*study.gans, *study.autoencoders}
    return sorted(role for role, runs in roles.items() if runs and all(r in generators for r in runs))


def produced_tables(study: Study, targets: Iterable[str]) -> set[str]:
    """Every table path the DAG can make that a claim may read (``results/...``): ``targets`` (of
    every stage but the claims stage's own pages), the runs' loss tables and the manifests."""
    out = set(targets)
    if study.claims:
        out.add(paths.REPORT_FACTS)
    out |= {paths.fill(paths.GAN_LOSSES, gan=g) for g in study.gans}
    out |= {paths.fill(paths.AE_LOSSES, ae=a) for a in study.autoencoders}
    out |= {paths.fill(paths.MANIFEST, dataset=d) for d in study.datasets}
    return out


class ClaimsPlan(Stage):
    """``results/claims.html`` and ``results/tables/claims.{md,parquet,rst}`` from the claims file
    (the job kinds of :mod:`advgen.pipeline.jobkinds_claims`), where a claim reads a table the run
    makes (:attr:`measures`)."""

    def __init__(self, study: Study, sweeps: SweepPlan, targets: Iterable[str]) -> None:
        """``targets``: of every other stage (what a claim may read)."""
        super().__init__(study)
        self.produced_paths = produced_tables(study, targets)
        self.roles: dict[str, list[str]] = {}
        self.produced: set[str] = set()
        self.read: list[str] = []
        self.budgets: dict[str, Any] = {}
        self.sources: list[str] = []
        self.freeze: str | None = None
        if self.claims_file:
            parsed, self.roles, self.produced = check_claims(
                self.claims_file, study, sweeps, self.produced_paths
            )
            self.budgets = dict(parsed.budgets.items())
            base = os.path.dirname(self.claims_file)
            self.sources = [
                os.path.normpath(os.path.join(base, rel)) for _, rel in sorted(parsed.sources.items())
            ]
            if parsed.freeze:  # the page reads the freeze record where it exists (else: exploratory)
                self.freeze = os.path.normpath(os.path.join(base, parsed.freeze))
            read = set()
            if generator_roles(self.study, self.roles) and GATE_TABLE in self.produced:
                read.add(GATE_TABLE)
            for claim in parsed.claims:
                for term in claim.all_terms():
                    if term.table_roles:
                        read |= {
                            term.table.format(**{term.table_roles[0]: r})
                            for r in self.roles.get(term.table_roles[0], [])
                        }
                    else:
                        read.add(term.table)
            self.read = sorted(read & self.produced)
        else:
            resolve_roles(self.study, None)

    @property
    def claims_file(self) -> str | None:
        return self.study.claims

    @property
    def measures(self) -> bool:
        """Whether a claim reads a table this run makes, beside the GAN report's facts that the
        page's own ``report_facts`` job recomputes: else there is no page (every claim would be
        "not measured")."""
        return bool(set(self.read) - {_rel(paths.REPORT_FACTS)})

    def tables(self) -> list[str]:
        """The claims' tables this run produces (paths under ``results/``), sorted."""
        return [f"{RESULTS}/{t}" for t in self.read]

    def manifests(self) -> list[str]:
        return [paths.fill(paths.MANIFEST, dataset=d) for d in sorted(self.study.datasets)]

    def command_spec(self) -> ClaimsPageSpec:
        """What the claims page needs besides the tables: roles, produced tables, the data."""
        datasets = {
            name: DatasetHeader(**{k: getattr(spec, k) for k in DATASET_HEADER_KEYS})
            for name, spec in sorted(self.study.datasets.items())
        }
        seeds = {
            role: {run: self.study.run_seed(run) for run in runs} for role, runs in sorted(self.roles.items())
        }
        sq = self.study.sample_quality
        return ClaimsPageSpec(
            roles={r: tuple(v) for r, v in sorted(self.roles.items())},
            produced=tuple(sorted(self.produced)),
            datasets=datasets,
            seeds=seeds,
            generators=tuple(generator_roles(self.study, self.roles)),
            budgets={name: self._budget(b) for name, b in sorted(self.budgets.items())},
            config=self.source,
            toy_scale=self.study.toy_scale,
            bars={
                role: dict(sorted(bar.items()))
                for role, bar in sorted((sq.bars if sq else {}).items())
                if role in self.roles and isinstance(bar, Mapping)
            },
            recipes=self.study.recipes,  # with the numerics, what a freeze record compares
            numerics=self.numerics(),
        )

    def numerics(self) -> dict[str, str]:
        """Role -> the training precision of its runs, distinct values joined (as
        :func:`advgen.claims.freeze.freeze_record.numerics` records it)."""
        precisions = self.study.precisions
        return {
            role: ", ".join(sorted({precisions.get(run) or precision(None, "") for run in runs}))
            for role, runs in sorted(self.roles.items())
        }

    def _budget(self, budget: Any) -> Budget:
        """A budget of the claims file with the training settings of the runs its roles name
        here (the page turns them into "epochs x iterations on N training images")."""
        runs = {}
        for role in budget.roles:
            for run in self.roles.get(role, []):
                if run in self.study.run_budgets:
                    runs[run] = self.study.run_budgets[run]
        return Budget(what=budget.what, source=budget.source, runs=runs)
